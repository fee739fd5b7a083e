/**
 * From the catalog's us-east-1 on-demand list prices (instances.ts) to what a pool in another
 * region, or on spot capacity, costs. Two adjustments, both stated in every plan:
 *
 * - Region: a factor per region on the us-east-1 price. Only regions with a recorded factor are
 *   priced; any other region prices nothing (null) rather than guess.
 * - Spot: an ESTIMATE. Spot prices move with supply per zone and hour; AWS states savings "up to
 *   90%" (https://aws.amazon.com/ec2/spot/pricing/). Published GPU comparisons put spot at 50–80%
 *   below on-demand (e.g. https://deploybase.ai/articles/spot-vs-on-demand-gpu-pricing-how-to-save-50-80,
 *   AWS P3 60–70%), and the June 2025 on-demand cuts for P4d/P5 narrowed the gap
 *   (https://aws.amazon.com/about-aws/whats-new/2025/06/pricing-usage-model-ec2-instances-nvidia-gpus/).
 *   We assume spot = 0.4 × on-demand, the conservative end of that range. Check real prices with
 *   `aws ec2 describe-spot-price-history --instance-types <type> --region <region>`.
 */
import type { CapacityType } from "../components/platform/aws/karpenter/presets.ts";
import { PRICE_REGION } from "./instances.ts";

/** Hours in an average month (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface RegionFactor {
  readonly factor: number;
  /** "base": the catalog's own region; "list-unconfirmed": recorded from AWS's list, not re-checked. */
  readonly status: "base" | "list-unconfirmed";
}

/**
 * Regions the shipped stacks use. us-west-2: AWS lists the same on-demand Linux prices as
 * us-east-1 for the g5, g6, g6e and p5 sizes in our notes (https://aws.amazon.com/ec2/pricing/on-demand/,
 * recorded 2026-11-24, not re-confirmed per size).
 */
export const REGION_FACTORS: Readonly<Record<string, RegionFactor>> = {
  [PRICE_REGION]: { factor: 1, status: "base" },
  "us-west-2": { factor: 1, status: "list-unconfirmed" },
};

/** Spot price assumed as a fraction of on-demand: an estimate, never a quote (see the header). */
export const SPOT_PRICE_FACTOR = 0.4;

/** EKS control plane, standard support: $0.10 per cluster-hour (https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/). */
export const EKS_CONTROL_PLANE_PER_HOUR = 0.1;

/** How a price was reached: the on-demand list price, or the spot estimate where a pool allows spot. */
export type PriceBasis = "on-demand" | "spot-estimate";

/**
 * The price Karpenter most likely pays: spot where the pool allows it (Karpenter launches the
 * cheaper offering first), else on-demand. Reserved capacity (ODCRs, Capacity Blocks) is billed
 * through the reservation at about the on-demand rate, so it is priced as on-demand.
 */
export function expectedBasis(capacityTypes: readonly CapacityType[]): PriceBasis {
  return capacityTypes.includes("spot") ? "spot-estimate" : "on-demand";
}

export function atBasis(onDemand: number, basis: PriceBasis): number {
  return basis === "spot-estimate" ? onDemand * SPOT_PRICE_FACTOR : onDemand;
}

/** The us-east-1 list price moved to `region`; undefined where no factor is recorded. */
export function inRegion(usEast1: number, region: string): number | undefined {
  const f = REGION_FACTORS[region];
  return f === undefined ? undefined : usEast1 * f.factor;
}
