/**
 * LLaMA-Factory training config (`llamafactory-cli train /config/train.yaml`) and its
 * dataset_info.json. Every key is written out, because LLaMA-Factory's defaults differ from
 * ms-swift's and from ours (docs/architecture.md §8). Keys are checked against the pinned release:
 *   - hparams: hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/hparams/{model,data,finetuning,training}_args.py
 *     plus transformers TrainingArguments (the key list contracts.test.ts checks against);
 *   - auto-resume: src/llamafactory/hparams/parser.py resumes from the last `checkpoint-*` in
 *     output_dir only when overwrite_output_dir is false;
 *   - dataset_info.json: data/README.md and src/llamafactory/data/parser.py (DatasetAttr).
 * Unknown keys are rejected (HfArgumentParser "Some specified arguments are not used").
 */
import { stringify } from "yaml";
import type { EffectiveDataset, EffectiveFineTune } from "./defaults.ts";
import { identityDataset } from "./identity.ts";
import { DATA_DIR, FROM_DIR, MODEL_DIR, OUTPUT_DIR, localDatasetFile } from "./layout.ts";
import { usesReference } from "./preference.ts";
import { SMOKE_DATASET, SMOKE_DIR, SMOKE_MAX_NEW_TOKENS } from "./smoke.ts";

/** Optimizer steps between loss log lines: frequent enough to follow a short run. */
export const LOGGING_STEPS = 10;

/** The dataset name LLaMA-Factory knows dataset `index` by (= its local file name). */
export function datasetName(index: number, d: EffectiveDataset): string {
  return localDatasetFile(index, d.path);
}

/**
 * LLaMA-Factory's `lora_target`: a comma-separated module list, where "all" means every linear
 * layer (finetuning_args.py, split_arg).
 */
function loraTarget(targets: EffectiveFineTune["lora"]["targets"]): string {
  return targets === "all-linear" ? "all" : targets.join(",");
}

/** The base model (model_args.py), quantised as in training; restored from the store, never pulled from a hub. */
function modelKeys(ft: EffectiveFineTune): Record<string, unknown> {
  return {
    model_name_or_path: MODEL_DIR,
    trust_remote_code: false,
    ...(ft.method === "qlora"
      ? {
          // on-the-fly bitsandbytes quantisation: QLoRA's NF4 with double quantisation
          quantization_method: "bnb",
          quantization_bit: ft.quantBits,
          quantization_type: "nf4",
          double_quantization: true,
        }
      : {}),
  };
}

/**
 * Stage dpo (./preference.ts; hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/hparams/finetuning_args.py
 * RLHFArguments, model_args.py adapter_name_or_path, model/adapter.py _setup_lora_tuning). Every
 * preference key is written out: pref_ftx 0 (no SFT term, as ms-swift's rpo_alpha None) and
 * dpo_label_smoothing 0; simpo_gamma with simpo (0.5, LLaMA-Factory's default; ms-swift's is 1).
 * Continuing a published adapter (`from`): adapter_name_or_path is that adapter and, with
 * create_new_adapter false, it is the one trained further (adapter.py: the last adapter is resumed
 * when trainable), so its rank/alpha/targets win over lora_*; the reference is that SFT policy,
 * a second frozen model (ref_model = the base, ref_model_adapters = the adapter, merged by
 * train/trainer_utils.py create_ref_model). From the base, LLaMA-Factory's reference is the policy
 * with its adapter switched off (train/dpo/trainer.py compute_reference_log_probs).
 */
function preferenceKeys(ft: EffectiveFineTune): Record<string, unknown> {
  if (ft.stage !== "dpo" || ft.preference === undefined) return {};
  const p = ft.preference;
  return {
    pref_beta: p.beta,
    pref_loss: p.loss,
    pref_ftx: 0,
    dpo_label_smoothing: 0,
    ...(p.loss === "simpo" ? { simpo_gamma: LLAMAFACTORY_SIMPO_GAMMA } : {}),
    ...(ft.from !== undefined
      ? {
          adapter_name_or_path: FROM_DIR,
          create_new_adapter: false,
          ...(usesReference(p.loss) ? { ref_model: MODEL_DIR, ref_model_adapters: FROM_DIR } : {}),
        }
      : {}),
  };
}

