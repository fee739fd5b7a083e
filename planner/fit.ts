/**
 * Fit checks (issue 7): does a fine-tune or a service fit the GPUs of the pool it names? Pure;
 * config/preflight.ts turns `errors` into config errors and `warnings` into preflight warnings.
 * CPU pools (gpusPerNode 0) and CPU jobs (gpus 0) are not checked for GPU memory.
 */
import type { PoolContract } from "../components/lib/scheduling.ts";
import type { EffectiveFineTune } from "../components/training/defaults.ts";
import type { EffectiveService } from "../components/serving/defaults.ts";
import type { ModelConfig } from "../components/lib/inputs.ts";
import { GPU_MEMORY_GIB, GPU_NAMES, type GpuName } from "./gpus.ts";
import { fittingInstances, pricePerGpuHour } from "./instances.ts";
import { referenceHolding, servingMemory, trainingMemory, type ReferenceHolding, type ServingMemory, type TrainingMemory, type TrainingMemoryInput } from "./memory.ts";
import { resolveModel } from "./resolve.ts";

/** A training estimate below this share of the GPU is "oversized" when a smaller catalog GPU holds it. */
export const TRAINING_OVERSIZED_SHARE = 0.5;
/** Serving: spare memory becomes KV cache (more concurrent sequences), so only a much larger GPU warns. */
export const SERVING_OVERSIZED_SHARE = 0.25;
/** Headroom a smaller GPU must leave for the oversized warning to suggest it. */
export const SUGGESTION_HEADROOM = 0.9;

export interface FitResult<E> {
  /** `undefined` when the pool has no GPUs or the job asks for none. */
  readonly estimate: E | undefined;
  readonly errors: string[];
  readonly warnings: string[];
}

const fmt = (gib: number) => `${gib.toFixed(1)} GiB`;

function fitsInstanceHint(neededPerGpu: number, gpus: number): string | undefined {
  const inst = fittingInstances(neededPerGpu / SUGGESTION_HEADROOM, gpus).find((i) => i.pricePerHour !== null);
  return inst === undefined ? undefined : `a pool on ${inst.name} (${inst.gpus}× ${inst.gpu}, ${inst.gpuMemoryGiB} GiB each, $${inst.pricePerHour!.toFixed(2)}/h on-demand)`;
}

/** Smaller GPUs, cheaper per GPU-hour than the pool's, that hold `neededPerGpu` with headroom. */
function smallerGpuHint(neededPerGpu: number, capacity: number, current: GpuName | undefined): string | undefined {
  const currentPrice = current === undefined ? undefined : pricePerGpuHour(current);
  const smaller = GPU_NAMES.filter((g) => {
    const price = pricePerGpuHour(g);
    return GPU_MEMORY_GIB[g] < capacity && neededPerGpu <= SUGGESTION_HEADROOM * GPU_MEMORY_GIB[g] && price !== undefined && (currentPrice === undefined || price < currentPrice);
  }).sort((a, b) => pricePerGpuHour(a)! - pricePerGpuHour(b)!);
  return smaller.length === 0 ? undefined : smaller.map((g) => `${g} (${GPU_MEMORY_GIB[g]} GiB, from $${pricePerGpuHour(g)!.toFixed(2)}/GPU-hour)`).slice(0, 2).join(" or ");
}

/** The GPU model a pool's memory size stands for, when exactly one catalog GPU has it. */
function poolGpu(pool: PoolContract): GpuName | undefined {
  const same = GPU_NAMES.filter((g) => GPU_MEMORY_GIB[g] === pool.gpuMemoryGiB);
  return same.length === 1 ? same[0] : undefined;
}

export function trainingInput(spec: EffectiveFineTune, model: Pick<ModelConfig, "repo" | "sizeGiB">): TrainingMemoryInput {
  const r = resolveModel(model);
  return {
    arch: r.arch,
    params: r.params,
    method: spec.method,
    quantBits: spec.quantBits,
    precision: spec.training.precision,
    rank: spec.lora.rank,
    targets: spec.lora.targets,
    maxLength: spec.training.maxLength,
    microBatchSize: spec.training.microBatchSize,
    gradientCheckpointing: spec.training.gradientCheckpointing,
    ...(spec.stage === "dpo" && spec.preference !== undefined ? { reference: peakReference(spec, spec.preference.loss) } : {}),
  };
}

