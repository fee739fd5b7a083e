/**
 * The evaluation gate of promotion (stacks/README.md, "Evaluation gates"): the target stack's
 * `llmkit:release.gates` applied to the `evaluation` of the incoming run's manifest, against the run
 * it replaces and the base model. Pure: the caller reads the manifests (gitops/promote-store.ts).
 *
 * Every bound is measured in the metric's worse direction as the incoming manifest states it
 * (`better: lower | higher`), so one gate reads the same for a loss and for an accuracy.
 */
import type { z } from "zod";
import type { ManifestEvaluationSchema } from "../components/lib/adapter-manifest.ts";
import type { GateConfig } from "../config/schema.ts";

export type ManifestEvaluation = z.infer<typeof ManifestEvaluationSchema>;

/** Scores are written by Python as decimals: 1.25 − 1.2 is 0.05000000000000004, not a regression past 0.05. */
const EPSILON = 1e-9;

export interface GateRow {
  readonly adapter: string;
  readonly metric: string;
  /** The pinned (replaced) run's score; absent on a first promotion or when that run records no such metric. */
  readonly pinned?: number;
  /** The incoming run's score; absent when its manifest lacks the metric (the gate fails). */
  readonly incoming?: number;
  /** The base model's score; null where the manifest says it has no meaning. */
  readonly base?: number | null;
  /** The gate's bounds as configured, e.g. `min 0.5, vsPinned 0.02`. */
  readonly gate: string;
  /** What fails, e.g. `0.0300 worse than pinned (allowed 0.02)`; empty when the gate passes. */
  readonly broken: readonly string[];
  /** Checks that could not be made, e.g. `vsPinned not checked: no pinned run`. */
  readonly skipped: readonly string[];
}

export interface GateFailure {
  readonly adapter: string;
  readonly metric: string;
  /** One line for the refusal: which run, what failed, and why. */
  readonly message: string;
}

export interface GateResult {
  readonly rows: readonly GateRow[];
  readonly failures: readonly GateFailure[];
}

/** The gates of `gates` that apply to `adapter`: those naming it, and those naming no adapter. */
export function gatesFor(gates: readonly GateConfig[], adapter: string): GateConfig[] {
  return gates.filter((g) => g.adapters === undefined || g.adapters.includes(adapter));
}

export function describeGate(g: GateConfig): string {
  const { vsPinned, vsBase } = g.maxRegression ?? {};
  return [
    g.min !== undefined ? `min ${g.min}` : undefined,
    g.max !== undefined ? `max ${g.max}` : undefined,
    vsPinned !== undefined ? `vsPinned ${vsPinned}` : undefined,
    vsBase !== undefined ? `vsBase ${vsBase}` : undefined,
  ]
    .filter((p) => p !== undefined)
    .join(", ");
}

export const formatScore = (v: number): string => v.toFixed(4);
const signed = (v: number): string => (v >= 0 ? "+" : "-") + formatScore(Math.abs(v));

/** Why a gated metric is absent from a manifest, with the fix. */
function missingWhy(metric: string, incoming: ManifestEvaluation): string {
  if (incoming.evaluation === undefined) {
    return "not in the manifest, which has no evaluation (published before llmkit recorded evaluation in manifests): retrain the run to measure it";
  }
  const recorded = Object.keys(incoming.evaluation).sort().join(", ") || "no metric";
  let why: string;
  if (metric === "heldout.loss") why = "the run evaluated nothing on a held-out split (its fine-tune's valRatio is 0): set valRatio > 0 and retrain";
  else if (metric.startsWith("heldout.")) why = "DPO reward metrics are recorded only by stage dpo runs with a held-out split (valRatio > 0)";
  else why = `the run evaluated no suite "${metric.split(".")[1]}": declare it in the fine-tune's evaluation suites and retrain`;
  return `not in the manifest (it records ${recorded}): ${why}`;
}

/**
 * Applies the gates that concern `adapter` to the incoming run's evaluation. `pinned` is the run
 * the target pins now with its evaluation, if readable (undefined on a first promotion): vsPinned is checked
 * only where that run records the metric, and skipped (with a note in the row) otherwise, so that
 * gates can be added to a stack whose pinned runs predate evaluation.
 */
