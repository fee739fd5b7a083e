/**
 * `npm run up -- --stack local [--preview | --destroy] [--yes] [--expect-no-changes] [--no-retry] [--backend <url>] [--stacks-dir <dir>]`
 *
 * Deploys a stack with the Pulumi Automation API: the program runs inline (cli/workspace.ts), the
 * kit's CrossGuard pack (policies/) checks every preview and update, state goes to a local file
 * backend (`.pulumi/state`) and secrets to a local passphrase (`.pulumi/passphrase`, mode 0600), so
 * no Pulumi Cloud account is needed. The config is validated offline first: an invalid stack never
 * reaches Pulumi. `up` previews, then asks before changing anything unless --yes is given. A
 * fine-tune Job that failed or was deleted by hand is retried (cli/retry.ts) unless --no-retry.
 * Automation API: https://www.pulumi.com/docs/iac/packages-and-automation/automation-api/
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import { ConfigError, loadStackFile, stackFilePath, STACKS_DIR } from "../config/load.ts";
import { Cluster, type KubeOptions } from "../ops/kube.ts";
import { kubeContext } from "./kube-context.ts";
import { clearForRetry, findRetries, NO_RETRY } from "./retry.ts";
import { openStack } from "./workspace.ts";

export type Action = "up" | "preview" | "destroy";

export interface UpArgs {
  readonly stack: string;
  readonly action: Action;
  readonly yes: boolean;
  /** Fail when the preview or update would change anything (a drift check for CI). */
  readonly expectNoChanges: boolean;
  /** Retry the fine-tunes' failed or missing Jobs (off with --no-retry). */
  readonly retry: boolean;
  readonly backend?: string;
  readonly stacksDir?: string;
}

export const USAGE = [
  "usage: npm run up -- --stack <name> [--preview | --destroy] [--yes] [--expect-no-changes] [--no-retry] [--backend <url>] [--stacks-dir <dir>]",
  "",
  "Before the preview, up looks for the stack's fine-tune Jobs (training, merge, GGUF export) that failed or",
  "were deleted by hand, in the cluster their Pulumi provider deploys to: the preview shows each one replaced,",
  "and after the confirmation up deletes it (or drops it from the state) and creates it again. A training retry",
  "keeps its run id, so it resumes from the run's newest complete checkpoint in the store, if one was saved.",
  "--no-retry leaves them as they are; with --expect-no-changes such a Job is drift, and up fails.",
].join("\n");

/** Parses argv; throws an Error with the usage line on bad input. */
export function parseUpArgs(argv: readonly string[]): UpArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      stack: { type: "string", short: "s" },
      preview: { type: "boolean", default: false },
      destroy: { type: "boolean", default: false },
      yes: { type: "boolean", short: "y", default: false },
      "expect-no-changes": { type: "boolean", default: false },
      "no-retry": { type: "boolean", default: false },
      backend: { type: "string" },
      "stacks-dir": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.stack === undefined) throw new Error(`--stack is required\n${USAGE}`);
  if (values.preview && values.destroy) throw new Error(`--preview and --destroy cannot be combined\n${USAGE}`);
  if (values.destroy && !values.yes) throw new Error(`--destroy deletes the stack's resources: add --yes to confirm\n${USAGE}`);
  if (values.destroy && values["expect-no-changes"]) throw new Error(`--expect-no-changes does not apply to --destroy\n${USAGE}`);
  if (values.destroy && values["no-retry"]) throw new Error(`--no-retry does not apply to --destroy\n${USAGE}`);
  const action: Action = values.preview ? "preview" : values.destroy ? "destroy" : "up";
  return {
    stack: values.stack,
    action,
    yes: values.yes,
    expectNoChanges: values["expect-no-changes"],
    retry: !values["no-retry"],
    ...(values.backend !== undefined ? { backend: values.backend } : {}),
    ...(values["stacks-dir"] !== undefined ? { stacksDir: resolve(values["stacks-dir"]) } : {}),
  };
}

/**
 * Backend and secrets settings for the workspace. An explicit PULUMI_CONFIG_PASSPHRASE(_FILE) or
 * PULUMI_BACKEND_URL in the environment wins; otherwise everything stays under `<root>/.pulumi`.
 */
export function workspaceEnv(root: string, args: UpArgs, env: NodeJS.ProcessEnv): Record<string, string> {
  const stateDir = join(root, ".pulumi");
  const out: Record<string, string> = {
    PULUMI_BACKEND_URL: args.backend ?? env.PULUMI_BACKEND_URL ?? `file://${join(stateDir, "state")}`,
  };
  if (env.PULUMI_CONFIG_PASSPHRASE === undefined) {
    out.PULUMI_CONFIG_PASSPHRASE_FILE = env.PULUMI_CONFIG_PASSPHRASE_FILE ?? join(stateDir, "passphrase");
  }
  return out;
}

