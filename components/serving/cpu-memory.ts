/**
 * vLLM's CPU backend sizes its KV cache from VLLM_CPU_KVCACHE_SPACE, or without it from the
 * node's RAM (50 % of what psutil reports free, vllm-project/vllm#29604, vllm/platforms/cpu.py),
 * which ignores the container's memory limit: the pod is OOM-killed while allocating it. So the
 * kit always sets it, from the memory limit. Pure.
 */
import { GIB, servingMemory } from "../../planner/memory.ts";
import { modelByRepo, paramCount } from "../../planner/models.ts";
import type { ModelConfig } from "../lib/inputs.ts";

/**
 * @default 3 GiB — the CPU image runs three processes that each import torch (API server
 * ~0.9 GB, engine core ~0.5 GB, worker ~0.75 GB before weights, measured with vLLM's CPU image
 * on a 4 GiB pod), plus the warm-up batch and the CPU LoRA slots.
 */
export const CPU_RUNTIME_GIB = 3;
/** vLLM reads the variable with `int()` as GiB (vllm-project/vllm@v0.21.0:vllm/envs.py "VLLM_CPU_KVCACHE_SPACE"): 1 is the smallest non-zero value. */
export const MIN_CPU_KV_CACHE_GIB = 1;

export interface CpuMemoryInput {
  readonly memoryGiB: number;
  /** Memory-backed /dev/shm, charged to the same limit. */
  readonly shmGiB: number;
  readonly model: Pick<ModelConfig, "repo" | "sizeGiB">;
  readonly maxModelLen: number;
}

/** Whole GiB left for the KV cache: limit − /dev/shm − weights − runtime, rounded down. */
export function cpuKvCacheGiB(x: CpuMemoryInput): number {
  return Math.floor(x.memoryGiB - x.shmGiB - x.model.sizeGiB - CPU_RUNTIME_GIB);
}

/** KV bytes of one maxModelLen sequence (planner/memory.ts formula), or undefined for a model outside the catalog. */
export function oneSequenceKvBytes(x: CpuMemoryInput): number | undefined {
  const arch = modelByRepo(x.model.repo);
  if (arch === undefined) return undefined;
  const m = servingMemory({ arch, params: paramCount(arch), tensorParallel: 1, maxModelLen: x.maxModelLen, maxLoras: 0, maxLoraRank: 0, gpuMemoryUtilization: 1, gpuMemoryGiB: 0 });
  return m.kvPerTokenBytes * x.maxModelLen;
}

/** Why the limit cannot hold a KV cache of ≥ 1 GiB and one maxModelLen sequence; undefined when it can. */
export function cpuKvCacheProblem(x: CpuMemoryInput): string | undefined {
  const kv = cpuKvCacheGiB(x);
  const sequence = oneSequenceKvBytes(x);
  const neededGiB = Math.max(MIN_CPU_KV_CACHE_GIB, sequence === undefined ? 0 : Math.ceil(sequence / GIB));
  if (kv >= neededGiB) return undefined;
  const forSequence = sequence === undefined ? "" : ` and must hold one engine.maxModelLen (${x.maxModelLen}) sequence, ${(sequence / GIB).toFixed(2)} GiB`;
  const minimum = Math.ceil(x.shmGiB + x.model.sizeGiB + CPU_RUNTIME_GIB) + neededGiB;
  return (
    `leaves ${kv} GiB for vLLM's CPU KV cache (VLLM_CPU_KVCACHE_SPACE = ${x.memoryGiB} GiB limit − ${x.shmGiB} GiB /dev/shm − ` +
    `${x.model.sizeGiB} GiB weights − ${CPU_RUNTIME_GIB} GiB runtime, in whole GiB); it must be at least ${MIN_CPU_KV_CACHE_GIB} GiB${forSequence}: ` +
    `raise resources.memoryGiB to ${minimum}${neededGiB > MIN_CPU_KV_CACHE_GIB ? " or lower engine.maxModelLen" : ""}`
  );
}
