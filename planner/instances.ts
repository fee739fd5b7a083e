/**
 * AWS GPU instance types the planner prices (issue 7). Shapes (GPUs, GPU memory, vCPU, RAM, local
 * NVMe) from the EC2 accelerated-computing table, https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html;
 * on-demand Linux prices for us-east-1 from https://aws.amazon.com/ec2/pricing/on-demand/.
 *
 * `priceChecked` is the date the price was recorded and `priceStatus` how far it was confirmed:
 * - "confirmed": seen on the AWS page or a dated third-party copy of it on that date;
 * - "list-unconfirmed": AWS's published list price as recorded in our notes, not re-confirmed on
 *   `priceChecked` (AWS cut P4d/P5/P5en on-demand prices by up to 45% in June 2025,
 *   https://aws.amazon.com/about-aws/whats-new/2025/06/pricing-usage-model-ec2-instances-nvidia-gpus/;
 *   the P-family values below are the post-cut ones). Re-check before quoting a budget.
 * Other regions and spot: planner/pricing.ts (a region factor, and a labelled spot estimate).
 * Savings Plans and reservations are not modelled.
 */
import { GPU_FAMILIES, GPU_MEMORY_GIB, type GpuName } from "./gpus.ts";

export const PRICE_REGION = "us-east-1";
export const PRICE_SOURCE = "https://aws.amazon.com/ec2/pricing/on-demand/";

export interface InstanceType {
  readonly name: string;
  readonly family: string;
  readonly gpu: GpuName;
  readonly gpus: number;
  /** Memory per GPU in GiB (the family's GPU; see gpus.ts). */
  readonly gpuMemoryGiB: number;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Local NVMe instance storage in GB (decimal, as AWS lists it). */
  readonly nvmeGB: number;
  /** On-demand USD per instance-hour, Linux, us-east-1; `null` where AWS publishes none we could record. */
  readonly pricePerHour: number | null;
  readonly priceChecked: string;
  readonly priceStatus: "confirmed" | "list-unconfirmed";
}

type Row = [name: string, gpus: number, vcpu: number, memoryGiB: number, nvmeGB: number, price: number | null, status?: "confirmed"];

const CHECKED = "2026-11-24";

function family(fam: string, rows: readonly Row[]): InstanceType[] {
  const gpu = GPU_FAMILIES[fam]!.gpu;
  return rows.map(([name, gpus, vcpu, memoryGiB, nvmeGB, pricePerHour, status]) => ({
    name, family: fam, gpu, gpus, gpuMemoryGiB: GPU_MEMORY_GIB[gpu], vcpu, memoryGiB, nvmeGB, pricePerHour,
    priceChecked: CHECKED, priceStatus: status ?? "list-unconfirmed",
  }));
}

export const INSTANCE_TYPES: readonly InstanceType[] = [
  // g5: NVIDIA A10G 24 GB. g5.xlarge $1.006 confirmed (factualminds.com EC2 on-demand pricing, us-east-1, June 2026).
  ...family("g5", [
    ["g5.xlarge", 1, 4, 16, 250, 1.006, "confirmed"],
    ["g5.2xlarge", 1, 8, 32, 450, 1.212],
    ["g5.4xlarge", 1, 16, 64, 600, 1.624],
    ["g5.8xlarge", 1, 32, 128, 900, 2.448],
    ["g5.16xlarge", 1, 64, 256, 1900, 4.096],
    ["g5.12xlarge", 4, 48, 192, 3800, 5.672],
    ["g5.24xlarge", 4, 96, 384, 3800, 8.144],
    ["g5.48xlarge", 8, 192, 768, 7600, 16.288],
  ]),
  // g6: NVIDIA L4 24 GB.
  ...family("g6", [
    ["g6.xlarge", 1, 4, 16, 250, 0.8048],
    ["g6.2xlarge", 1, 8, 32, 450, 0.9776],
    ["g6.4xlarge", 1, 16, 64, 600, 1.3232],
    ["g6.8xlarge", 1, 32, 128, 900, 2.0144],
    ["g6.16xlarge", 1, 64, 256, 1880, 3.3968],
    ["g6.12xlarge", 4, 48, 192, 3760, 4.6016],
    ["g6.24xlarge", 4, 96, 384, 3760, 6.6752],
    ["g6.48xlarge", 8, 192, 768, 7520, 13.3504],
  ]),
  // g6e: NVIDIA L40S 48 GB.
  ...family("g6e", [
    ["g6e.xlarge", 1, 4, 32, 250, 1.861],
    ["g6e.2xlarge", 1, 8, 64, 450, 2.24208],
    ["g6e.4xlarge", 1, 16, 128, 600, 3.00424],
    ["g6e.8xlarge", 1, 32, 256, 900, 4.52856],
    ["g6e.16xlarge", 1, 64, 512, 1900, 7.57719],
    ["g6e.12xlarge", 4, 48, 384, 3800, 10.49264],
    ["g6e.24xlarge", 4, 96, 768, 3800, 15.06559],
    ["g6e.48xlarge", 8, 192, 1536, 7600, 30.13118],
  ]),
  // p4d: 8 x NVIDIA A100 40 GB, 8 x 1000 GB NVMe.
  ...family("p4d", [["p4d.24xlarge", 8, 96, 1152, 8000, 21.96]]),
  // p5: NVIDIA H100 80 GB; p5.4xlarge (1 GPU) launched August 2025.
  ...family("p5", [
    ["p5.4xlarge", 1, 16, 256, 3840, 6.88],
    ["p5.48xlarge", 8, 192, 2048, 30720, 55.04],
  ]),
  // p5e / p5en: 8 x NVIDIA H200 141 GB. p5e is sold through Capacity Blocks; no on-demand price recorded.
  ...family("p5e", [["p5e.48xlarge", 8, 192, 2048, 30720, null]]),
  ...family("p5en", [["p5en.48xlarge", 8, 192, 2048, 30720, 63.296]]),
];

