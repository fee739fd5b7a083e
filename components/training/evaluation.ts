/**
 * Evaluation after training, in the `train` container (scripts/train.sh), each measure taken twice,
 * with the new adapter and with the base model, on the same rows through the same engine code;
 * lineage.py records both in the manifest's `evaluation` (components/lib/adapter-manifest.ts):
 *   - held-out split (valRatio > 0): the engine's own evaluation (scripts/eval-heldout.py, which
 *     says how each engine keeps the rows the same): heldout.loss and, for stage dpo,
 *     heldout.rewardAccuracy / heldout.rewardMargin;
 *   - suites (`evaluation.suites`): user datasets restored from the store like training data, the
 *     first maxSamples rows answered greedily by the engine's predict step (LLaMA-Factory
 *     do_predict, `swift infer`) and scored by scripts/eval-suite.py: suite.<name>.exactMatch and
 *     suite.<name>.rougeL. Benchmark suites (CEval, MMLU through the engines' eval entry points)
 *     download from hubs at run time, which the pod never does (HF_HUB_OFFLINE), so there are none.
 * This file renders the ConfigMap entries: one config per measure, pass and engine.
 */
import type { ModelConfig } from "../lib/inputs.ts";
import type { EffectiveFineTune } from "./defaults.ts";
import { FROM_DIR, MODEL_DIR, OUTPUT_DIR, WORK_DIR } from "./layout.ts";
import { OPENAI_TAGS, llamaFactoryYamlText, renderLlamaFactoryConfig, renderLlamaFactoryPredictConfig } from "./llamafactory.ts";
import { renderSwiftArgs, renderSwiftInferArgs, requireSwiftModelType } from "./ms-swift.ts";
import { usesReference } from "./preference.ts";
import { EVAL_SCRIPTS, SUITE_SCRIPTS } from "./scripts.ts";

/** Scratch of the evaluation passes: the engines' output and the results lineage.py reads; emptied before each run. */
export const EVAL_DIR = `${WORK_DIR}/eval`;
export const EVAL_PASSES = ["adapter", "base"] as const;
export type EvalPass = (typeof EVAL_PASSES)[number];

export const llamaFactoryEvalFile = (pass: EvalPass) => `eval-${pass}.yaml`;
/** One file for both passes: train.sh appends each pass's --output_dir, and --adapters to the adapter's. */
export const SWIFT_EVAL_ARGS_FILE = "swift-eval-args.txt";

/** Keys of the training config that only training reads (saving, periodic eval, the adapter it resumes). */
const TRAIN_ONLY_KEYS = ["save_strategy", "save_steps", "save_total_limit", "save_only_model", "eval_strategy", "eval_steps", "create_new_adapter", "adapter_name_or_path"];

/**
 * A LLaMA-Factory eval-only config (hiyouga/LLaMA-Factory@v0.9.5): the training config, so the
 * dataset list, val_size and seed (transformers' default 42, as in training) select the same
 * held-out rows, with do_train false and do_eval true. The adapter pass loads the final adapter
 * (run_sft/run_dpo save it to output_dir); the base pass loads none (model/adapter.py: the base).
 * Stage dpo names its reference explicitly: without do_train and ref_model, run_dpo would take the
 * evaluated model itself as the reference (train/dpo/workflow.py) and drop the rewards. The
 * reference is the one training used: the base, or the base with the `from` adapter merged
 * (ref_model_adapters, train/trainer_utils.py create_ref_model). Unlike training from the base,
 * where the reference is the policy with its adapter switched off, this loads the base a second
 * time, since an evaluated adapter is merged into the model (model/adapter.py, is_trainable false).
 */
