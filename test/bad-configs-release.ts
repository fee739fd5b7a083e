/** Bad evaluation gates (see bad-configs.ts): each a shipped stack with one thing changed. */
import { change, platformDev, workloadsDev, type BadCase } from "./stack-edits.ts";

export const RELEASE_CASES: BadCase[] = [
  ["gate whose min exceeds its max", change(workloadsDev(), (r) => (r.release.gates = [{ metric: "heldout.loss", min: 0.8, max: 0.6 }])), [
    "llmkit:release.gates[0].min: (0.8) exceeds max (0.6): no score could pass; lower min or raise max",
  ]],
  ["gate on a suite the trained adapter does not declare", change(workloadsDev(), (r) => (r.release.gates = [{ metric: "suite.faq.exactMatch", min: 0.5 }])), [
    'llmkit:release.gates[0].metric: suite.faq.exactMatch is never recorded for adapter "support-bot": fineTunes[0] declares no evaluation suite "faq" (suites: none); add it to fineTunes[0].evaluation.suites, or gate other adapters',
  ]],
  ["gate with a negative regression", change(workloadsDev(), (r) => (r.release.gates = [{ metric: "heldout.loss", maxRegression: { vsPinned: -0.05 } }])), [
    "llmkit:release.gates[0].maxRegression.vsPinned: is a tolerance in metric units, measured in the metric's worse direction: use a number ≥ 0 (0: no regression at all)",
  ]],
  ["gate on an unknown metric", change(workloadsDev(), (r) => (r.release.gates = [{ metric: "eval_loss", max: 1.5 }])), [
    "llmkit:release.gates[0].metric: is not a metric llmkit records: use heldout.loss, heldout.rewardAccuracy, heldout.rewardMargin, suite.<name>.exactMatch or suite.<name>.rougeL",
  ]],
  ["gate on an adapter this stack does not pin", change(workloadsDev(), (r) => (r.release.gates = [{ metric: "heldout.loss", adapters: ["support-bot-dpo"], max: 1.5 }])), [
    'llmkit:release.gates[0].adapters[0]: adapter "support-bot-dpo" is not pinned in llmkit:release.adapters (pinned: support-bot): gate an adapter this stack serves, or pin it first',
  ]],
  ["vsBase gate on a DPO reward", change(workloadsDev(), (r) => {
    r.release.adapters["support-bot-dpo"] = { runId: "0123456789ab", baseModel: "qwen2-5-7b", rank: 8 }; // trained in another stack
    r.release.gates = [{ metric: "heldout.rewardAccuracy", adapters: ["support-bot-dpo"], min: 0.6, maxRegression: { vsBase: 0 } }];
  }), [
    "llmkit:release.gates[0].maxRegression.vsBase: has no meaning for heldout.rewardAccuracy: DPO rewards are measured against the base model (the reference), so manifests record no base score; use min or vsPinned",
  ]],
  ["gates in a platform stack", change(platformDev(), (r) => (r.release = { gates: [{ metric: "heldout.loss", max: 2 }] })), [
    "llmkit:release: belongs to a workloads stack: remove it from this platform stack",
  ]],
];
