/**
 * Checks a resolved fine-tune against its base model and the platform contract. Collects every
 * problem and throws once (docs/architecture.md §3). Shape rules live in config/schema.ts and
 * config/rules.ts; these are the ones only the training area knows.
 */
import { DNS_LABEL_MAX } from "../lib/naming.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import type { EffectiveFineTune } from "./defaults.ts";
import { swiftModelType } from "./ms-swift.ts";
import { LLAMAFACTORY_QLORA_PROBLEM } from "./templates.ts";
import type { FineTuneConfig } from "./inputs.ts";
import { uploadProblem } from "./upload.ts";
import { PREFERENCE_FORMATS, PREFERENCE_LOSSES, PREFERENCE_LOSS_SOURCES, SFT_FORMATS, isPreferenceFormat } from "./preference.ts";

/** `${name}-train-${runId}`: the Job name suffix after the fine-tune name. */
export const TRAIN_JOB_SUFFIX_LENGTH = "-train-".length + 12;

export function fineTuneProblems(ft: EffectiveFineTune, model: ModelConfig, contract: PlatformContract): string[] {
  const problems: string[] = [];
  if (ft.baseModel !== model.name) problems.push(`baseModel is "${ft.baseModel}" but model "${model.name}" was passed`);
  if (ft.name.length + TRAIN_JOB_SUFFIX_LENGTH > DNS_LABEL_MAX) {
    problems.push(`name "${ft.name}" is too long: the Job name "<name>-train-<runId>" must fit ${DNS_LABEL_MAX} characters`);
  }
  const pool = contract.pools.find((p) => p.name === ft.pool);
  if (pool === undefined) {
    problems.push(`pool "${ft.pool}" is not in the platform contract (pools: ${contract.pools.map((p) => p.name).join(", ") || "none"})`);
  } else if (ft.gpus > 0 && pool.gpuResource === undefined) {
    problems.push(`pool "${pool.name}" has no GPUs but gpus is ${ft.gpus}: use a GPU pool or gpus: 0`);
  } else if (ft.gpus > pool.gpusPerNode && pool.gpuResource !== undefined) {
    problems.push(`gpus is ${ft.gpus} but nodes of pool "${pool.name}" have ${pool.gpusPerNode}: one pod cannot span nodes`);
  }
  if (ft.method === "qlora" && ft.quantBits === null) problems.push("method qlora needs quantBits (4 or 8)");
  if (ft.method === "lora" && ft.quantBits !== null) problems.push('quantBits applies only to method "qlora"');
  if (ft.method === "qlora" && ft.gpus === 0) problems.push("QLoRA quantises with bitsandbytes on a GPU: request at least 1 GPU");
  if (ft.engine === "llamafactory" && ft.method === "qlora") problems.push(`engine ${LLAMAFACTORY_QLORA_PROBLEM}`);
  if (ft.engine === "ms-swift" && swiftModelType(model) === undefined) {
    problems.push(`ms-swift needs the model type of "${model.repo}" and planner/models.ts has none: set msSwiftModelType on model "${model.name}"`);
  }
  if (ft.engine === "ms-swift" && !Number.isInteger(ft.lora.alpha)) {
    problems.push(`lora.alpha ${ft.lora.alpha} must be a whole number for ms-swift (tuner_args.py lora_alpha: int)`);
  }
  if (ft.engine === "llamafactory" && ft.lora.targets !== "all-linear" && ft.lora.targets.some((t) => t.includes(","))) {
    problems.push("lora.targets entries must not contain ',' (LLaMA-Factory splits lora_target on commas)");
  }
  // fill-identity.py reads and writes JSON (or JSON lines by extension); the engines load by extension too
  if (ft.identity !== undefined && !/\.jsonl?$/.test(ft.identity.path)) {
    problems.push(`identity.path "${ft.identity.path}" must be a .json or .jsonl file: the placeholders are filled in JSON`);
  }
  problems.push(...stageProblems(ft));
  return problems;
}

/** Stage dpo, as the schema refuses it (components/training/inputs.ts stageRules), for programs that build specs themselves. */
function stageProblems(ft: EffectiveFineTune): string[] {
  const problems: string[] = [];
  const dpo = ft.stage === "dpo";
  ft.datasets.forEach((d, j) => {
    if (dpo && !isPreferenceFormat(d.format)) problems.push(`datasets[${j}].format is ${d.format}, which has no chosen/rejected answers: stage dpo needs one of ${PREFERENCE_FORMATS.join(", ")}`);
    if (!dpo && isPreferenceFormat(d.format)) problems.push(`datasets[${j}].format ${d.format} is preference data: set stage: dpo, or use one of ${SFT_FORMATS.join(", ")}`);
  });
  if (!dpo) return problems;
  const allowed: readonly string[] = PREFERENCE_LOSSES[ft.engine];
  if (ft.preference !== undefined && !allowed.includes(ft.preference.loss)) {
    problems.push(`preference.loss ${ft.preference.loss} is not a loss ${ft.engine} offers with DPO (${PREFERENCE_LOSS_SOURCES[ft.engine]}): use one of ${allowed.join(", ")}`);
  }
  if (ft.identity !== undefined) problems.push("identity is instruction data: train it in the SFT run this DPO run starts from");
  if (ft.from !== undefined && ft.from.name === ft.name) problems.push(`from names this fine-tune itself ("${ft.name}"): name the SFT fine-tune whose adapter it continues`);
  return problems;
}

/** `spec`: the fine-tune as given, whose uploaded files (./upload.ts) only it carries. */
export function validateFineTune(ft: EffectiveFineTune, model: ModelConfig, contract: PlatformContract, spec?: FineTuneConfig): void {
  const upload = spec === undefined ? undefined : uploadProblem(spec);
  const problems = [...fineTuneProblems(ft, model, contract), ...(upload === undefined ? [] : [upload])];
  if (problems.length > 0) {
    throw new Error(`fine-tune "${ft.name}" is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