export function renderLlamaFactoryEvalConfig(ft: EffectiveFineTune, pass: EvalPass): Record<string, unknown> {
  const train = renderLlamaFactoryConfig(ft);
  const kept = Object.fromEntries(Object.entries(train).filter(([k]) => !TRAIN_ONLY_KEYS.includes(k)));
  const reference =
    ft.stage === "dpo" && ft.preference !== undefined && usesReference(ft.preference.loss)
      ? {
          ref_model: MODEL_DIR,
          ...(ft.from !== undefined ? { ref_model_adapters: FROM_DIR } : {}),
          ...(ft.quantBits !== null ? { ref_model_quantization_bit: ft.quantBits } : {}),
        }
      : {};
  return {
    ...kept,
    ...(pass === "adapter" ? { adapter_name_or_path: OUTPUT_DIR } : {}),
    ...reference,
    do_train: false,
    do_eval: true,
    output_dir: `${EVAL_DIR}/${pass}`,
    per_device_eval_batch_size: ft.training.microBatchSize,
  };
}

/** An argument list with the `--name value…` groups in `drop` left out and those in `set` given new values (appended when absent). */
function withFlags(args: readonly string[], drop: readonly string[], set: Record<string, string[]>): string[] {
  const groups: [string, string[]][] = [];
  for (const a of args) {
    if (a.startsWith("--")) groups.push([a.slice(2), []]);
    else groups.at(-1)![1].push(a);
  }
  const kept = groups.filter(([name]) => !drop.includes(name)).map(([name, values]): [string, string[]] => [name, set[name] ?? values]);
  const added = Object.entries(set).filter(([name]) => !groups.some(([n]) => n === name));
  return [...kept, ...added].flatMap(([name, values]) => [`--${name}`, ...values]);
}

/**
 * ms-swift eval args (modelscope/ms-swift@v4.5.2), run by scripts/eval-heldout.py through `swift
 * sft`'s or `swift rlhf`'s own pipeline: the training arguments, so the same datasets, split ratio
 * and data seed select the held-out rows again, without saving, output_dir or --adapters: train.sh
 * appends `--output_dir <EVAL_DIR>/<pass>` and, to the adapter pass, `--adapters <final
 * checkpoint>`. The base pass gets the fresh LoRA adapter `swift sft` adds (tuner.py
 * prepare_model), whose B matrices are zero (PEFT LoRA init), so it computes the base's logits. A
 * DPO run continuing `from` keeps --ref_adapters: both passes compare with training's reference.
 */
export function renderSwiftEvalArgs(ft: EffectiveFineTune, modelType: string): string[] {
  return withFlags(renderSwiftArgs(ft, modelType), ["adapters", "output_dir", "eval_strategy", "eval_steps", "save_strategy", "save_steps", "save_total_limit", "save_only_model"], {});
}

/** The ConfigMap entries of the held-out evaluation; none with valRatio 0. */
function heldoutEvalData(ft: EffectiveFineTune, model: ModelConfig): Record<string, string> {
  if (ft.training.valRatio === 0) return {};
  const configs =
    ft.engine === "llamafactory"
      ? Object.fromEntries(EVAL_PASSES.map((pass) => [llamaFactoryEvalFile(pass), llamaFactoryYamlText(renderLlamaFactoryEvalConfig(ft, pass))]))
      : { [SWIFT_EVAL_ARGS_FILE]: `${renderSwiftEvalArgs(ft, requireSwiftModelType(model)).join("\n")}\n` };
  return { ...configs, ...EVAL_SCRIPTS };
}

// ---------------------------------------------------------------- suites

/** "<name> <local file> <format> <maxSamples>" per suite, for train.sh and lineage.py. */
export const SUITES_LIST = "eval-suites.txt";
/** LLaMA-Factory's dataset_info.json of a suite's rows (copied into each suite's directory). */
export const SUITE_DATASET_INFO_FILE = "suite-dataset_info.json";
/** The dataset name LLaMA-Factory's `eval_dataset` refers to. */
export const SUITE_DATASET = "suite";
/** @default 256 — as the smoke prompts: room for a full answer, bounded so two passes of maxSamples rows stay short. */
export const SUITE_MAX_NEW_TOKENS = 256;

