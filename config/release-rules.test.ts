/**
 * `llmkit:release.gates` through the loader: gates no run could pass, or that could never be
 * checked, are refused with their path and fix (config/release-rules.ts); sensible ones load.
 * More cases run end to end (render, the program) from test/bad-configs-release.ts.
 */
import { describe, expect, it } from "vitest";
import { workloadsDev, type Raw } from "../test/bad-configs.ts";
import { parseStackConfig } from "./load.ts";

/**
 * workloads-dev trains and pins support-bot (given a suite `faq` here); a second pin, trained
 * elsewhere, makes default-adapter gates cover two adapters.
 */
function problems(gates: unknown[]): string[] {
  const raw: Raw = workloadsDev();
  raw.fineTunes[0].evaluation = { suites: [{ name: "faq", path: "datasets/eval/faq.jsonl", format: "alpaca" }] };
  raw.release.adapters["support-bot-dpo"] = { runId: "0123456789ab", baseModel: raw.release.adapters["support-bot"].baseModel, rank: 8 };
  raw.release.gates = gates;
  const result = parseStackConfig(raw);
  return result.ok ? [] : result.problems;
}

describe("release gates the loader refuses", () => {
  it.each<[string, unknown[], string[]]>([
    ["no bound", [{ metric: "heldout.loss" }], ["llmkit:release.gates[0]: gates heldout.loss with no bound: set min, max or maxRegression (vsPinned, vsBase)"]],
    ["an empty maxRegression", [{ metric: "heldout.loss", maxRegression: {} }], ["llmkit:release.gates[0].maxRegression: is empty: set vsPinned and/or vsBase, or remove it"]],
    ["a negative vsBase", [{ metric: "suite.faq.rougeL", maxRegression: { vsBase: -1 } }], [
      "llmkit:release.gates[0].maxRegression.vsBase: is a tolerance in metric units, measured in the metric's worse direction: use a number ≥ 0 (0: no regression at all)",
    ]],
    ["a typo in maxRegression", [{ metric: "heldout.loss", maxRegression: { vsPined: 0.1 } }], [
      'llmkit:release.gates[0].maxRegression: unknown key "vsPined": did you mean "vsPinned"?',
      "llmkit:release.gates[0].maxRegression: is empty: set vsPinned and/or vsBase, or remove it",
    ]],
    ["min above max", [{ metric: "heldout.loss", min: 2, max: 1 }], ["llmkit:release.gates[0].min: (2) exceeds max (1): no score could pass; lower min or raise max"]],
    ["a fraction's min above 1", [{ metric: "suite.faq.exactMatch", min: 1.5 }], [
      "llmkit:release.gates[0].min: (1.5) is above 1, the highest score suite.faq.exactMatch can have: no run could pass; use a value in 0..1",
    ]],
    ["a loss's max below 0", [{ metric: "heldout.loss", max: -0.1 }], [
      "llmkit:release.gates[0].max: (-0.1) is below 0, the lowest score heldout.loss can have: no run could pass; use a value ≥ 0",
    ]],
    ["vsBase on the reward margin", [{ metric: "heldout.rewardMargin", adapters: ["support-bot-dpo"], maxRegression: { vsPinned: 0.1, vsBase: 0.1 } }], [
      "llmkit:release.gates[0].maxRegression.vsBase: has no meaning for heldout.rewardMargin: DPO rewards are measured against the base model (the reference), so manifests record no base score; use min or vsPinned",
    ]],
    ["a misspelt metric", [{ metric: "heldout.los", max: 2 }], [
      "llmkit:release.gates[0].metric: is not a metric llmkit records: use heldout.loss, heldout.rewardAccuracy, heldout.rewardMargin, suite.<name>.exactMatch or suite.<name>.rougeL",
    ]],
    ["a suite metric with a bad suite name", [{ metric: "suite.FAQ.exactMatch", min: 0.5 }], [
      "llmkit:release.gates[0].metric: is not a metric llmkit records: use heldout.loss, heldout.rewardAccuracy, heldout.rewardMargin, suite.<name>.exactMatch or suite.<name>.rougeL",
    ]],
    ["an empty adapters list", [{ metric: "heldout.loss", adapters: [], max: 2 }], [
      "llmkit:release.gates[0].adapters: lists no adapter: name at least one, or remove adapters to gate every pinned adapter",
    ]],
    ["an unpinned and a repeated adapter", [{ metric: "heldout.loss", adapters: ["nope", "support-bot", "support-bot"], max: 2 }], [
      'llmkit:release.gates[0].adapters[0]: adapter "nope" is not pinned in llmkit:release.adapters (pinned: support-bot, support-bot-dpo): gate an adapter this stack serves, or pin it first',
      'llmkit:release.gates[0].adapters[2]: "support-bot" is listed twice: remove the duplicate',
    ]],
    ["two gates on one metric and adapter", [{ metric: "heldout.loss", adapters: ["support-bot"], max: 2 }, { metric: "heldout.loss", adapters: ["support-bot-dpo", "support-bot"], min: 0 }], [
      'llmkit:release.gates[1]: gates heldout.loss for adapter "support-bot", which release.gates[0] gates already: put every bound of one metric and adapter in one gate',
    ]],
    ["an every-adapter gate after a named one", [{ metric: "heldout.loss", adapters: ["support-bot-dpo"], max: 2 }, { metric: "heldout.loss", maxRegression: { vsPinned: 0 } }], [
      'llmkit:release.gates[1]: gates heldout.loss for adapter "support-bot-dpo", which release.gates[0] gates already: put every bound of one metric and adapter in one gate',
    ]],
    ["two every-adapter gates on one metric", [{ metric: "suite.faq.rougeL", min: 0.2 }, { metric: "suite.faq.rougeL", max: 0.95 }], [
      "llmkit:release.gates[1]: gates suite.faq.rougeL for every adapter, which release.gates[0] gates already: put every bound of one metric and adapter in one gate",
    ]],
  ])("%s", (_name, gates, expected) => expect(problems(gates)).toEqual(expected));

  it("a suite metric of a suite the stack's own fine-tune does not declare", () => {
    expect(problems([{ metric: "suite.capitals.exactMatch", min: 0.5 }, { metric: "suite.capitals.rougeL", adapters: ["support-bot-dpo"], min: 0.5 }])).toEqual([
      'llmkit:release.gates[0].metric: suite.capitals.exactMatch is never recorded for adapter "support-bot": fineTunes[0] declares no evaluation suite "capitals" (suites: faq); add it to fineTunes[0].evaluation.suites, or gate other adapters',
    ]);
    const raw: Raw = workloadsDev();
    raw.release.gates = [{ metric: "suite.faq.rougeL", maxRegression: { vsBase: 0 } }];
    const result = parseStackConfig(raw);
    expect(result.ok ? [] : result.problems).toEqual([
      'llmkit:release.gates[0].metric: suite.faq.rougeL is never recorded for adapter "support-bot": fineTunes[0] declares no evaluation suite "faq" (suites: none); add it to fineTunes[0].evaluation.suites, or gate other adapters',
    ]);
  });

  it("a heldout metric the stack's own fine-tune never records (valRatio 0; DPO rewards of an SFT run)", () => {
    const raw: Raw = workloadsDev();
    raw.fineTunes[0].training = { ...raw.fineTunes[0].training, valRatio: 0 };
    raw.release.gates = [{ metric: "heldout.loss", max: 2 }, { metric: "heldout.rewardMargin", adapters: ["support-bot"], min: 0 }];
    const result = parseStackConfig(raw);
    expect(result.ok ? [] : result.problems).toEqual([
      'llmkit:release.gates[0].metric: heldout.loss is never recorded for adapter "support-bot": fineTunes[0] sets training.valRatio 0, so its runs evaluate nothing; set valRatio > 0 there, or gate other adapters',
      'llmkit:release.gates[1].metric: heldout.rewardMargin is never recorded for adapter "support-bot": fineTunes[0] sets training.valRatio 0, so its runs evaluate nothing; set valRatio > 0 there, or gate other adapters',
    ]);
    delete raw.fineTunes[0].training.valRatio;
    const sft = parseStackConfig(raw);
    expect(sft.ok ? [] : sft.problems).toEqual([
      'llmkit:release.gates[1].metric: heldout.rewardMargin is never recorded for adapter "support-bot": fineTunes[0] is stage sft and only stage dpo runs record DPO rewards; gate heldout.loss instead',
    ]);
  });
});

