/**
 * Smoke prompts: after training, the `train` container (engine, base model, adapter and GPU at
 * hand) generates one greedy completion per prompt with the new adapter, and the manifest records
 * them as `smoke: [{prompt, output}]` (scripts/train.sh, scripts/lineage.py). The engine configs
 * live next to the training configs: llamafactory.ts (predict YAML) and ms-swift.ts (infer args).
 * This file renders the ConfigMap entries: the prompts and, per engine, the prompts as a dataset.
 */
import type { EffectiveFineTune } from "./defaults.ts";
import { WORK_DIR } from "./layout.ts";

export const SMOKE_PROMPTS_FILE = "smoke-prompts.json";
/** The prompts as the engine's dataset (ConfigMap entry; train.sh copies it into SMOKE_DIR). */
export const SMOKE_DATASET_FILE = "smoke-dataset.jsonl";
/** LLaMA-Factory's dataset_info.json for the prompts (copied to SMOKE_DIR/dataset_info.json). */
export const SMOKE_DATASET_INFO_FILE = "smoke-dataset_info.json";
/** Scratch of the smoke run: the prompt dataset and the engine's results; emptied before each run. */
export const SMOKE_DIR = `${WORK_DIR}/smoke`;
/** The dataset name LLaMA-Factory's `eval_dataset` refers to. */
export const SMOKE_DATASET = "smoke";
/** @default 256 — long enough to judge an answer, short enough that 8 prompts take seconds to minutes. */
export const SMOKE_MAX_NEW_TOKENS = 256;

/**
 * One user turn per prompt, no response: LLaMA-Factory reads alpaca `instruction` (its
 * dataset_info entry names no response column, so rows are unsupervised: data/converter.py);
 * ms-swift reads its standard `messages` format (docs/source_en/Customization/Custom-dataset.md).
 */
function datasetRows(ft: EffectiveFineTune, prompts: readonly string[]): string {
  const row = (p: string) => (ft.engine === "llamafactory" ? { instruction: p } : { messages: [{ role: "user", content: p }] });
  return prompts.map((p) => `${JSON.stringify(row(p))}\n`).join("");
}

/** dataset_info.json of the prompts (LLaMA-Factory data/README.md "Alpaca Format"). */
export function smokeDatasetInfo(): Record<string, Record<string, unknown>> {
  return { [SMOKE_DATASET]: { file_name: SMOKE_DATASET_FILE, formatting: "alpaca", columns: { prompt: "instruction" } } };
}

export function smokePromptsData(ft: EffectiveFineTune): Record<string, string> {
  if (ft.smokePrompts === undefined) return {};
  return {
    [SMOKE_PROMPTS_FILE]: `${JSON.stringify(ft.smokePrompts, null, 2)}\n`,
    [SMOKE_DATASET_FILE]: datasetRows(ft, ft.smokePrompts),
    ...(ft.engine === "llamafactory" ? { [SMOKE_DATASET_INFO_FILE]: `${JSON.stringify(smokeDatasetInfo(), null, 2)}\n` } : {}),
  };
}
