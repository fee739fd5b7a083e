/**
 * `npm run promote -- --from <stack> --to <stack> [--only <adapter>...] [--check-store]
 *   [--store-endpoint <url>] [--allow-downgrade] [--dry-run] [--stacks-dir <dir>]`
 *
 * Copies adapter pins from `llmkit:release` of one stack file into another's (gitops/promote.ts),
 * prints the diff and writes the target file unless --dry-run. Exit codes: 0 promoted or no
 * changes; 2 bad usage, unknown stack, config errors or a refused promotion (invalid target,
 * downgrade); 1 the store check failed (adapter missing, incomplete, wrong base, store unreachable).
 */
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, stackFilePath, STACKS_DIR } from "../config/load.ts";
import { diffLines, planPromotion, PromotionRefused } from "../gitops/promote.ts";
import { checkStore, STORE_ENDPOINT_ENV } from "../gitops/promote-store.ts";
import { listStacks } from "../render/stack-config.ts";
import { parseCliArgs, required, UsageError } from "./args.ts";

export const USAGE =
  "usage: npm run promote -- --from <stack> --to <stack> [--only <adapter>...] [--check-store] [--store-endpoint <url>] [--allow-downgrade] [--dry-run] [--stacks-dir <dir>]";

const OPTIONS = {
  from: { type: "string" },
  to: { type: "string" },
  only: { type: "string", multiple: true },
  "check-store": { type: "boolean" },
  "store-endpoint": { type: "string" },
  "allow-downgrade": { type: "boolean" },
  "dry-run": { type: "boolean" },
  "stacks-dir": { type: "string" },
} as const;

export async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: ReturnType<typeof parseCliArgs<typeof OPTIONS>>;
  let from: string;
  let to: string;
  try {
    values = parseCliArgs(argv, OPTIONS, USAGE);
    from = required(values.from, "--from", USAGE);
    to = required(values.to, "--to", USAGE);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message);
    return 2;
  }
  const stacksDir = resolve(values["stacks-dir"] ?? STACKS_DIR);
  for (const stack of [from, to]) {
    if (!existsSync(stackFilePath(stack, stacksDir))) {
      console.error(`unknown stack "${stack}": ${stackFilePath(stack, stacksDir)} does not exist (stacks: ${listStacks(stacksDir).join(", ") || "none"})`);
      return 2;
    }
  }

  let plan: ReturnType<typeof planPromotion>;
  try {
    plan = planPromotion({ from, to, stacksDir, ...(values.only !== undefined ? { only: values.only } : {}) });
  } catch (err) {
    if (err instanceof PromotionRefused || err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }

  for (const line of diffLines(plan)) console.log(line);
  if (plan.changes.length === 0) return 0;

  if (values["check-store"] === true) {
    let check: Awaited<ReturnType<typeof checkStore>>;
    try {
      check = await checkStore(plan.target, plan.changes, values["store-endpoint"] ?? env[STORE_ENDPOINT_ENV]);
    } catch (err) {
      console.error(`store check failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}; nothing written`);
      return 1;
    }
    if (check.problems.length > 0) {
      console.error(`store check failed in s3://${check.store.bucket} (${check.problems.length} problem(s)); nothing written:`);
      for (const p of check.problems) console.error(`  - ${p}`);
      return 1;
    }
    if (check.downgrades.length > 0 && values["allow-downgrade"] !== true) {
      console.error(`refused: downgrade (pass --allow-downgrade to roll back on purpose); nothing written:`);
      for (const d of check.downgrades) console.error(`  - ${d}`);
      return 2;
    }
    for (const d of check.downgrades) console.log(`warning: allowed downgrade: ${d}`);
    console.log(`store check ok: ${plan.changes.length} adapter(s) complete in s3://${check.store.bucket} with matching base models`);
  } else {
    console.log("note: store not checked (run ids are content hashes with no order: pass --check-store to verify the runs and refuse downgrades)");
  }

  if (values["dry-run"] === true) {
    console.log(`dry run: ${plan.targetFile} not written`);
    return 0;
  }
  writeFileSync(plan.targetFile, plan.text);
  console.log(`wrote ${plan.targetFile}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
