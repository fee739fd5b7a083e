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
