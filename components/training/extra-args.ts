/**
 * `fineTunes[].extraArgs`: further training arguments of the fine-tune's engine, by their field
 * name: LLaMA-Factory YAML keys (./llamafactory-keys.json, 0.9.5) or ms-swift `swift sft` flags
 * without `--` (./ms-swift-keys.json, 4.5.x); both lists keep only the transformers fields that
 * every transformers major the engine allows accepts (test/contract-lists.ts). They apply to the
 * training step only (not the smoke prompts, merge or export), and they are part of the run id.
 */
import { cliWords, extraArgProblems, type ExtraArgRules, type ExtraArgs } from "../lib/extra-args.ts";
import llamafactoryKeys from "./llamafactory-keys.json" with { type: "json" };
import msSwiftKeys from "./ms-swift-keys.json" with { type: "json" };

type Engine = "llamafactory" | "ms-swift";

const FIXED = "fixed by llmkit";
/** transformers TrainingArguments both engines take under the same name, and what sets them. */
const TRAINER: Record<string, string> = {
  output_dir: `${FIXED}: the Job writes its checkpoints there, syncs them to the store and resumes from them`,
  resume_from_checkpoint: `${FIXED}: a restarted pod resumes from its last checkpoint itself`,
  per_device_train_batch_size: "use training.microBatchSize",
  per_device_eval_batch_size: "use training.microBatchSize",
  gradient_accumulation_steps: "use training.gradientAccumulation",
  learning_rate: "use training.learningRate",
  num_train_epochs: "use training.epochs",
  warmup_ratio: "use training.warmupRatio",
  lr_scheduler_type: `${FIXED} (cosine, components/training/defaults.ts)`,
  bf16: "use training.precision",
  fp16: "use training.precision",
  eval_strategy: "evaluation follows training.valRatio (every saveSteps steps)",
  eval_steps: "use training.saveSteps",
  save_strategy: `${FIXED}: checkpoints every training.saveSteps steps`,
  save_steps: "use training.saveSteps",
  save_total_limit: "use training.keepCheckpoints",
  save_only_model: `${FIXED}: checkpoints keep the optimizer and scheduler state, so a resumed run continues its schedule`,
  logging_steps: `${FIXED} (components/training/llamafactory.ts LOGGING_STEPS)`,
  report_to: `${FIXED}: none (the eval loss goes into the run's manifest.json)`,
};

const LLAMAFACTORY: Record<string, string> = {
  ...TRAINER,
  model_name_or_path: "the base is baseModel, restored from the store",
  adapter_name_or_path: "use from: <fine-tune>@<run id> (stage dpo)",
  create_new_adapter: "use from: <fine-tune>@<run id> (stage dpo)",
  ref_model: "the DPO reference follows from (components/training/llamafactory.ts preferenceKeys)",
  ref_model_adapters: "the DPO reference follows from (components/training/llamafactory.ts preferenceKeys)",
  quantization_method: "use method: qlora with quantBits",
  quantization_bit: "use method: qlora with quantBits",
  quantization_type: "use method: qlora with quantBits",
  double_quantization: "use method: qlora with quantBits",
  disable_gradient_checkpointing: `${FIXED}: gradient checkpointing is on`,
  stage: "use stage",
  do_train: `${FIXED}: this config trains`,
  finetuning_type: "use method (lora or qlora)",
  lora_rank: "use lora.rank",
  lora_alpha: "use lora.alpha",
  lora_dropout: "use lora.dropout",
  lora_target: "use lora.targets",
  pref_beta: "use preference.beta",
  pref_loss: "use preference.loss",
  pref_ftx: `${FIXED}: 0, no SFT term (as ms-swift)`,
  dpo_label_smoothing: `${FIXED}: 0`,
  simpo_gamma: `${FIXED}: 0.5 with preference.loss simpo`,
  dataset: "use datasets",
  dataset_dir: "use datasets",
  eval_dataset: "the held-out split is training.valRatio of the datasets",
  max_samples: "use datasets[].samples",
  template: "use template",
  cutoff_len: "use training.maxLength",
  val_size: "use training.valRatio",
  overwrite_cache: FIXED,
  overwrite_output_dir: `${FIXED}: false is what makes a restarted pod resume`,
  plot_loss: FIXED,
};

