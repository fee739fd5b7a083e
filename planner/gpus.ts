/**
 * Accelerators llmkit can schedule on, keyed by the name Karpenter's AWS provider reports in the
 * `karpenter.k8s.aws/instance-gpu-name` label (lower-case). Memory is per GPU, from the instance
 * type documentation (https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html).
 * The full instance catalog with prices belongs to the planner issue; this is the part config
 * validation needs.
 */
export const GPU_MEMORY_GIB = {
  t4: 16,
  a10g: 24,
  l4: 24,
  l40s: 48,
  a100: 40,
  h100: 80,
  h200: 141,
} as const;

export type GpuName = keyof typeof GPU_MEMORY_GIB;
export const GPU_NAMES = Object.keys(GPU_MEMORY_GIB) as [GpuName, ...GpuName[]];

export interface GpuFamily {
  readonly gpu: GpuName;
  /** GPUs per instance across the family's sizes. */
  readonly counts: readonly number[];
  /** Whether the family's multi-GPU sizes support EFA for multi-node training. */
  readonly efa: boolean;
}

/**
 * EC2 instance families by accelerator, from the accelerated-computing instance table
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html). x86_64 only, as llmkit's GPU
 * images are (gr6, the Graviton L4 family, is left out), and p4de (A100 80 GB) is left out so
 * that `a100` means one memory size.
 */
export const GPU_FAMILIES: Readonly<Record<string, GpuFamily>> = {
  g4dn: { gpu: "t4", counts: [1, 4, 8], efa: false },
  g5: { gpu: "a10g", counts: [1, 4, 8], efa: false },
  g6: { gpu: "l4", counts: [1, 4, 8], efa: false },
  g6e: { gpu: "l40s", counts: [1, 4, 8], efa: false },
  p4d: { gpu: "a100", counts: [8], efa: true },
  p5: { gpu: "h100", counts: [1, 8], efa: true },
  p5e: { gpu: "h200", counts: [8], efa: true },
  p5en: { gpu: "h200", counts: [8], efa: true },
};

/** Catalog families carrying `gpu`, in table order. */
export function familiesWithGpu(gpu: GpuName): string[] {
  return Object.entries(GPU_FAMILIES)
    .filter(([, f]) => f.gpu === gpu)
    .map(([name]) => name);
}
