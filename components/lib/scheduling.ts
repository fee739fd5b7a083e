/**
 * The scheduling contract: what the platform layer promises about each node pool, and the only
 * thing workloads use to place pods (docs/architecture.md §6: GPU pods request, tolerate and select the pool).
 */
export interface Toleration {
  readonly key: string;
  readonly operator: "Exists" | "Equal";
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface PoolContract {
  readonly name: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  /** Extended resource that counts accelerators (e.g. `nvidia.com/gpu`); absent on CPU pools. */
  readonly gpuResource?: string;
  /** Accelerators per node (0 for CPU pools): the most one pod can request. */
  readonly gpusPerNode: number;
  /** Memory of one accelerator in GiB (0 for CPU pools). */
  readonly gpuMemoryGiB: number;
  /** Most accelerators the pool runs at once (Karpenter NodePool limit); absent where llmkit sets none. */
  readonly gpuLimit?: number;
}

export const NVIDIA_GPU = "nvidia.com/gpu";
export const POOL_LABEL = "llmkit.dev/pool";

/** Fields of a pod spec and container resources that place a pod on `pool` with `gpus` accelerators. */
export function placement(pool: PoolContract, gpus: number) {
  if (gpus > 0 && pool.gpuResource === undefined) {
    throw new Error(`pool "${pool.name}" has no accelerators but ${gpus} GPU(s) were requested`);
  }
  const gpuLimits: Record<string, string> =
    gpus > 0 && pool.gpuResource !== undefined ? { [pool.gpuResource]: String(gpus) } : {};
  return {
    nodeSelector: { ...pool.nodeSelector },
    tolerations: pool.tolerations.map((t) => ({ ...t })),
    gpuLimits,
  };
}