describe("release gates the loader accepts", () => {
  it.each<[string, unknown[]]>([
    ["a vsPinned bound on the held-out loss", [{ metric: "heldout.loss", maxRegression: { vsPinned: 0.05 } }]],
    ["min = max", [{ metric: "heldout.loss", min: 1, max: 1 }]],
    // a max on a higher-is-better metric is allowed: a perfect suite score can mean the suite leaked into training
    ["a max on a higher-is-better metric", [{ metric: "suite.faq.exactMatch", max: 0.98 }]],
    ["a min on the loss", [{ metric: "heldout.loss", min: 0.2 }]],
    ["a negative reward margin bound on an adapter trained elsewhere", [{ metric: "heldout.rewardMargin", adapters: ["support-bot-dpo"], min: -0.5 }]],
    ["one metric gated per adapter", [{ metric: "heldout.loss", adapters: ["support-bot"], max: 2 }, { metric: "heldout.loss", adapters: ["support-bot-dpo"], max: 3 }]],
    ["different metrics for every adapter", [{ metric: "heldout.loss", max: 2 }, { metric: "suite.faq.exactMatch", min: 0.3, maxRegression: { vsPinned: 0, vsBase: 0 } }]],
  ])("%s", (_name, gates) => expect(problems(gates)).toEqual([]));

  it("defaults to no gates", () => {
    const result = parseStackConfig(workloadsDev());
    expect(result.ok && result.config.release.gates).toEqual([]);
  });
});
