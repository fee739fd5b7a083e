/**
 * `npm run up -- --stack local [--preview | --destroy] [--yes] [--backend <url>]`
 *
 * Deploys a stack to the current kube context with the Pulumi Automation API, a local file
 * backend (`.pulumi/state`) and a local passphrase (`.pulumi/passphrase`, mode 0600), so no
 * Pulumi Cloud account is needed. The config is validated offline first: an invalid stack never
 * reaches Pulumi. Automation API: https://www.pulumi.com/docs/iac/packages-and-automation/automation-api/
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import { ConfigError, loadStackFile } from "../config/load.ts";

export type Action = "up" | "preview" | "destroy";

export interface UpArgs {
  readonly stack: string;
  readonly action: Action;
  readonly yes: boolean;
  readonly backend?: string;
}

export const USAGE = "usage: npm run up -- --stack <name> [--preview | --destroy] [--yes] [--backend <url>]";

/** Parses argv; throws an Error with the usage line on bad input. */
export function parseUpArgs(argv: readonly string[]): UpArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      stack: { type: "string", short: "s" },
      preview: { type: "boolean", default: false },
      destroy: { type: "boolean", default: false },
      yes: { type: "boolean", short: "y", default: false },
      backend: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.stack === undefined) throw new Error(`--stack is required\n${USAGE}`);
  if (values.preview && values.destroy) throw new Error(`--preview and --destroy cannot be combined\n${USAGE}`);
  if (values.destroy && !values.yes) throw new Error(`--destroy deletes the stack's resources: add --yes to confirm\n${USAGE}`);
  const action: Action = values.preview ? "preview" : values.destroy ? "destroy" : "up";
  return { stack: values.stack, action, yes: values.yes, ...(values.backend !== undefined ? { backend: values.backend } : {}) };
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

async function run(args: UpArgs): Promise<void> {
  loadStackFile(args.stack); // offline validation: throws ConfigError before Pulumi is involved
  const root = resolve(import.meta.dirname, "..");
  const envVars = workspaceEnv(root, args, process.env);
  let pulumiCommand: PulumiCommand;
  try {
    pulumiCommand = await PulumiCommand.get();
  } catch {
    throw new Error("the Pulumi CLI was not found on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) and retry");
  }
  ensureLocalState(envVars);
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: args.stack, workDir: root }, { envVars, pulumiCommand });
  const onOutput = (line: string) => process.stdout.write(line);
  if (args.action === "preview") await stack.preview({ onOutput, diff: true });
  else if (args.action === "destroy") await stack.destroy({ onOutput });
  else await stack.up({ onOutput });
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
    console.error(`llmkit up failed: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
