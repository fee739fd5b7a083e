/**
 * `npm run plan -- --stack <name> [--json] [--stacks-dir <dir>]`
 *
 * Prints, for every fine-tune and service of a stack, the GPUs, memory estimate vs capacity, price
 * and cost (planner/plan.ts; formulas and sources in planner/README.md). `--json` prints the
 * `PlanReport` shape. Exit codes: 0 ok, 2 bad usage, unknown stack or config errors (fit errors
 * included, exactly as preflight refuses them), 1 anything else.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { platformContract } from "../components/platform/contract.ts";
import { formatPlan } from "../planner/format.ts";
import { buildPlan } from "../planner/plan.ts";
import { ConfigError, loadStackFile, stackFilePath, STACKS_DIR } from "../config/load.ts";
import { preflightProblems } from "../config/preflight.ts";
import { listStacks } from "../render/stack-config.ts";
import { parseCliArgs, required, UsageError } from "./args.ts";

export const USAGE = "usage: npm run plan -- --stack <name> [--json] [--stacks-dir <dir>]";

export function cli(argv: readonly string[], print: (line: string) => void = console.log, printErr: (line: string) => void = console.error): number {
  let stack: string;
  let json: boolean;
  let stacksDir: string;
  try {
    const values = parseCliArgs(argv, { stack: { type: "string", short: "s" }, json: { type: "boolean" }, "stacks-dir": { type: "string" } }, USAGE);
    stack = required(values.stack, "--stack", USAGE);
    json = values.json === true;
    stacksDir = resolve(values["stacks-dir"] ?? STACKS_DIR);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printErr(err.message);
    return 2;
  }
  if (!existsSync(stackFilePath(stack, stacksDir))) {
    printErr(`unknown stack "${stack}": ${stackFilePath(stack, stacksDir)} does not exist (stacks: ${listStacks(stacksDir).join(", ") || "none"})`);
    return 2;
  }
  try {
    const loaded = loadStackFile(stack, stacksDir);
    const problems = preflightProblems(loaded, platformContract(loaded.platform));
    if (problems.length > 0) throw new ConfigError(stack, problems);
    const report = buildPlan(loaded);
    if (json) print(JSON.stringify(report, null, 2));
    else for (const line of formatPlan(report)) print(line);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      printErr(`stack "${err.stackName}" has ${err.problems.length} config error(s):`);
      for (const p of err.problems) printErr(`  - ${p}`);
      return 2;
    }
    printErr(`llmkit plan failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = cli(process.argv.slice(2));
}
