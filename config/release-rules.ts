/**
 * Rules of `llmkit:release.gates` that the schema alone cannot state: a gate no run could pass, or
 * one that could never be checked, is refused here with its path and fix (docs/architecture.md §4).
 * What each bound means at promotion time: gitops/gates.ts.
 */
import { METRIC_NAME } from "../components/lib/adapter-manifest.ts";
import { TRAINING_DEFAULTS } from "../components/training/defaults.ts";
import type { Problem } from "./rules.ts";
import type { ParsedStackConfig } from "./schema.ts";

/** The scores a metric can take (stacks/README.md, "Evaluation gates"); absent: unbounded. */
function metricRange(metric: string): { readonly low?: number; readonly high?: number } {
  if (metric === "heldout.loss") return { low: 0 }; // a mean cross-entropy
  if (metric === "heldout.rewardMargin") return {}; // chosen − rejected reward: any sign
  return { low: 0, high: 1 }; // reward accuracy, exact match and ROUGE-L are fractions
}

/**
 * DPO rewards are log-ratios against the reference model, which is the base: the base's own reward
 * is 0 by definition, so the manifest records `base: null` for them (components/lib/adapter-manifest.ts).
 */
const BASELESS = new Set(["heldout.rewardAccuracy", "heldout.rewardMargin"]);

export function releaseRuleProblems(cfg: ParsedStackConfig): Problem[] {
  const problems: Problem[] = [];
  const pinned = Object.keys(cfg.release.adapters);
  const trained = new Map(cfg.fineTunes.map((f, k) => [f.name, { f, k }]));
  const pinnedList = pinned.join(", ") || "none";
  /** `metric\0adapter` (`*`: every adapter) → the gate that covers it first. */
  const covered = new Map<string, number>();

  cfg.release.gates.forEach((g, i) => {
    const add = (path: (string | number)[], message: string) => problems.push({ path: ["release", "gates", i, ...path], message });
    const { vsPinned, vsBase } = g.maxRegression ?? {};
    if (g.maxRegression !== undefined && vsPinned === undefined && vsBase === undefined) {
      add(["maxRegression"], "is empty: set vsPinned and/or vsBase, or remove it");
    } else if (g.min === undefined && g.max === undefined && g.maxRegression === undefined) {
      add([], `gates ${g.metric} with no bound: set min, max or maxRegression (vsPinned, vsBase)`);
    }
    if (g.min !== undefined && g.max !== undefined && g.min > g.max) add(["min"], `(${g.min}) exceeds max (${g.max}): no score could pass; lower min or raise max`);
    const { low, high } = metricRange(g.metric);
    if (g.min !== undefined && high !== undefined && g.min > high) {
      add(["min"], `(${g.min}) is above ${high}, the highest score ${g.metric} can have: no run could pass; use a value in ${low ?? "−∞"}..${high}`);
    }
    if (g.max !== undefined && low !== undefined && g.max < low) {
      add(["max"], `(${g.max}) is below ${low}, the lowest score ${g.metric} can have: no run could pass; use a value ≥ ${low}`);
    }
    if (vsBase !== undefined && BASELESS.has(g.metric)) {
      add(["maxRegression", "vsBase"], `has no meaning for ${g.metric}: DPO rewards are measured against the base model (the reference), so manifests record no base score; use min or vsPinned`);
    }

    // an adapter this stack trains: a metric its runs never record can never pass
    for (const a of new Set(g.adapters ?? pinned)) {
      const t = trained.get(a);
      if (t === undefined || !METRIC_NAME.test(g.metric)) continue; // a bad name is the schema's error
      const what = `${g.metric} is never recorded for adapter "${a}"`;
      if (g.metric.startsWith("suite.")) {
        const suite = g.metric.split(".")[1]!;
        const declared = (t.f.evaluation?.suites ?? []).map((s) => s.name);
        if (!declared.includes(suite)) {
          add(["metric"], `${what}: fineTunes[${t.k}] declares no evaluation suite "${suite}" (suites: ${declared.join(", ") || "none"}); add it to fineTunes[${t.k}].evaluation.suites, or gate other adapters`);
        }
      } else if ((t.f.training?.valRatio ?? TRAINING_DEFAULTS.valRatio) === 0) {
        add(["metric"], `${what}: fineTunes[${t.k}] sets training.valRatio 0, so its runs evaluate nothing; set valRatio > 0 there, or gate other adapters`);
      } else if (BASELESS.has(g.metric) && t.f.stage !== "dpo") {
        add(["metric"], `${what}: fineTunes[${t.k}] is stage ${t.f.stage} and only stage dpo runs record DPO rewards; gate heldout.loss instead`);
      }
    }

    const seen = new Set<string>();
    g.adapters?.forEach((a, j) => {
      if (seen.has(a)) add(["adapters", j], `"${a}" is listed twice: remove the duplicate`);
      else if (!pinned.includes(a)) add(["adapters", j], `adapter "${a}" is not pinned in llmkit:release.adapters (pinned: ${pinnedList}): gate an adapter this stack serves, or pin it first`);
      seen.add(a);
    });
    for (const a of g.adapters === undefined ? ["*", ...pinned] : [...seen]) {
      const key = `${g.metric}\0${a}`;
      const first = covered.get(key) ?? (a === "*" ? undefined : covered.get(`${g.metric}\0*`));
      if (first !== undefined && first !== i) {
        const who = a === "*" ? "every adapter" : `adapter "${a}"`;
        add([], `gates ${g.metric} for ${who}, which release.gates[${first}] gates already: put every bound of one metric and adapter in one gate`);
        break;
      }
      if (!covered.has(key)) covered.set(key, i);
    }
  });
  return problems;
}
