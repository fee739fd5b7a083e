/**
 * `swift sft` arguments for ms-swift v4 (pinned image: 4.5.3; keys checked against tag v4.5.2,
 * whose argument classes equal main 4.6.0.dev0). Sources, modelscope/ms-swift@v4.5.2:
 *   - swift/arguments/sft_args.py (SftArguments: add_version, output_dir, eval_strategy, fp16/bf16)
 *   - swift/arguments/base_args/base_args.py (tuner_type; v3's --train_type is gone in v4)
 *   - swift/arguments/tuner_args.py (target_modules, lora_rank, lora_alpha: int, lora_dropout)
 *   - swift/arguments/base_args/{model,data,template,quant}_args.py (model, torch_dtype, dataset
 *     "path#count", split_dataset_ratio, template, max_length, quant_method/quant_bits/bnb_4bit_*)
 *   - swift/trainers/arguments.py (TrainArgumentsMixin: batch sizes, lr scheduler, warmup_ratio,
 *     gradient_checkpointing, logging_steps, report_to)
 * Unknown flags fail (`remaining_argv`). Every value is explicit: with float32, for example,
 * ms-swift would otherwise turn fp16 mixed precision on (model_args.py _init_mixed_precision).
 * ms-swift never auto-resumes: scripts/train.sh appends --resume_from_checkpoint itself.
 * More than one GPU: the train container sets NPROC_PER_NODE (train-job.ts), without which `swift
 * sft` runs one process over all GPUs (swift/cli/main.py:30-35 use_torchrun).
 */
import { modelByRepo } from "../../planner/models.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import type { EffectiveFineTune, Precision } from "./defaults.ts";
import { renderSwiftExtraArgs } from "./extra-args.ts";
import { identityDataset } from "./identity.ts";
import { DATA_DIR, FROM_DIR, MODEL_DIR, OUTPUT_DIR, localDatasetFile } from "./layout.ts";
import { LOGGING_STEPS } from "./llamafactory.ts";
import { SMOKE_DATASET_FILE, SMOKE_DIR, SMOKE_MAX_NEW_TOKENS } from "./smoke.ts";

const TORCH_DTYPE: Record<Precision, "bfloat16" | "float16" | "float32"> = {
  bf16: "bfloat16",
  fp16: "float16",
  fp32: "float32",
};

const flag = (name: string, ...values: (string | number | boolean)[]): string[] => [`--${name}`, ...values.map(String)];

/**
 * ms-swift's `--model_type` for a base model: the stack's `msSwiftModelType`, else the catalog's
 * (planner/models.ts); `undefined` when neither knows it (validation refuses the fine-tune then).
 * Without it ms-swift matches a local directory by config.json `architectures`, and those of every
 * catalog family map to several types, e.g. Qwen2ForCausalLM to qwen2 and qwen2_gte
 * (swift/model/models/qwen.py:506, llm.py:226), so sft, infer and export raise "Failed to
 * automatically match `model_type`" (swift/model/model_meta.py:224-230). The published adapter
 * has no args.json either, which is where export would otherwise read it (model_meta.py:199-204).
 */
export function swiftModelType(model: ModelConfig): string | undefined {
  return model.msSwiftModelType ?? modelByRepo(model.repo)?.msSwiftModelType;
}

/** For the renderers, which run only on a validated fine-tune (validate.ts refuses an unknown type). */
export function requireSwiftModelType(model: ModelConfig): string {
  const type = swiftModelType(model);
  if (type === undefined) throw new Error(`model "${model.name}": no ms-swift model type (validation should have refused it)`);
  return type;
}

/**
 * Over-long samples: `right` truncation, so `maxLength` means what LLaMA-Factory's `cutoff_len`
 * means (samples are cut, never dropped). ms-swift's default `delete` drops them instead
 * (swift/arguments/base_args/template_args.py:132,167-168; allowed: delete, left, right, split,
 * and split is for pre-training only, :32-35).
 */
export const SWIFT_TRUNCATION_STRATEGY = "right";

