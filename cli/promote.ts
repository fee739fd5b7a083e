/**
 * `npm run promote -- --from <stack> --to <stack> [--only <adapter>...] [--check-store]
 *   [--store-endpoint <url>] [--allow-downgrade] [--allow-regression <metric>... --reason <text>]
 *   [--dry-run] [--stacks-dir <dir>]`
 *
 * Copies adapter pins from `llmkit:release` of one stack file into another's (gitops/promote.ts),
 * prints the diff (and with --check-store the evaluation gate table: stdout is the promotion pull
 * request's body) and writes the target file unless --dry-run. Exit codes: 0 promoted or no
 * changes; 2 bad usage, unknown stack, config errors or a refused promotion (invalid target,
 * downgrade, failed evaluation gate); 1 the store check failed (adapter missing, incomplete, wrong
 * base, store unreachable).
 */
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, stackFilePath, STACKS_DIR } from "../config/load.ts";
import { diffLines, planPromotion, PromotionRefused } from "../gitops/promote.ts";
import { METRIC_NAME } from "../components/lib/adapter-manifest.ts";
import { gateTable } from "../gitops/gates.ts";
import { checkStore, STORE_ENDPOINT_ENV, type GateCheck } from "../gitops/promote-store.ts";
import { listStacks } from "../render/stack-config.ts";
import { parseCliArgs, required, UsageError } from "./args.ts";

export const USAGE =
  "usage: npm run promote -- --from <stack> --to <stack> [--only <adapter>...] [--check-store] [--store-endpoint <url>] [--allow-downgrade] [--allow-regression <metric>... --reason <text>] [--dry-run] [--stacks-dir <dir>]";

const OPTIONS = {
  from: { type: "string" },
  to: { type: "string" },
  only: { type: "string", multiple: true },
  "check-store": { type: "boolean" },
  "store-endpoint": { type: "string" },
  "allow-downgrade": { type: "boolean" },
  "allow-regression": { type: "string", multiple: true },
  reason: { type: "string" },
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
    overrideProblem(values["allow-regression"] ?? [], values.reason, values["check-store"] === true);
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
  const gates = plan.target.config.release.gates;
  const allowed = new Set(values["allow-regression"] ?? []);
  const ungated = [...allowed].filter((m) => !gates.some((g) => g.metric === m));
  if (ungated.length > 0) {
    const gated = [...new Set(gates.map((g) => g.metric))].join(", ") || "none";
    console.error(`refused: ${ungated.map((m) => `--allow-regression ${m}`).join(", ")}: no gate of ${to}'s llmkit:release.gates names it (gated: ${gated}); nothing written`);
    return 2;
  }

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
    if (gates.length > 0 && !reportGates(to, check.gates, check.warnings, allowed, values.reason)) return 2;
  } else {
    console.log("note: store not checked (run ids are content hashes with no order: pass --check-store to verify the runs and refuse downgrades)");
    if (gates.length > 0) console.log(`note: evaluation gates not evaluated (${to} has ${gates.length} in llmkit:release.gates): pass --check-store to apply them`);
  }

  if (values["dry-run"] === true) {
    console.log(`dry run: ${plan.targetFile} not written`);
    return 0;
  }
  writeFileSync(plan.targetFile, plan.text);
  console.log(`wrote ${plan.targetFile}`);
  return 0;
}

/** `--allow-regression` names metrics, needs a reason (it goes into the pull request) and the store check. */
function overrideProblem(metrics: readonly string[], reason: string | undefined, checkStore: boolean): void {
  const bad = metrics.filter((m) => !METRIC_NAME.test(m));
  if (bad.length > 0) throw new UsageError(`--allow-regression ${bad.join(", ")}: not a metric name (heldout.loss, heldout.rewardAccuracy, heldout.rewardMargin, suite.<name>.exactMatch, suite.<name>.rougeL)`, USAGE);
  if (metrics.length === 0) {
    if (reason !== undefined) throw new UsageError("--reason applies only with --allow-regression", USAGE);
    return;
  }
  if (reason === undefined || reason.trim() === "") throw new UsageError('--allow-regression needs --reason "<why>": the reason goes into the promotion pull request', USAGE);
  if (!checkStore) throw new UsageError("--allow-regression needs --check-store: gates are evaluated only against the store's manifests", USAGE);
}

/**
 * Prints the gate table per adapter (stdout: the pull request body) and the verdict. False when a
 * gate fails that no --allow-regression admits: the promotion is refused.
 */
function reportGates(to: string, checks: readonly GateCheck[], warnings: readonly string[], allowed: ReadonlySet<string>, reason: string | undefined): boolean {
  console.log(`evaluation gates of ${to} (llmkit:release.gates):${checks.length === 0 ? " none applies to the promoted adapters" : ""}`);
  for (const { change, rows } of checks) {
    console.log(`${change.adapter}: ${change.from?.runId ?? "first promotion"} → ${change.to.runId}`);
    for (const line of gateTable(rows, allowed)) console.log(`  ${line}`);
  }
  for (const w of warnings) console.log(`warning: ${w}`);
  const failures = checks.flatMap((c) => c.failures);
  const refused = failures.filter((f) => !allowed.has(f.metric));
  if (refused.length > 0) {
    console.error(`refused: ${refused.length} evaluation gate(s) failed; to promote anyway pass --allow-regression <metric> --reason "<why>"; nothing written:`);
    for (const f of refused) console.error(`  - ${f.message}`);
    return false;
  }
  for (const f of failures) console.log(`warning: allowed regression: ${f.message}`);
  const unused = [...allowed].filter((m) => !failures.some((f) => f.metric === m));
  for (const m of unused) console.log(`note: --allow-regression ${m}: no gate on it failed, nothing to allow`);
  const count = checks.reduce((n, c) => n + c.rows.length, 0);
  if (failures.length === 0) {
    console.log(`evaluation gates ok: ${count} check(s) on ${checks.length} adapter(s)`);
  } else {
    console.log(`override reason (--allow-regression ${[...new Set(failures.map((f) => f.metric))].join(", ")}): ${reason}`);
    console.log(`evaluation gates overridden: ${failures.length} of ${count} check(s) on ${checks.length} adapter(s) failed and were allowed`);
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