/** Creates the local state folder and a random passphrase the first time; never overwrites one. */
export function ensureLocalState(env: Record<string, string>): void {
  const backend = env.PULUMI_BACKEND_URL ?? "";
  if (backend.startsWith("file://")) mkdirSync(backend.slice("file://".length), { recursive: true });
  const passphraseFile = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (passphraseFile !== undefined && !existsSync(passphraseFile)) {
    mkdirSync(resolve(passphraseFile, ".."), { recursive: true });
    writeFileSync(passphraseFile, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  }
}

/** The policy pack's enforcement level set (policies/index.ts): the stack's env unless the caller chose one. */
export function policyEnv(stackEnv: string, env: NodeJS.ProcessEnv): string {
  return env.LLMKIT_POLICY_ENV !== undefined && env.LLMKIT_POLICY_ENV !== "" ? env.LLMKIT_POLICY_ENV : stackEnv;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new Error("no terminal to confirm the update on: rerun with --yes (or --preview)");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes)$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function run(args: UpArgs): Promise<void> {
  const stacksDir = args.stacksDir ?? STACKS_DIR;
  const loaded = loadStackFile(args.stack, stacksDir); // offline validation: throws ConfigError before Pulumi is involved
  const root = resolve(import.meta.dirname, "..");
  // state, passphrase and workspace live in the working directory: the repository under `npm run
  // up`, the user's project under an installed `llmkit up` (never inside node_modules)
  const here = process.cwd();
  const envVars: Record<string, string> = { ...workspaceEnv(here, args, process.env), LLMKIT_POLICY_ENV: policyEnv(loaded.config.env, process.env) };
  let pulumiCommand: PulumiCommand;
  try {
    pulumiCommand = await PulumiCommand.get();
  } catch {
    throw new Error("the Pulumi CLI was not found on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) and retry");
  }
  ensureLocalState(envVars);
  const target = loaded.platform.provider === "aws" ? `AWS (${loaded.platform.region})` : `kube context "${kubeContext(process.env) ?? "(none)"}"`;
  console.log(`llmkit ${args.action}: stack ${args.stack} (${stackFilePath(args.stack, stacksDir)}) → ${target}`);
  console.log(`  state ${envVars.PULUMI_BACKEND_URL}, policy pack policies/ at ${envVars.LLMKIT_POLICY_ENV} enforcement`);
  const workDir = process.env.LLMKIT_WORKSPACE_DIR ?? join(here, ".pulumi", "workspace");
  const stack = await openStack(args.stack, { root, stacksDir, workDir, envVars, pulumiCommand });
  const onOutput = (line: string) => process.stdout.write(line);
  const policyPacks = [join(root, "policies")];
  const expectNoChanges = args.expectNoChanges;
  if (args.action === "destroy") {
    await stack.destroy({ onOutput });
    return;
  }
  const reader = (kube: KubeOptions) => Cluster.connect(kube);
  const retry = args.retry ? await findRetries(stack, reader) : NO_RETRY;
  for (const line of retry.lines) console.log(line);
  const preview = await stack.preview({ onOutput, diff: true, policyPacks, expectNoChanges, replace: [...retry.replace] });
  if (args.action === "preview") return;
  const changes = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
  if (changes.length === 0 && !expectNoChanges) {
    console.log("no changes to apply");
    return;
  }
  if (!args.yes && !(await confirm(`apply ${changes.map(([op, n]) => `${n} ${op}`).join(", ")} to ${target}?`))) {
    throw new Error("not confirmed: nothing was changed");
  }
  await clearForRetry(stack, retry, reader, onOutput);
  const result = await stack.up({ onOutput, policyPacks, expectNoChanges });
  console.log(`outputs: ${JSON.stringify(Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value])), null, 2)}`);
}

/**
 * The Automation API's CommandError carries the command line, all of stdout (already streamed) and
 * stderr: keep the CLI's own `error:` lines, or the message as it is when it has none.
 */
export function failureSummary(message: string): string {
  const errors = [...new Set(message.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("error: ")))];
  return errors.length > 0 ? errors.map((l) => l.slice("error: ".length)).join("\n  ") : message;
}

export async function cli(argv: readonly string[]): Promise<number> {
  let args: UpArgs;
  try {
    args = parseUpArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  try {
    await run(args);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    console.error(`llmkit up failed: ${failureSummary((err as Error).message)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