/** QLoRA: on-the-fly bitsandbytes quantisation, NF4 with double quantisation for 4 bits (quant_args.py). */
function quantFlags(ft: EffectiveFineTune, dtype: string): string[] {
  if (ft.method !== "qlora" || ft.quantBits === null) return [];
  const fourBit =
    ft.quantBits === 4
      ? [...flag("bnb_4bit_quant_type", "nf4"), ...flag("bnb_4bit_use_double_quant", true), ...flag("bnb_4bit_compute_dtype", dtype)]
      : [];
  return [...flag("quant_method", "bnb"), ...flag("quant_bits", ft.quantBits), ...fourBit];
}

export function renderSwiftArgs(ft: EffectiveFineTune, modelType: string): string[] {
  const t = ft.training;
  const dtype = TORCH_DTYPE[t.precision];
  const evaluate = t.valRatio > 0;
  // "path#count" samples count rows (with repetition past the dataset size): data_args.py
  // preference files are read from scripts/preference-data.py's conversion (./preference.ts)
  const files = ft.datasets.map((d, i) => ({ file: ft.stage === "dpo" ? swiftPreferenceFile(i, d.path) : localDatasetFile(i, d.path), samples: d.samples }));
  const identity = identityDataset(ft);
  if (identity !== undefined) files.push({ file: identity.file, samples: identity.dataset.samples });
  const datasets = files.map((d) => `${DATA_DIR}/${d.file}${d.samples === null ? "" : `#${d.samples}`}`);
  return [
    ...flag("model", MODEL_DIR),
    ...flag("model_type", modelType),
    ...flag("tuner_type", "lora"),
    ...flag("template", ft.template),
    ...flag("dataset", ...datasets),
    ...flag("split_dataset_ratio", t.valRatio),
    ...flag("max_length", t.maxLength),
    ...flag("truncation_strategy", SWIFT_TRUNCATION_STRATEGY),
    ...flag("lora_rank", ft.lora.rank),
    ...flag("lora_alpha", ft.lora.alpha),
    ...flag("lora_dropout", ft.lora.dropout),
    ...flag("target_modules", ...(ft.lora.targets === "all-linear" ? ["all-linear"] : ft.lora.targets)),
    ...quantFlags(ft, dtype),
    ...flag("torch_dtype", dtype),
    ...flag("bf16", t.precision === "bf16"),
    ...flag("fp16", t.precision === "fp16"),
    ...flag("num_train_epochs", t.epochs),
    // transformers TrainingArguments.max_steps (ms-swift's TrainArguments extends it): overrides epochs
    ...(t.maxSteps !== undefined ? flag("max_steps", t.maxSteps) : []),
    ...flag("learning_rate", t.learningRate),
    ...flag("per_device_train_batch_size", t.microBatchSize),
    ...flag("gradient_accumulation_steps", t.gradientAccumulation),
    ...flag("lr_scheduler_type", t.lrScheduler),
    ...flag("warmup_ratio", t.warmupRatio),
    ...flag("gradient_checkpointing", t.gradientCheckpointing),
    ...flag("eval_strategy", evaluate ? "steps" : "no"),
    ...(evaluate ? [...flag("eval_steps", t.saveSteps), ...flag("per_device_eval_batch_size", t.microBatchSize)] : []),
    ...flag("save_strategy", "steps"),
    ...flag("save_steps", t.saveSteps),
    ...flag("save_total_limit", t.keepCheckpoints),
    // optimizer and scheduler state stay in checkpoints so a resume continues the schedule
    ...flag("save_only_model", false),
    ...flag("logging_steps", LOGGING_STEPS),
    ...flag("report_to", "none"),
    ...flag("output_dir", OUTPUT_DIR),
    // no "<version>-<timestamp>" subdirectory: a restarted pod must find its checkpoints
    ...flag("add_version", false),
    ...swiftPreferenceFlags(ft),
    // the stack's own flags last; validation refused any flag above (./extra-args.ts)
    ...renderSwiftExtraArgs(ft.extraArgs),
  ];
}

/**
 * Stage dpo: `swift rlhf` (SWIFT_RLHF_ARGS_FILE) parses RLHFArguments, which extends SftArguments,
 * so every sft flag above stays (modelscope/ms-swift@v4.5.3 swift/arguments/rlhf_args.py): rlhf_type
 * dpo, beta, loss_type (TRL's DPO losses). rpo_alpha is left unset (None: no SFT term), which is
 * what LLaMA-Factory's pref_ftx 0 means. Continuing a published adapter (`from`): `--adapters` loads
 * it trainable, so its own rank/alpha/targets apply, and `--ref_adapters` loads it once more as the
 * frozen reference adapter `ref_adapter` on the same base (swift/pipelines/train/rlhf.py; the
 * RLHFArguments docstring: "set both `--adapters` and `--ref_adapters` to the SFT checkpoint path").
 * From the base, the reference is the model with its adapter disabled (TRL DPOTrainer with PEFT).
 */
function swiftPreferenceFlags(ft: EffectiveFineTune): string[] {
  if (ft.stage !== "dpo" || ft.preference === undefined) return [];
  return [
    ...flag("rlhf_type", "dpo"),
    ...flag("beta", ft.preference.beta),
    ...flag("loss_type", ft.preference.loss),
    ...(ft.from !== undefined ? [...flag("adapters", FROM_DIR), ...flag("ref_adapters", FROM_DIR)] : []),
  ];
}

/** `swift sft` reads swift-args.txt; a DPO run's ConfigMap has swift-rlhf-args.txt instead, for `swift rlhf`. */
export const SWIFT_SFT_ARGS_FILE = "swift-args.txt";
export const SWIFT_RLHF_ARGS_FILE = "swift-rlhf-args.txt";
/** For a DPO run on ms-swift: "<local file> <format>" per dataset, for scripts/preference-data.py. */
export const SWIFT_PREFERENCE_LIST = "swift-preference-datasets.txt";

/** The ms-swift-format copy scripts/preference-data.py writes of preference dataset `index` (JSON lines). */
export function swiftPreferenceFile(index: number, key: string): string {
  return `${localDatasetFile(index, key)}.swift.jsonl`;
}

export function swiftPreferenceList(ft: EffectiveFineTune): string {
  return ft.datasets.map((d, i) => `${localDatasetFile(i, d.path)} ${d.format}\n`).join("");
}

/**
 * `swift infer` arguments of the smoke run (./smoke.ts): greedy generation for each prompt with the
 * final adapter on the base loaded as in training; scripts/train.sh appends `--adapters <final
 * checkpoint>`, which it only knows after training. Results: one JSON line per prompt in dataset
 * order with the completion in `response` (swift/pipelines/infer/infer.py infer_dataset). Sources,
 * modelscope/ms-swift@v4.5.2: swift/arguments/infer_args.py (InferArguments: infer_backend, whose
 * `pt` is a deprecated alias of `transformers`; result_path, appended to when it exists),
 * base_args/generation_args.py (temperature 0 = no sampling, max_new_tokens), base_args/data_args.py
 * (val_dataset, val_dataset_shuffle), docs/source_en/Instruction/Inference-and-deployment.md.
 */
export function renderSwiftInferArgs(ft: EffectiveFineTune, modelType: string): string[] {
  const dtype = TORCH_DTYPE[ft.training.precision];
  return [
    ...flag("model", MODEL_DIR),
    ...flag("model_type", modelType),
    ...flag("template", ft.template),
    ...flag("max_length", ft.training.maxLength),
    ...flag("truncation_strategy", SWIFT_TRUNCATION_STRATEGY),
    ...quantFlags(ft, dtype),
    ...flag("torch_dtype", dtype),
    ...flag("infer_backend", "transformers"),
    ...flag("val_dataset", `${SMOKE_DIR}/${SMOKE_DATASET_FILE}`),
    ...flag("val_dataset_shuffle", false),
    ...flag("result_path", `${SMOKE_DIR}/result.jsonl`),
    ...flag("temperature", 0),
    ...flag("max_new_tokens", SMOKE_MAX_NEW_TOKENS),
  ];
}

/** The keys (without `--`) an argument list sets, for contract checks. */
export function swiftKeys(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith("--")).map((a) => a.slice(2));
}
