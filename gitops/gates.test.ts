/**
 * The evaluation gate as a pure function (gitops/gates.ts): each bound in both metric directions,
 * the float tolerance, skipped vsPinned checks, and the table. The CLI around it, against a real
 * S3-compatible store, is in promote.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { GateConfig } from "../config/schema.ts";
import { evaluateGates, gateTable, type ManifestEvaluation } from "./gates.ts";

const run = (runId: string, evaluation?: ManifestEvaluation["evaluation"]): ManifestEvaluation => ({ runId, createdAt: "2026-03-01T00:00:00Z", ...(evaluation ? { evaluation } : {}) });
const lower = (adapter: number, base: number | null = 2) => ({ adapter, base, better: "lower" as const, samples: 10 });
const higher = (adapter: number, base: number | null = 0.4) => ({ adapter, base, better: "higher" as const, samples: 10 });

describe("evaluateGates", () => {
  it("measures regressions in the worse direction the manifest states", () => {
    const gates: GateConfig[] = [
      { metric: "heldout.loss", maxRegression: { vsPinned: 0.1 } },
      { metric: "suite.qa.exactMatch", maxRegression: { vsPinned: 0.1 } },
    ];
    const pinned = run("aaaaaaaaaaaa", { "heldout.loss": lower(1), "suite.qa.exactMatch": higher(0.5) });
    // loss up by 0.2 and accuracy down by 0.2 both fail; the opposite moves both pass
    const worse = evaluateGates(gates, "bot", pinned, run("bbbbbbbbbbbb", { "heldout.loss": lower(1.2), "suite.qa.exactMatch": higher(0.3) }));
    expect(worse.failures.map((f) => f.message)).toEqual([
      "bot@bbbbbbbbbbbb: heldout.loss = 1.2000: 0.2000 worse than pinned (allowed 0.1)",
      "bot@bbbbbbbbbbbb: suite.qa.exactMatch = 0.3000: 0.2000 worse than pinned (allowed 0.1)",
    ]);
    const better = evaluateGates(gates, "bot", pinned, run("bbbbbbbbbbbb", { "heldout.loss": lower(0.8), "suite.qa.exactMatch": higher(0.7) }));
    expect(better.failures).toEqual([]);
    expect(better.rows.map((r) => [r.metric, r.pinned, r.incoming, r.broken])).toEqual([
      ["heldout.loss", 1, 0.8, []],
      ["suite.qa.exactMatch", 0.5, 0.7, []],
    ]);
  });

  it("does not fail a bound met exactly, despite float rounding (1.25 − 1.2 = 0.05000000000000004)", () => {
    const gates: GateConfig[] = [{ metric: "heldout.loss", min: 1.25, max: 1.25, maxRegression: { vsPinned: 0.05, vsBase: 0 } }];
    const result = evaluateGates(gates, "bot", run("aaaaaaaaaaaa", { "heldout.loss": lower(1.2) }), run("bbbbbbbbbbbb", { "heldout.loss": lower(1.25, 1.25) }));
    expect(result.failures).toEqual([]);
  });

  it("applies a gate naming adapters only to them", () => {
    const gates: GateConfig[] = [{ metric: "heldout.loss", adapters: ["other"], max: 0.1 }];
    expect(evaluateGates(gates, "bot", undefined, run("bbbbbbbbbbbb", { "heldout.loss": lower(5) }))).toEqual({ rows: [], failures: [] });
  });

  it("skips vsPinned when nothing is pinned or the pinned run lacks the metric, never the absolute bounds", () => {
    const gates: GateConfig[] = [{ metric: "heldout.loss", max: 1, maxRegression: { vsPinned: 0 } }];
    const incoming = run("bbbbbbbbbbbb", { "heldout.loss": lower(1.5) });
    const first = evaluateGates(gates, "bot", undefined, incoming);
    expect(first.rows[0]).toMatchObject({ broken: ["above max 1"], skipped: ["vsPinned not checked: no pinned run"] });
    const old = evaluateGates(gates, "bot", run("aaaaaaaaaaaa"), incoming);
    expect(old.rows[0]!.skipped).toEqual(["vsPinned not checked: pinned run aaaaaaaaaaaa records no heldout.loss"]);
    expect(old.failures).toHaveLength(1);
  });

  it("fails vsBase where the manifest records no base score", () => {
    const gates: GateConfig[] = [{ metric: "suite.qa.rougeL", maxRegression: { vsBase: 0 } }];
    const result = evaluateGates(gates, "bot", undefined, run("bbbbbbbbbbbb", { "suite.qa.rougeL": higher(0.9, null) }));
    expect(result.failures.map((f) => f.message)).toEqual(["bot@bbbbbbbbbbbb: suite.qa.rougeL = 0.9000: records no base score to check vsBase against"]);
  });

  it("explains a missing metric by what the manifest does record", () => {
    const gates: GateConfig[] = [{ metric: "heldout.rewardAccuracy", min: 0.6 }, { metric: "suite.qa.exactMatch", min: 0.1 }];
    const result = evaluateGates(gates, "bot", undefined, run("bbbbbbbbbbbb", { "heldout.loss": lower(1) }));
    expect(result.failures.map((f) => f.message)).toEqual([
      "bot@bbbbbbbbbbbb: heldout.rewardAccuracy not in the manifest (it records heldout.loss): DPO reward metrics are recorded only by stage dpo runs with a held-out split (valRatio > 0)",
      'bot@bbbbbbbbbbbb: suite.qa.exactMatch not in the manifest (it records heldout.loss): the run evaluated no suite "qa": declare it in the fine-tune\'s evaluation suites and retrain',
    ]);
  });
});

describe("gateTable", () => {
  it("aligns the columns (— counts as one character) and marks allowed failures", () => {
    const gates: GateConfig[] = [{ metric: "heldout.rewardMargin", min: 0.5 }, { metric: "suite.qa.exactMatch", maxRegression: { vsPinned: 0 } }];
    const { rows } = evaluateGates(gates, "bot", run("aaaaaaaaaaaa", { "suite.qa.exactMatch": higher(0.5) }), run("bbbbbbbbbbbb", {
      "heldout.rewardMargin": higher(0.25, null),
      "suite.qa.exactMatch": higher(0.5),
    }));
    expect(gateTable(rows, new Set(["heldout.rewardMargin"]))).toEqual([
      "metric                pinned  new     base    gate        verdict",
      "heldout.rewardMargin  —       0.2500  —       min 0.5     ALLOWED: below min 0.5",
      "suite.qa.exactMatch   0.5000  0.5000  0.4000  vsPinned 0  pass: 0.5000 → 0.5000 (+0.0000)",
    ]);
  });
});