/**
 * The reference a DPO run's pod holds at its peak: training's (referenceHolding), except that
 * LLaMA-Factory's held-out evaluation of a run from the base loads the base a second time as the
 * reference, because the evaluated adapter is merged into the model
 * (components/training/evaluation.ts): two copies of the weights without optimizer state, which the
 * "copy" estimate of training covers.
 */
function peakReference(spec: EffectiveFineTune, loss: string): ReferenceHolding {
  const training = referenceHolding(spec.engine, loss, spec.from !== undefined);
  return training === "shared" && spec.engine === "llamafactory" && spec.training.valRatio > 0 ? "copy" : training;
}

const REFERENCE_TEXT: Record<ReferenceHolding, string> = {
  none: "no reference model",
  shared: "reference = the base with the adapter off, no extra weights",
  adapter: "reference adapter",
  copy: "reference model (a second copy of the base: with the SFT adapter merged when chained, for the held-out evaluation from the base)",
};

function dpoText(input: TrainingMemoryInput, est: TrainingMemory): string {
  if (input.reference === undefined) return "";
  return `DPO ${REFERENCE_TEXT[input.reference]}${est.referenceGiB > 0 ? ` ${fmt(est.referenceGiB)}` : ""}, `;
}

export function fineTuneFit(spec: EffectiveFineTune, model: Pick<ModelConfig, "repo" | "sizeGiB">, pool: PoolContract | undefined): FitResult<TrainingMemory> {
  const warnings: string[] = [];
  const resolved = resolveModel(model);
  if (resolved.warning !== undefined) warnings.push(resolved.warning);
  if (pool === undefined || pool.gpusPerNode === 0 || spec.gpus === 0 || pool.gpuMemoryGiB === 0) return { estimate: undefined, errors: [], warnings };
  const input = trainingInput(spec, model);
  const est = trainingMemory(input);
  const capacity = pool.gpuMemoryGiB;
  if (est.totalGiB > capacity) {
    const tries: string[] = [];
    const inst = fitsInstanceHint(est.totalGiB, spec.gpus);
    if (inst !== undefined) tries.push(inst);
    if (input.reference === "copy") {
      const a = trainingMemory({ ...input, reference: "adapter" });
      if (a.totalGiB <= capacity) tries.push(`engine: ms-swift, which holds the SFT reference as a second adapter on the same base (~${fmt(a.totalGiB)})`);
    }
    if (spec.method === "lora" && spec.from === undefined) {
      const q = trainingMemory({ ...input, method: "qlora", quantBits: 4 });
      // the pinned LLaMA-Factory image cannot quantise (no bitsandbytes): QLoRA means ms-swift there
      const engine = spec.engine === "llamafactory" ? "engine: ms-swift, " : "";
      if (q.totalGiB <= capacity) tries.push(`${engine}method: qlora with quantBits: 4 (~${fmt(q.totalGiB)})`);
    }
    for (let len = Math.floor(input.maxLength / 2); len >= 256; len = Math.floor(len / 2)) {
      const s = trainingMemory({ ...input, maxLength: len });
      if (s.totalGiB <= capacity) {
        tries.push(`training.maxLength: ${len} (~${fmt(s.totalGiB)})`);
        break;
      }
    }
    if (input.microBatchSize > 1) {
      const s = trainingMemory({ ...input, microBatchSize: 1 });
      if (s.totalGiB <= capacity) tries.push(`training.microBatchSize: 1 with more gradientAccumulation (~${fmt(s.totalGiB)})`);
    }
    return {
      estimate: est,
      errors: [
        `does not fit pool "${pool.name}": needs ~${fmt(est.totalGiB)} per GPU (weights ${fmt(est.weightsGiB)}, adapter + Adam ${fmt(est.adapterStatesGiB)}, ${dpoText(input, est)}activations ${fmt(est.activationsGiB)} at maxLength ${input.maxLength} × micro-batch ${input.microBatchSize}${input.reference !== undefined ? " × 2 (chosen + rejected)" : ""}, runtime ${fmt(est.runtimeGiB)}) but its GPUs have ${fmt(capacity)} each (data parallel: every GPU holds the whole model); ` +
          (tries.length > 0 ? `try ${tries.join("; or ")}` : "no single-node catalog GPU holds it: use a smaller base model"),
      ],
      warnings,
    };
  }
  if (est.totalGiB < TRAINING_OVERSIZED_SHARE * capacity) {
    const hint = smallerGpuHint(est.totalGiB, capacity, poolGpu(pool));
    if (hint !== undefined) warnings.push(`oversized: needs ~${fmt(est.totalGiB)} per GPU of pool "${pool.name}"'s ${fmt(capacity)}; ${hint} would hold it for less`);
  }
  return { estimate: est, errors: [], warnings };
}