const MS_SWIFT: Record<string, string> = {
  ...TRAINER,
  model: "the base is baseModel, restored from the store",
  model_type: "use msSwiftModelType in llmkit:models",
  tuner_type: "use method (lora or qlora)",
  adapters: "use from: <fine-tune>@<run id> (stage dpo)",
  ref_adapters: "use from: <fine-tune>@<run id> (stage dpo)",
  rlhf_type: "use stage",
  beta: "use preference.beta",
  loss_type: "use preference.loss",
  template: "use template",
  dataset: "use datasets",
  val_dataset: "the held-out split is training.valRatio of the datasets",
  split_dataset_ratio: "use training.valRatio",
  max_length: "use training.maxLength",
  truncation_strategy: `${FIXED}: right (over-long samples are cut, as LLaMA-Factory's cutoff_len)`,
  lora_rank: "use lora.rank",
  lora_alpha: "use lora.alpha",
  lora_dropout: "use lora.dropout",
  target_modules: "use lora.targets",
  quant_method: "use method: qlora with quantBits",
  quant_bits: "use method: qlora with quantBits",
  bnb_4bit_quant_type: "use method: qlora with quantBits",
  bnb_4bit_use_double_quant: "use method: qlora with quantBits",
  bnb_4bit_compute_dtype: "use training.precision",
  torch_dtype: "use training.precision",
  gradient_checkpointing: `${FIXED}: gradient checkpointing is on`,
  add_version: `${FIXED}: false, so a restarted pod finds its checkpoints`,
};

const HUB = "the adapter is published to the store under its run id, and promoted from there; pushing to a hub needs a token the Job does not have";
const PUSH_TO_HUB = ["push_to_hub", "hub_model_id", "hub_strategy", "hub_private_repo", "hub_always_push", "hub_revision"];
const REFUSED_BOTH: Record<string, string> = Object.fromEntries(PUSH_TO_HUB.map((k) => [k, HUB]));

const RULES: Record<Engine, ExtraArgRules> = {
  llamafactory: {
    what: "LLaMA-Factory 0.9.5 training key",
    listFile: "components/training/llamafactory-keys.json",
    accepted: new Set(llamafactoryKeys.keys),
    kitSets: LLAMAFACTORY,
    refused: {
      ...REFUSED_BOTH,
      export_hub_model_id: HUB,
      trust_remote_code: "it runs Python code shipped with the model repository in the training pod; llmkit trains and serves models without it",
    },
  },
  "ms-swift": {
    what: "ms-swift 4.5 `swift sft` argument",
    listFile: "components/training/ms-swift-keys.json",
    accepted: new Set(msSwiftKeys.keys),
    kitSets: MS_SWIFT,
    refused: REFUSED_BOTH,
    respell: (name) => (name.startsWith("-") ? name.replace(/^-+/, "") : undefined),
  },
};

/** The names an extra argument of `engine` cannot set: the kit's own and the refused ones. */
export function reservedKeys(engine: Engine): string[] {
  return [...Object.keys(RULES[engine].kitSets), ...Object.keys(RULES[engine].refused)];
}

export function trainingExtraArgProblems(engine: Engine, args: ExtraArgs) {
  return extraArgProblems(args, RULES[engine]);
}

/** ms-swift flags: `--name value…`; booleans as `true`/`false` words, as the kit's own flags. */
export function renderSwiftExtraArgs(args: ExtraArgs | undefined): string[] {
  return Object.entries(args ?? {}).flatMap(([name, value]) => cliWords(`--${name}`, value));
}
