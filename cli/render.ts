/**
 * `npm run render -- --stack <name> [--out <dir>] [--stacks-dir <dir>]`
 *
 * Runs the program offline under Pulumi mocks (no engine, credentials or network), writes every
 * Kubernetes object to `<out>/manifests/<namespace>.<kind>.<name>.yaml` and every resource to
 * `<out>/resources.json` (secrets redacted), validates the objects against their upstream
 * schemas and prints a summary. `<out>` defaults to `out/<stack>` of the working directory.
 * Exit codes: 0 ok, 1 invalid objects or a failed program,
 * 2 bad usage, unknown stack or config errors. Schema validation needs the dev dependencies
 * (ajv, kubernetes-models, re2js, typescript); an install without them (`npm ci --omit=dev`)
 * renders and says validation was skipped.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { platformContract } from "../components/platform/contract.ts";
import { ConfigError, loadStackFile, stackFilePath, STACKS_DIR } from "../config/load.ts";
import { preflightWarnings } from "../config/preflight.ts";
import { runWithConfig } from "../render/harness.ts";
import { describeObject } from "../render/manifests.ts";
import type * as ValidateModule from "../render/validate.ts";
import { summaryLines, writeManifests, writeResources } from "../render/render-output.ts";
import { listStacks, readEngineConfig } from "../render/stack-config.ts";
import { parseCliArgs, required, UsageError } from "./args.ts";

export const USAGE = "usage: npm run render -- --stack <name> [--out <dir>] [--stacks-dir <dir>]";

type Validator = typeof ValidateModule;

/** The manifest validator, or undefined where its dev dependencies are not installed. */
async function loadValidator(): Promise<Validator | undefined> {
  try {
    await import("kubernetes-models/v1/ConfigMap");
    return await import("../render/validate.ts");
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw err;
  }
}

function configErrorLines(err: ConfigError): string[] {
  return [`stack "${err.stackName}" has ${err.problems.length} config error(s):`, ...err.problems.map((p) => `  - ${p}`)];
}

async function render(stack: string, outDir: string, stacksDir: string): Promise<number> {
  // The same offline check `npm run up` makes first; it also refuses secure llmkit values,
  // which the mocked engine could only pass on as placeholders.
  const loaded = loadStackFile(stack, stacksDir);
  for (const w of preflightWarnings(loaded, platformContract(loaded.platform))) console.log(`warning: ${w}`);
  const run = await runWithConfig(stack, readEngineConfig(stack, stacksDir), { stacksDir });
  if (run.error !== undefined) throw run.error;

  writeResources(run.resources, outDir);
  const files = writeManifests(run.objects, outDir);
  const validator = await loadValidator();
  const verdicts = validator === undefined ? [] : await validator.validateObjects(run.objects.map((o) => o.object));
  for (const line of summaryLines(run.resources, verdicts)) console.log(line);
  if (validator === undefined) {
    console.log("schema validation skipped: the validator's dev dependencies (ajv, kubernetes-models, re2js, typescript) are not installed");
  }
  console.log(`wrote ${files.length} manifests to ${resolve(outDir, "manifests")} and ${resolve(outDir, "resources.json")}`);

  const invalid = verdicts.filter((v) => v.status === "invalid");
  if (invalid.length === 0) return 0;
  console.error(`${invalid.length} invalid Kubernetes object(s):`);
  for (const v of invalid) {
    console.error(`  ${describeObject(v.object)}`);
    for (const line of validator!.formatVerdict(v)) console.error(`    - ${line}`);
  }
  return 1;
}

export async function cli(argv: readonly string[]): Promise<number> {
  let stack: string;
  let outDir: string;
  let stacksDir: string;
  try {
    const values = parseCliArgs(argv, { stack: { type: "string", short: "s" }, out: { type: "string" }, "stacks-dir": { type: "string" } }, USAGE);
    stack = required(values.stack, "--stack", USAGE);
    stacksDir = resolve(values["stacks-dir"] ?? STACKS_DIR);
    outDir = resolve(values.out ?? resolve("out", stack));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message);
    return 2;
  }
  if (!existsSync(stackFilePath(stack, stacksDir))) {
    console.error(`unknown stack "${stack}": ${stackFilePath(stack, stacksDir)} does not exist (stacks: ${listStacks(stacksDir).join(", ") || "none"})`);
    return 2;
  }
  try {
    return await render(stack, outDir, stacksDir);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of configErrorLines(err)) console.error(line);
      return 2;
    }
    console.error(`llmkit render failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