/**
 * CPU instance types for the EKS system node group (stacks' `cluster.systemNodes.instanceType`),
 * on-demand Linux us-east-1 $/h. m7i.xlarge $0.2016 confirmed (c3x.dev, "m5 vs m6i vs m7i", 2026,
 * citing the us-east-1 list); the other sizes scale linearly within the family on AWS's list and
 * are list-unconfirmed. A type not listed here is reported unpriced.
 */
export const SYSTEM_INSTANCE_PRICES: Readonly<Record<string, { readonly pricePerHour: number; readonly priceStatus: InstanceType["priceStatus"] }>> = {
  "m7i.large": { pricePerHour: 0.1008, priceStatus: "list-unconfirmed" },
  "m7i.xlarge": { pricePerHour: 0.2016, priceStatus: "confirmed" },
  "m7i.2xlarge": { pricePerHour: 0.4032, priceStatus: "list-unconfirmed" },
};

/**
 * Dense bf16 tensor TFLOPS per GPU (NVIDIA datasheets, without sparsity), used only for the
 * training-time estimate. T4 has no bf16: its fp16 figure. A10G: NVIDIA publishes no datasheet; the
 * A10's 125 is scaled by the A10G's lower boost clock (~0.56×, AWS) to 70: an assumption.
 */
export const GPU_DENSE_TFLOPS: Readonly<Record<GpuName, number>> = {
  t4: 65,
  a10g: 70,
  l4: 121,
  l40s: 362,
  a100: 312,
  h100: 989,
  h200: 989,
};

export function instanceByName(name: string): InstanceType | undefined {
  return INSTANCE_TYPES.find((i) => i.name === name);
}

/** Kubelet's default max pods; kube-reserved memory grows with it. */
export const MAX_PODS = 110;

/**
 * Allocatable = capacity − kube-reserved − eviction threshold, with Karpenter's AWS formulas
 * (aws/karpenter-provider-aws@v1.12.1 pkg/providers/instancetype/types.go: CPU 6 % of the first
 * core, 1 % of the second, 0.5 % of the next two, 0.25 % of the rest; memory 11 MiB per pod +
 * 255 MiB; memory.available 100Mi). Max pods is kubelet's default 110 here, not the ENI limit.
 */
export function allocatable(t: { readonly vcpu: number; readonly memoryGiB: number }): { cpuMilli: number; memoryMiB: number } {
  const cores = t.vcpu;
  let reservedMilli = 60;
  if (cores > 1) reservedMilli += 10;
  if (cores > 2) reservedMilli += 5 * Math.min(cores - 2, 2);
  if (cores > 4) reservedMilli += 2.5 * (cores - 4);
  return { cpuMilli: cores * 1000 - Math.ceil(reservedMilli), memoryMiB: t.memoryGiB * 1024 - (11 * MAX_PODS + 255) - 100 };
}

/** A pod's CPU and memory requests. */
export interface PodRequest {
  readonly cpu: number;
  readonly memoryGiB: number;
}

/**
 * The instance type Karpenter would most likely launch for a pool: the cheapest catalog type with
 * this GPU and exactly `gpusPerNode` GPUs, within `families` when given, whose allocatable holds
 * `request` (Karpenter launches only a type the pending pod fits on). Karpenter also weighs
 * availability and spot prices; plan states which type it priced.
 */
export function cheapestInstance(gpu: GpuName, gpusPerNode: number, families?: readonly string[], request?: PodRequest): InstanceType | undefined {
  return INSTANCE_TYPES.filter(
    (i) => i.gpu === gpu && i.gpus === gpusPerNode && (families === undefined || families.includes(i.family)) && (request === undefined || holds(i, request)),
  ).sort(byPrice)[0];
}

function holds(t: InstanceType, request: PodRequest): boolean {
  const a = allocatable(t);
  return a.cpuMilli >= request.cpu * 1000 && a.memoryMiB >= request.memoryGiB * 1024;
}

/** Catalog instance types cheapest first whose `gpus` GPUs hold `neededGiBPerGpu` each. */
export function fittingInstances(neededGiBPerGpu: number, gpus: number): InstanceType[] {
  return INSTANCE_TYPES.filter((i) => i.gpus >= gpus && i.gpuMemoryGiB >= neededGiBPerGpu).sort(byPrice);
}

/** Cheapest first; unpriced types last. */
function byPrice(a: InstanceType, b: InstanceType): number {
  return (a.pricePerHour ?? Number.POSITIVE_INFINITY) - (b.pricePerHour ?? Number.POSITIVE_INFINITY);
}

/** Lowest on-demand price of one GPU of this model across the catalog (instance price / GPUs). */
export function pricePerGpuHour(gpu: GpuName): number | undefined {
  const prices = INSTANCE_TYPES.filter((i) => i.gpu === gpu && i.pricePerHour !== null).map((i) => i.pricePerHour! / i.gpus);
  return prices.length === 0 ? undefined : Math.min(...prices);
}
