/**
 * The Pulumi workspace `npm run up` drives: an inline program (index.ts's `main`, run in this
 * process by the Automation API's language server), so the Pulumi CLI is the only binary needed
 * besides the providers, and a workspace folder outside git (`.pulumi/workspace`) holding the
 * project file and a copy of the stack file.
 *
 * Why a copy: with a passphrase secrets provider `pulumi stack init` writes `encryptionsalt` into
 * the stack's settings file. The stack files under stacks/ are reviewed and promoted by pull request
 * (docs/architecture.md §6), and a salt for a machine-local passphrase has no place there. The copy
 * is rewritten from stacks/ on every run; only the secrets-provider keys Pulumi wrote into it
 * survive, and only when the stack file does not set them itself.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalWorkspace, type PulumiCommand, type Stack } from "@pulumi/pulumi/automation/index.js";
import { parse, parseDocument, stringify } from "yaml";
import { stackFilePath } from "../config/load.ts";

/** Stack-settings keys the CLI writes for its secrets provider (Pulumi's stack settings reference). */
const SECRETS_PROVIDER_KEYS = ["secretsprovider", "encryptedkey", "encryptionsalt"] as const;

export interface WorkspaceOptions {
  /** The repository (or installed package) root: Pulumi.yaml, index.ts, policies/. */
  readonly root: string;
  /** Where the stack files are read from. */
  readonly stacksDir: string;
  /** Where the workspace's project file and stack-file copies live. */
  readonly workDir: string;
  readonly envVars: Record<string, string>;
  readonly pulumiCommand: PulumiCommand;
}

/**
 * The stack file as Pulumi should see it: the text under stacks/ plus the secrets-provider keys the
 * CLI wrote into the previous copy. Returns the new copy's text.
 */
export function workspaceStackFile(sourceText: string, previousCopy: string | undefined): string {
  const doc = parseDocument(sourceText);
  const previous = previousCopy === undefined ? {} : ((parse(previousCopy) ?? {}) as Record<string, unknown>);
  for (const key of SECRETS_PROVIDER_KEYS) {
    if (!doc.has(key) && typeof previous[key] === "string") doc.set(key, previous[key]);
  }
  return doc.toString();
}

/** Pulumi.yaml for the workspace: the project's own, minus what only a local program uses. */
export function workspaceProjectFile(projectText: string): string {
  const project = parse(projectText) as Record<string, unknown>;
  delete project.main; // the program is inline
  delete project.stackConfigDir; // the stack-file copies sit beside it
  return stringify(project);
}

/** Writes the workspace folder and returns the selected (or created) stack with the inline program. */
export async function openStack(stackName: string, opts: WorkspaceOptions): Promise<Stack> {
  mkdirSync(opts.workDir, { recursive: true });
  writeFileSync(join(opts.workDir, "Pulumi.yaml"), workspaceProjectFile(readFileSync(join(opts.root, "Pulumi.yaml"), "utf8")));
  const copy = join(opts.workDir, `Pulumi.${stackName}.yaml`);
  const previous = existsSync(copy) ? readFileSync(copy, "utf8") : undefined;
  writeFileSync(copy, workspaceStackFile(readFileSync(stackFilePath(stackName, opts.stacksDir), "utf8"), previous));
  // imported here, not at the top: the program's module graph is the whole kit
  const { default: program } = await import("../index.ts");
  const projectName = (parse(readFileSync(join(opts.root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  return LocalWorkspace.createOrSelectStack(
    // a throw inside the program becomes a rejection, as the Automation API expects
    { stackName, projectName, program: () => new Promise<Record<string, unknown>>((resolve) => resolve(program(opts.stacksDir))) },
    { workDir: opts.workDir, envVars: opts.envVars, pulumiCommand: opts.pulumiCommand },
  );
}