/** LLaMA-Factory's SimPO target reward margin default (finetuning_args.py simpo_gamma), written out. */
export const LLAMAFACTORY_SIMPO_GAMMA = 0.5;

export function renderLlamaFactoryConfig(ft: EffectiveFineTune): Record<string, unknown> {
  const t = ft.training;
  const evaluate = t.valRatio > 0;
  return {
    ...modelKeys(ft),
    // gradient checkpointing is on unless disabled (model_args.py disable_gradient_checkpointing)
    disable_gradient_checkpointing: !t.gradientCheckpointing,
    // method (finetuning_args.py)
    stage: ft.stage ?? "sft",
    do_train: true,
    finetuning_type: "lora",
    lora_rank: ft.lora.rank,
    lora_alpha: ft.lora.alpha,
    lora_dropout: ft.lora.dropout,
    lora_target: loraTarget(ft.lora.targets),
    ...preferenceKeys(ft),
    // dataset (data_args.py)
    dataset: Object.keys(renderDatasetInfo(ft)).join(","),
    dataset_dir: DATA_DIR,
    template: ft.template,
    cutoff_len: t.maxLength,
    val_size: t.valRatio,
    overwrite_cache: false,
    // output: overwrite_output_dir false is what makes a restarted pod resume (parser.py)
    output_dir: OUTPUT_DIR,
    overwrite_output_dir: false,
    save_strategy: "steps",
    save_steps: t.saveSteps,
    save_total_limit: t.keepCheckpoints,
    // optimizer and scheduler state stay in checkpoints, or a resume restarts the schedule
    save_only_model: false,
    logging_steps: LOGGING_STEPS,
    report_to: "none",
    plot_loss: false,
    // train (transformers TrainingArguments)
    per_device_train_batch_size: t.microBatchSize,
    gradient_accumulation_steps: t.gradientAccumulation,
    learning_rate: t.learningRate,
    num_train_epochs: t.epochs,
    // transformers TrainingArguments.max_steps: a positive value overrides num_train_epochs
    ...(t.maxSteps !== undefined ? { max_steps: t.maxSteps } : {}),
    lr_scheduler_type: t.lrScheduler,
    warmup_ratio: t.warmupRatio,
    bf16: t.precision === "bf16",
    fp16: t.precision === "fp16",
    // eval on the held-out split, at the checkpoint cadence
    eval_strategy: evaluate ? "steps" : "no",
    ...(evaluate ? { eval_steps: t.saveSteps, per_device_eval_batch_size: t.microBatchSize } : {}),
    // the stack's own keys last; validation refused any key above (./extra-args.ts)
    ...ft.extraArgs,
  };
}

/**
 * The smoke run (./smoke.ts): a second `llamafactory-cli train` that only predicts, greedily, with
 * the final adapter on the base quantised as in training (so it fits where training did), and
 * writes SMOKE_DIR/output/generated_predictions.jsonl, one {"prompt", "predict", "label"} line per
 * row in dataset order. hiyouga/LLaMA-Factory@v0.9.5: src/llamafactory/train/sft/workflow.py
 * (do_predict → trainer.predict → save_predictions, train/sft/trainer.py), hparams/parser.py
 * (do_predict needs predict_with_generate and an eval_dataset), hparams/generating_args.py
 * (do_sample defaults to true: false is greedy). The image installs requirements/metrics.txt, which
 * predict_with_generate requires (docker/docker-cuda/Dockerfile).
 */
export function renderLlamaFactoryPredictConfig(ft: EffectiveFineTune): Record<string, unknown> {
  const t = ft.training;
  return {
    ...modelKeys(ft),
    // the final adapter: run_sft's trainer.save_model() writes it to the training output_dir
    adapter_name_or_path: OUTPUT_DIR,
    stage: "sft",
    do_train: false,
    do_predict: true,
    predict_with_generate: true,
    finetuning_type: "lora",
    eval_dataset: SMOKE_DATASET,
    dataset_dir: SMOKE_DIR,
    template: ft.template,
    cutoff_len: t.maxLength,
    output_dir: `${SMOKE_DIR}/output`,
    per_device_eval_batch_size: 1,
    report_to: "none",
    bf16: t.precision === "bf16",
    fp16: t.precision === "fp16",
    do_sample: false,
    num_beams: 1,
    max_new_tokens: SMOKE_MAX_NEW_TOKENS,
  };
}

