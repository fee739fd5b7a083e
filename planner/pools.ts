/**
 * What a platform stack's capacity can cost: per Karpenter GPU pool, the instance types it may
 * launch, its capacity types, and the most its GPU limit lets it spend; plus the EKS system node
 * group and control plane. AWS platforms only: local and existing clusters have no price list.
 */
import { DEFAULT_SYSTEM_NODES } from "../components/platform/aws/defaults.ts";
import { resolvePool } from "../components/platform/aws/karpenter/pools.ts";
import type { CapacityType } from "../components/platform/aws/karpenter/presets.ts";
import type { PlatformConfig } from "../components/platform/inputs.ts";
import type { GpuName } from "./gpus.ts";
import { INSTANCE_TYPES, SYSTEM_INSTANCE_PRICES } from "./instances.ts";
import { atBasis, EKS_CONTROL_PLANE_PER_HOUR, expectedBasis, HOURS_PER_MONTH, inRegion, round, type PriceBasis } from "./pricing.ts";

export interface PoolPlan {
  readonly name: string;
  readonly preset: string;
  readonly gpu: GpuName;
  readonly gpusPerNode: number;
  /** Catalog types the NodePool's requirements admit (GPU, count, families), cheapest first. */
  readonly instanceTypes: string[];
  readonly capacityTypes: CapacityType[];
  /** How `expected` is priced: spot where the pool allows spot, else on-demand. */
  readonly priceBasis: PriceBasis;
  readonly gpuLimit: number;
  /** Nodes the GPU limit allows: floor(gpuLimit / gpusPerNode). */
  readonly maxNodes: number;
  /**
   * Every node the limit allows on the cheapest admitted type (Karpenter launches the cheapest type
   * that fits GPU-bound pods). `max` is on-demand: a spot pool falls back to on-demand when spot has
   * no capacity. `expected` is at `priceBasis`. `ceiling` is every node on the priciest admitted
   * type, reached only when pods request that much CPU or memory. null when unpriced.
   */
  readonly usd: {
    readonly instanceType: string;
    readonly maxPerHour: number;
    readonly maxPerMonth: number;
    readonly expectedMaxPerMonth: number;
    readonly ceilingInstanceType: string;
    readonly ceilingPerMonth: number;
  } | null;
}

export interface ClusterPlan {
  readonly systemNodes: {
    readonly instanceType: string;
    readonly min: number;
    readonly max: number;
    readonly pricePerHour: number | null;
    readonly monthlyUsd: { readonly min: number; readonly max: number } | null;
  };
  readonly controlPlaneMonthlyUsd: number;
}

type AwsPlatform = Extract<PlatformConfig, { provider: "aws" }>;

export function poolPlans(platform: AwsPlatform): PoolPlan[] {
  return platform.gpuPools.map((config) => {
    const pool = resolvePool(config);
    const admitted = INSTANCE_TYPES.filter((i) => i.gpu === pool.gpu.name && i.gpus === pool.gpu.count && pool.families.includes(i.family))
      .map((i) => ({ name: i.name, perHour: i.pricePerHour === null ? undefined : inRegion(i.pricePerHour, platform.region) }))
      .sort((a, b) => (a.perHour ?? Infinity) - (b.perHour ?? Infinity));
    const priced = admitted.filter((i): i is { name: string; perHour: number } => i.perHour !== undefined);
    const basis = expectedBasis(pool.capacityTypes);
    const maxNodes = Math.floor(pool.gpuLimit / pool.gpu.count);
    const cheapest = priced[0];
    const priciest = priced.at(-1);
    return {
      name: pool.name,
      preset: pool.preset,
      gpu: pool.gpu.name,
      gpusPerNode: pool.gpu.count,
      instanceTypes: admitted.map((i) => i.name),
      capacityTypes: [...pool.capacityTypes],
      priceBasis: basis,
      gpuLimit: pool.gpuLimit,
      maxNodes,
      usd:
        cheapest === undefined || priciest === undefined
          ? null
          : {
              instanceType: cheapest.name,
              maxPerHour: round(maxNodes * cheapest.perHour),
              maxPerMonth: round(maxNodes * cheapest.perHour * HOURS_PER_MONTH),
              expectedMaxPerMonth: round(maxNodes * atBasis(cheapest.perHour, basis) * HOURS_PER_MONTH),
              ceilingInstanceType: priciest.name,
              ceilingPerMonth: round(maxNodes * priciest.perHour * HOURS_PER_MONTH),
            },
    };
  });
}

export function clusterPlan(platform: AwsPlatform): ClusterPlan {
  const nodes = platform.cluster.systemNodes ?? DEFAULT_SYSTEM_NODES;
  const listed = SYSTEM_INSTANCE_PRICES[nodes.instanceType];
  const perHour = listed === undefined ? undefined : inRegion(listed.pricePerHour, platform.region);
  return {
    systemNodes: {
      instanceType: nodes.instanceType,
      min: nodes.min,
      max: nodes.max,
      pricePerHour: perHour === undefined ? null : round(perHour, 4),
      monthlyUsd: perHour === undefined ? null : { min: round(nodes.min * perHour * HOURS_PER_MONTH), max: round(nodes.max * perHour * HOURS_PER_MONTH) },
    },
    controlPlaneMonthlyUsd: round(EKS_CONTROL_PLANE_PER_HOUR * HOURS_PER_MONTH),
  };
}
