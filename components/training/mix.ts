/**
 * The domain:general mix of a fine-tune's datasets. Fine-tuning on domain rows alone makes a model
 * forget general skills (catastrophic forgetting); mixing in 2–10 general rows per domain row is
 * the usual remedy, so a mix outside 1:2–1:10 is worth a warning (never an error: it is a judgement).
 * Only `samples` are counted: the kit never reads the data, so a dataset without `samples` makes
 * the mix "unknown". Identity rows (./identity.ts) are left out: a few hundred rows teach a name.
 */
import type { EffectiveFineTune } from "./defaults.ts";

export const GENERAL_PER_DOMAIN = { min: 2, max: 10 } as const;

export interface DatasetMix {
  /** `1:<general per domain row>` (one decimal), `0:1` without domain rows, or "unknown". */
  readonly ratio: string;
  /** Why the mix needs a look, or undefined when it is within range. */
  readonly warning?: string;
}

const RANGE = `1:${GENERAL_PER_DOMAIN.min}–1:${GENERAL_PER_DOMAIN.max}`;

export function datasetMix(ft: EffectiveFineTune): DatasetMix {
  const rows = (purpose: "domain" | "general") => ft.datasets.filter((d) => d.purpose === purpose);
  const general = rows("general");
  if (general.length === 0) {
    return { ratio: "1:0", warning: `domain:general is 1:0, outside ${RANGE} (catastrophic forgetting risk): add a dataset with purpose: general (e.g. mirrored through llmkit:datasets)` };
  }
  const unsized = ft.datasets.findIndex((d) => d.samples === null);
  if (unsized >= 0) {
    return { ratio: "unknown", warning: `domain:general is unknown (datasets[${unsized}] has no samples): set samples on every dataset so the ${RANGE} mix can be checked` };
  }
  const sum = (list: typeof general) => list.reduce((n, d) => n + (d.samples ?? 0), 0);
  const domainRows = sum(rows("domain"));
  const generalRows = sum(general);
  if (domainRows === 0) return { ratio: "0:1", warning: `has no domain rows: every dataset is purpose: general, so the adapter learns nothing specific` };
  const perDomain = generalRows / domainRows;
  const ratio = `1:${Number(perDomain.toFixed(1))}`;
  if (perDomain < GENERAL_PER_DOMAIN.min) {
    return { ratio, warning: `domain:general is ${ratio}, outside ${RANGE} (catastrophic forgetting risk): raise samples of the general datasets or lower the domain ones` };
  }
  if (perDomain > GENERAL_PER_DOMAIN.max) {
    return { ratio, warning: `domain:general is ${ratio}, outside ${RANGE} (the domain rows are drowned out): lower samples of the general datasets` };
  }
  return { ratio };
}
