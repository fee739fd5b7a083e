/**
 * Native bf16 per accelerator, for the precision a fine-tune trains in. transformers refuses
 * `bf16: true` unless the GPU computes it natively (CUDA compute capability ≥ 8.0, Ampere and newer:
 * huggingface/transformers src/transformers/utils/import_utils.py is_torch_bf16_gpu_available),
 * raising "Your setup doesn't support bf16/gpu." in TrainingArguments.__post_init__, which both
 * engines build. T4 is Turing (sm_75); every other catalog GPU is Ampere or newer
 * (https://developer.nvidia.com/cuda-gpus). Keyed by planner/gpus.ts, so a new GPU there must be
 * decided here.
 */
import type { GpuName } from "../../planner/gpus.ts";
import { TRAINING_DEFAULTS, type Precision } from "./defaults.ts";

export const NATIVE_BF16 = {
  t4: false,
  a10g: true,
  l4: true,
  l40s: true,
  a100: true,
  h100: true,
  h200: true,
} as const satisfies Record<GpuName, boolean>;

/** The refusal for a fine-tune training in `precision` (absent: the default) on `gpu`, if any. */
export function bf16Problem(precision: Precision | undefined, pool: string, gpu: GpuName): string | undefined {
  const effective = precision ?? TRAINING_DEFAULTS.precision;
  if (effective !== "bf16" || NATIVE_BF16[gpu]) return undefined;
  const which = precision === undefined ? "is bf16 (the default)" : "is bf16";
  return `${which} but pool "${pool}" runs ${gpu} GPUs, which have no native bf16 (the trainer stops with "Your setup doesn't support bf16/gpu"): set training.precision: fp16`;
}