export function evaluateGates(
  gates: readonly GateConfig[],
  adapter: string,
  pinned: Pick<ManifestEvaluation, "runId" | "evaluation"> | undefined,
  incoming: ManifestEvaluation,
): GateResult {
  const rows: GateRow[] = [];
  const failures: GateFailure[] = [];
  for (const g of gatesFor(gates, adapter)) {
    const gate = describeGate(g);
    const fail = (message: string) => failures.push({ adapter, metric: g.metric, message: `${adapter}@${incoming.runId}: ${g.metric} ${message}` });
    const now = incoming.evaluation?.[g.metric];
    const old = pinned?.evaluation?.[g.metric];
    if (now === undefined) {
      rows.push({ adapter, metric: g.metric, ...(old !== undefined ? { pinned: old.adapter } : {}), gate, broken: ["missing from the new run's manifest"], skipped: [] });
      fail(missingWhy(g.metric, incoming));
      continue;
    }
    /** How much worse `score` is than `than`, in the direction the manifest says is worse. */
    const worse = (than: number) => (now.better === "lower" ? now.adapter - than : than - now.adapter);
    const broken: string[] = [];
    const skipped: string[] = [];
    if (g.min !== undefined && now.adapter < g.min - EPSILON) broken.push(`below min ${g.min}`);
    if (g.max !== undefined && now.adapter > g.max + EPSILON) broken.push(`above max ${g.max}`);
    const { vsPinned, vsBase } = g.maxRegression ?? {};
    if (vsPinned !== undefined) {
      if (old === undefined) {
        skipped.push(pinned === undefined ? "vsPinned not checked: no pinned run" : `vsPinned not checked: pinned run ${pinned.runId} records no ${g.metric}`);
      } else if (worse(old.adapter) > vsPinned + EPSILON) {
        broken.push(`${formatScore(worse(old.adapter))} worse than pinned (allowed ${vsPinned})`);
      }
    }
    if (vsBase !== undefined) {
      if (now.base === null) broken.push("records no base score to check vsBase against");
      else if (worse(now.base) > vsBase + EPSILON) broken.push(`${formatScore(worse(now.base))} worse than base (allowed ${vsBase})`);
    }
    rows.push({ adapter, metric: g.metric, ...(old !== undefined ? { pinned: old.adapter } : {}), incoming: now.adapter, base: now.base, gate, broken, skipped });
    if (broken.length > 0) fail(`= ${formatScore(now.adapter)}: ${broken.join("; ")}`);
  }
  return { rows, failures };
}

/**
 * The rows of one adapter as an aligned text table (it goes into the promotion pull request):
 * metric | pinned | new | base | gate | verdict. `allowed` metrics fail as ALLOWED instead of FAIL.
 */
export function gateTable(rows: readonly GateRow[], allowed: ReadonlySet<string> = new Set()): string[] {
  const cell = (v: number | null | undefined) => (v === undefined || v === null ? "—" : formatScore(v));
  const body = rows.map((r) => {
    const failed = r.broken.length > 0;
    const word = failed ? (allowed.has(r.metric) ? "ALLOWED" : "FAIL") : "pass";
    const details = [...(r.pinned !== undefined && r.incoming !== undefined ? [`${cell(r.pinned)} → ${cell(r.incoming)} (${signed(r.incoming - r.pinned)})`] : []), ...r.broken, ...r.skipped];
    const verdict = details.length > 0 ? `${word}: ${details.join("; ")}` : word;
    return [r.metric, cell(r.pinned), r.incoming === undefined ? "missing" : cell(r.incoming), cell(r.base), r.gate, verdict];
  });
  const table = [["metric", "pinned", "new", "base", "gate", "verdict"], ...body];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => [...row[c]!].length)));
  return table.map((row) => row.map((v, c) => (c === row.length - 1 ? v : v + " ".repeat(widths[c]! - [...v].length))).join("  ").trimEnd());
}