/** Where restore.sh puts a suite's file (DATA_DIR, next to the training data) and its scratch directory. */
export const suiteLocalFile = (name: string, key: string) => `suite-${name}-${key.slice(key.lastIndexOf("/") + 1)}`;
export const suiteDir = (name: string) => `${EVAL_DIR}/suite-${name}`;
export const llamaFactorySuiteFile = (name: string, pass: EvalPass) => `suite-${name}-${pass}.yaml`;
export const swiftSuiteFile = (name: string, pass: EvalPass) => `suite-${name}-${pass}-infer-args.txt`;

/** The suite's rows as scripts/eval-suite.py writes them: OpenAI messages, the last one the reference (not a response column, so unsupervised). */
export function suiteDatasetInfo(): Record<string, Record<string, unknown>> {
  return { [SUITE_DATASET]: { file_name: "rows.jsonl", formatting: "sharegpt", columns: { messages: "messages" }, tags: OPENAI_TAGS } };
}

/**
 * LLaMA-Factory predict-only config of one suite and pass: the smoke run's (./llamafactory.ts
 * renderLlamaFactoryPredictConfig: greedy, base quantised as in training), on the suite's rows,
 * with the final adapter or none (the base).
 */
export function renderLlamaFactorySuiteConfig(ft: EffectiveFineTune, name: string, pass: EvalPass): Record<string, unknown> {
  const { adapter_name_or_path: adapter, ...predict } = renderLlamaFactoryPredictConfig(ft);
  return {
    ...predict,
    ...(pass === "adapter" ? { adapter_name_or_path: adapter } : {}),
    eval_dataset: SUITE_DATASET,
    dataset_dir: suiteDir(name),
    output_dir: `${suiteDir(name)}/${pass}`,
    max_new_tokens: SUITE_MAX_NEW_TOKENS,
  };
}

/** `swift infer` args of one suite and pass: the smoke run's (./ms-swift.ts), on the suite's rows; train.sh appends --adapters to the adapter pass. */
export function renderSwiftSuiteArgs(ft: EffectiveFineTune, modelType: string, name: string, pass: EvalPass): string[] {
  return withFlags(renderSwiftInferArgs(ft, modelType), [], {
    val_dataset: [`${suiteDir(name)}/rows.jsonl`],
    result_path: [`${suiteDir(name)}/${pass}.jsonl`],
    max_new_tokens: [String(SUITE_MAX_NEW_TOKENS)],
  });
}

/** datasets.txt lines: restore.sh downloads each suite and records its ETag, as for the training data. */
export function suiteDownloadLines(ft: EffectiveFineTune): string {
  return (ft.suites ?? []).map((s) => `${s.path} ${suiteLocalFile(s.name, s.path)}\n`).join("");
}

function suiteData(ft: EffectiveFineTune, model: ModelConfig): Record<string, string> {
  if (ft.suites === undefined) return {};
  const configs = ft.suites.flatMap((s) =>
    EVAL_PASSES.map((pass) =>
      ft.engine === "llamafactory"
        ? [llamaFactorySuiteFile(s.name, pass), llamaFactoryYamlText(renderLlamaFactorySuiteConfig(ft, s.name, pass))]
        : [swiftSuiteFile(s.name, pass), `${renderSwiftSuiteArgs(ft, requireSwiftModelType(model), s.name, pass).join("\n")}\n`],
    ),
  );
  return {
    [SUITES_LIST]: ft.suites.map((s) => `${s.name} ${suiteLocalFile(s.name, s.path)} ${s.format} ${s.maxSamples}\n`).join(""),
    ...(ft.engine === "llamafactory" ? { [SUITE_DATASET_INFO_FILE]: `${JSON.stringify(suiteDatasetInfo(), null, 2)}\n` } : {}),
    ...Object.fromEntries(configs),
    ...SUITE_SCRIPTS,
  };
}

/** Every ConfigMap entry of the run's evaluation. */
export function evaluationData(ft: EffectiveFineTune, model: ModelConfig): Record<string, string> {
  return { ...heldoutEvalData(ft, model), ...suiteData(ft, model) };
}