export function serviceMemoryFor(svc: EffectiveService, gpuMemoryGiB: number, tensorParallel = svc.engine.tensorParallelSize, maxModelLen = svc.engine.maxModelLen): ServingMemory {
  const r = resolveModel(svc.model);
  return servingMemory({
    arch: r.arch,
    params: r.params,
    tensorParallel,
    maxModelLen,
    maxLoras: svc.adapters.length > 0 ? svc.engine.maxLoras : 0,
    maxLoraRank: svc.adapters.length > 0 ? svc.engine.maxLoraRank : 0,
    gpuMemoryUtilization: svc.engine.gpuMemoryUtilization,
    gpuMemoryGiB,
  });
}

export function serviceFit(svc: EffectiveService, pool: PoolContract | undefined): FitResult<ServingMemory> {
  const warnings: string[] = [];
  const resolved = resolveModel(svc.model);
  if (resolved.warning !== undefined) warnings.push(resolved.warning);
  if (resolved.catalogId !== null && svc.engine.maxModelLen > resolved.arch.maxContext) {
    warnings.push(`engine.maxModelLen ${svc.engine.maxModelLen} exceeds ${resolved.arch.id}'s max_position_embeddings ${resolved.arch.maxContext}: vLLM refuses it unless RoPE scaling is configured`);
  }
  if (pool === undefined || pool.gpusPerNode === 0 || svc.device === "cpu" || svc.gpus === 0 || pool.gpuMemoryGiB === 0) return { estimate: undefined, errors: [], warnings };
  const est = serviceMemoryFor(svc, pool.gpuMemoryGiB);
  if (est.requiredGiB > est.budgetGiB) {
    const tries: string[] = [];
    const perGpuAt100 = est.requiredGiB / svc.engine.gpuMemoryUtilization;
    const inst = fitsInstanceHint(perGpuAt100, svc.gpus);
    if (inst !== undefined) tries.push(inst);
    for (const tp of [2, 4, 8].filter((t) => t > svc.engine.tensorParallelSize)) {
      const s = serviceMemoryFor(svc, pool.gpuMemoryGiB, tp);
      if (s.requiredGiB <= s.budgetGiB) {
        tries.push(`gpus: ${tp} (tensor parallel, ~${fmt(s.requiredGiB)} per GPU${tp > pool.gpusPerNode ? `, on a pool with ${tp} GPUs per node` : ""})`);
        break;
      }
    }
    for (let len = Math.floor(svc.engine.maxModelLen / 2); len >= 512; len = Math.floor(len / 2)) {
      const s = serviceMemoryFor(svc, pool.gpuMemoryGiB, undefined, len);
      if (s.requiredGiB <= s.budgetGiB) {
        tries.push(`engine.maxModelLen: ${len} (~${fmt(s.requiredGiB)})`);
        break;
      }
    }
    return {
      estimate: est,
      errors: [
        `does not fit pool "${pool.name}": needs ~${fmt(est.requiredGiB)} per GPU (weights ${fmt(est.weightsGiB)}, KV cache for one ${svc.engine.maxModelLen}-token sequence ${fmt(est.kvCacheGiB)}, LoRA slots ${fmt(est.loraSlotsGiB)}, runtime ${fmt(est.runtimeGiB)}) but gpuMemoryUtilization ${svc.engine.gpuMemoryUtilization} × ${fmt(pool.gpuMemoryGiB)} leaves ${fmt(est.budgetGiB)}; ` +
          (tries.length > 0 ? `try ${tries.join("; or ")}` : "no catalog GPU holds it: use a smaller base model"),
      ],
      warnings,
    };
  }
  if (est.requiredGiB < SERVING_OVERSIZED_SHARE * pool.gpuMemoryGiB) {
    const hint = smallerGpuHint(est.requiredGiB / svc.engine.gpuMemoryUtilization, pool.gpuMemoryGiB, poolGpu(pool));
    if (hint !== undefined) warnings.push(`oversized: needs ~${fmt(est.requiredGiB)} per GPU of pool "${pool.name}"'s ${fmt(pool.gpuMemoryGiB)}; ${hint} would hold it for less`);
  }
  return { estimate: est, errors: [], warnings };
}