export const OPENAI_TAGS = { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" };

/**
 * One dataset_info.json entry per format (hiyouga/LLaMA-Factory@v0.9.5 data/README.md "Alpaca
 * Format" :47-94 with its optional `system` and `history` columns, "Sharegpt Format" :168-217 with
 * `system` and `tools`, "OpenAI Format"). An unnamed column is never read, so every optional one is
 * named; scripts/dataset-columns.py drops, in the pod, those a file does not have (LLaMA-Factory
 * would fail on them with a KeyError).
 */
function datasetEntry(file: string, d: EffectiveDataset): Record<string, unknown> {
  const base = { file_name: file, ...(d.samples === null ? {} : { num_samples: d.samples }) };
  switch (d.format) {
    case "alpaca":
      return {
        ...base,
        formatting: "alpaca",
        columns: { prompt: "instruction", query: "input", response: "output", system: "system", history: "history" },
      };
    case "query-response":
      // alpaca converter with the user turn read from `query` (columns not named here become None)
      return { ...base, formatting: "alpaca", columns: { prompt: "query", response: "response" } };
    case "sharegpt":
      return {
        ...base,
        formatting: "sharegpt",
        columns: { messages: "conversations", system: "system", tools: "tools" },
        tags: {
          role_tag: "from",
          content_tag: "value",
          user_tag: "human",
          assistant_tag: "gpt",
          observation_tag: "observation",
          function_tag: "function_call",
          system_tag: "system",
        },
      };
    case "openai":
      // the documented spelling: sharegpt formatting with OpenAI role/content tags
      return {
        ...base,
        formatting: "sharegpt",
        columns: { messages: "messages" },
        tags: OPENAI_TAGS,
      };
    // Preference data, `ranking: true` (data/README.md "Preference Dataset" under the alpaca and
    // sharegpt formats; data/parser.py DatasetAttr ranking/chosen/rejected; data/converter.py:
    // alpaca chosen/rejected strings, sharegpt chosen/rejected messages after an odd turn count)
    case "alpaca-preference":
      return {
        ...base,
        formatting: "alpaca",
        ranking: true,
        columns: { prompt: "instruction", query: "input", system: "system", chosen: "chosen", rejected: "rejected" },
      };
    case "sharegpt-preference":
      return {
        ...base,
        formatting: "sharegpt",
        ranking: true,
        columns: { messages: "conversations", system: "system", chosen: "chosen", rejected: "rejected" },
        tags: { role_tag: "from", content_tag: "value", user_tag: "human", assistant_tag: "gpt", system_tag: "system" },
      };
    case "openai-preference":
      return {
        ...base,
        formatting: "sharegpt",
        ranking: true,
        columns: { messages: "messages", chosen: "chosen", rejected: "rejected" },
        tags: OPENAI_TAGS,
      };
  }
}

/** Every dataset by name, in training order; the filled identity file (./identity.ts) comes last. */
export function renderDatasetInfo(ft: EffectiveFineTune): Record<string, Record<string, unknown>> {
  const entries = ft.datasets.map((d, i) => [datasetName(i, d), datasetEntry(localDatasetFile(i, d.path), d)] as const);
  const identity = identityDataset(ft);
  return Object.fromEntries(identity === undefined ? entries : [...entries, [identity.file, datasetEntry(identity.file, identity.dataset)] as const]);
}

/**
 * YAML text of a LLaMA-Factory config. LLaMA-Factory reads it with OmegaConf (parser.py read_args),
 * whose loader also takes exponent floats such as 1e-07 as numbers. OmegaConf's loader is YAML 1.1
 * (PyYAML), where a bare `no`/`yes`/`on`/`off` is a boolean: written as YAML 1.2, `eval_strategy:
 * no` reached transformers as False ("ValueError: False is not a valid IntervalStrategy", seen by
 * the engine lane), so strings are written with YAML 1.1's quoting.
 */
export function llamaFactoryYamlText(config: Record<string, unknown>): string {
  return stringify(config, { version: "1.1" });
}

export function llamaFactoryYaml(ft: EffectiveFineTune): string {
  return llamaFactoryYamlText(renderLlamaFactoryConfig(ft));
}

export function llamaFactoryPredictYaml(ft: EffectiveFineTune): string {
  return llamaFactoryYamlText(renderLlamaFactoryPredictConfig(ft));
}
