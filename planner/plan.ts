/**
 * `npm run plan` (issue 7): per fine-tune and service (vLLM and custom runtimes), the GPUs, memory
 * estimate vs capacity, price and cost, and the multi-LoRA comparison; for a stack that deploys an
 * AWS platform, its pools and cluster (pools.ts); per-stack totals. `buildPlan` is pure and returns
 * `PlanReport`, the stable JSON shape `--json` prints (documented in planner/README.md);
 * `formatPlan` (format.ts) is the human table.
 */
import { platformContract } from "../components/platform/contract.ts";
import { resolveFineTune, type EffectiveFineTune } from "../components/training/defaults.ts";
import { resolveService, type EffectiveService } from "../components/serving/defaults.ts";
import { peakReplicas } from "../components/serving/autoscaling.ts";
import { resolvePool } from "../components/platform/aws/karpenter/pools.ts";
import type { CapacityType } from "../components/platform/aws/karpenter/presets.ts";
import type { PoolContract } from "../components/lib/scheduling.ts";
import type { LoadedStack } from "../config/load.ts";
import { fitFindings, pinnedAdapters } from "../config/preflight.ts";
import type { ModelConfig } from "../components/lib/inputs.ts";
import type { ServingConfig } from "../components/serving/inputs.ts";
import { fineTuneFit, serviceFit, trainingInput } from "./fit.ts";
import type { GpuName } from "./gpus.ts";
import { cheapestInstance, GPU_DENSE_TFLOPS, PRICE_REGION, PRICE_SOURCE, type PodRequest } from "./instances.ts";
import { adapterBytes, GIB } from "./memory.ts";
import { clusterPlan, poolPlans, type ClusterPlan, type PoolPlan } from "./pools.ts";
import { atBasis, expectedBasis, HOURS_PER_MONTH, inRegion, REGION_FACTORS, round, SPOT_PRICE_FACTOR, type PriceBasis } from "./pricing.ts";
import { resolveModel } from "./resolve.ts";

/** 2: region and spot pricing, custom runtimes, platform pools and cluster, totals. */
export const PLAN_SCHEMA_VERSION = 2;
/** Rows assumed for a dataset whose `samples` is unset (the planner cannot read the file offline). */
export const ASSUMED_SAMPLES_PER_DATASET = 10_000;
/**
 * Model FLOPs utilisation of LoRA training. Measured 0.33–0.35 on an H100 for Qwen2.5-7B (planner/
 * calibration/measured.json: 7,560 tokens/s with gradient checkpointing, 10,569 without); 0.3 leaves
 * room for data loading and padding.
 */
export const TRAINING_MFU = 0.3;
/** QLoRA dequantises every weight on every pass; assumed 0.6× LoRA's throughput (not measured here). */
export const QLORA_SPEED_FACTOR = 0.6;

export interface PlanModel {
  readonly name: string;
  readonly repo: string;
  /** Catalog id, or null when estimated from sizeGiB. */
  readonly catalogId: string | null;
  readonly paramsB: number;
}

export interface PlanPlacement {
  readonly pool: string;
  /** GPU model (aws pools), null when unknown (existing clusters) or a CPU pool. */
  readonly gpu: GpuName | null;
  readonly gpusPerNode: number;
  readonly gpuMemoryGiB: number;
  /** Catalog instance type priced (cheapest with this GPU and count), null off AWS. */
  readonly instanceType: string | null;
  /** The pool's Karpenter capacity types; [] off AWS. */
  readonly capacityTypes: CapacityType[];
  /** How the two prices below were reached; null when unpriced. */
  readonly priceBasis: PriceBasis | null;
  /** On-demand $/instance-hour in the platform's region (the upper bound on spot pools). */
  readonly onDemandPerHour: number | null;
  /** $/instance-hour and $/GPU-hour at `priceBasis`. */
  readonly instancePricePerHour: number | null;
  readonly pricePerGpuHour: number | null;
}

export interface FineTunePlan {
  readonly name: string;
  readonly model: PlanModel;
  readonly method: "lora" | "qlora";
  readonly quantBits: 4 | 8 | null;
  readonly gpus: number;
  readonly placement: PlanPlacement;
  /** null for CPU jobs. */
  readonly memory: {
    readonly perGpuGiB: number;
    readonly capacityGiB: number;
    readonly fits: boolean;
    readonly weightsGiB: number;
    readonly adapterStatesGiB: number;
    readonly activationsGiB: number;
    readonly runtimeGiB: number;
  } | null;
  readonly adapter: { readonly params: number; readonly sizeMiB: number };
  readonly run: {
    readonly tokens: number;
    /** True when some dataset has no `samples` and ASSUMED_SAMPLES_PER_DATASET was used. */
    readonly tokensAssumed: boolean;
    /** null for CPU jobs. */
    readonly tokensPerSecond: number | null;
    readonly hours: number | null;
    /** At the placement's price basis (the spot estimate on spot pools). */
    readonly costUsd: number | null;
    /** The same run at on-demand prices: the upper bound. */
    readonly costUsdOnDemand: number | null;
  };
}

export interface ServicePlan {
  readonly name: string;
  /** "custom": any pinned HTTP server image (components/serving/custom.ts): no model, memory or multi-LoRA figures. */
  readonly runtime: "vllm" | "custom";
  /** The custom runtime's image; null for vllm. */
  readonly image: string | null;
  /** null for custom runtimes (the image brings its own model). */
  readonly model: PlanModel | null;
  readonly adapters: number;
  /** GPUs per replica (vllm: tensor parallel degree); 0 on CPU. */
  readonly gpus: number;
  /** `peak` is replicas.max with autoscaling, else replicas.min (replicas stay there). */
  readonly replicas: { readonly min: number; readonly max: number; readonly peak: number };
  readonly placement: PlanPlacement;
  readonly memory: {
    readonly perGpuGiB: number;
    readonly budgetGiB: number;
    readonly capacityGiB: number;
    readonly fits: boolean;
    readonly weightsGiB: number;
    readonly kvCacheGiB: number;
    readonly loraSlotsGiB: number;
    readonly runtimeGiB: number;
    readonly maxConcurrentSequences: number;
  } | null;
  /** At min and peak replicas, at the placement's price basis. */
  readonly monthlyUsd: { readonly min: number; readonly max: number } | null;
  /** N adapters on one base (this service) vs N merged models, one deployment each, at min replicas; null for custom runtimes. */
  readonly multiLora: {
    readonly adapters: number;
    readonly shared: { readonly gpus: number; readonly storageGiB: number; readonly monthlyUsd: number | null };
    readonly merged: { readonly gpus: number; readonly storageGiB: number; readonly monthlyUsd: number | null };
  } | null;
}

export interface PlanPrices {
  /** The platform's AWS region; null off AWS. */
  readonly region: string | null;
  /** Region of the catalog's list prices (planner/instances.ts). */
  readonly catalogRegion: string;
  readonly source: string;
  /** Factor on catalog prices for `region` and how far it is confirmed; null when the region has none (nothing priced) or off AWS. */
  readonly regionFactor: number | null;
  readonly regionFactorStatus: "base" | "list-unconfirmed" | null;
  /** Spot price as a fraction of on-demand: an estimate (planner/pricing.ts), never a quote. */
  readonly spotFactor: number;
  readonly spotFactorStatus: "estimate";
}

export interface PlanTotals {
  /** Σ fine-tune runs, one-off: at each pool's price basis, and all on-demand. */
  readonly trainingUsd: { readonly expected: number; readonly onDemand: number } | null;
  /** Σ services at min and peak replicas. */
  readonly servingMonthlyUsd: { readonly min: number; readonly max: number } | null;
  /** Platform stacks: idle = control plane + system nodes at min; max = that at system max + every pool at its GPU limit, on-demand. */
  readonly platformMonthlyUsd: { readonly idle: number; readonly max: number } | null;
  /** Items left out of the sums above because they have no price (e.g. "fineTunes.x", "pools.y"). */
  readonly unpriced: string[];
}

export interface PlanReport {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  readonly stack: string;
  readonly env: string;
  readonly provider: "aws" | "local" | "existing";
  readonly prices: PlanPrices;
  readonly assumptions: {
    readonly hoursPerMonth: number;
    readonly assumedSamplesPerDataset: number;
    readonly trainingMfu: number;
    readonly qloraSpeedFactor: number;
  };
  readonly fineTunes: FineTunePlan[];
  readonly services: ServicePlan[];
  /** The Karpenter GPU pools this stack deploys (AWS platform or all-in-one stacks); [] otherwise. */
  readonly pools: PoolPlan[];
  /** The EKS cluster this stack deploys; null otherwise. */
  readonly cluster: ClusterPlan | null;
  readonly totals: PlanTotals;
  /** Config errors from the fit checks (a stack with any is refused by preflight). */
  readonly errors: string[];
  readonly warnings: string[];
}

function planModel(m: ModelConfig): PlanModel {
  const r = resolveModel(m);
  return { name: m.name, repo: m.repo, catalogId: r.catalogId, paramsB: round(r.params / 1e9, 2) };
}

function placementFor(loaded: LoadedStack, pool: PoolContract | undefined, poolName: string, request: PodRequest): PlanPlacement {
  const platform = loaded.platform;
  const unpriced = { instanceType: null, capacityTypes: [], priceBasis: null, onDemandPerHour: null, instancePricePerHour: null, pricePerGpuHour: null };
  const base = { pool: poolName, gpu: null, gpusPerNode: pool?.gpusPerNode ?? 0, gpuMemoryGiB: pool?.gpuMemoryGiB ?? 0 };
  const config = platform.provider === "aws" ? platform.gpuPools.find((g) => g.name === poolName) : undefined;
  if (platform.provider !== "aws" || config === undefined) return { ...base, ...unpriced };
  const resolved = resolvePool(config);
  const inst = cheapestInstance(resolved.gpu.name, resolved.gpu.count, resolved.families, request);
  const onDemand = inst === undefined || inst.pricePerHour === null ? undefined : inRegion(inst.pricePerHour, platform.region);
  const basis = expectedBasis(resolved.capacityTypes);
  const priced = onDemand === undefined ? undefined : atBasis(onDemand, basis);
  return {
    ...base,
    gpu: resolved.gpu.name,
    instanceType: inst?.name ?? null,
    capacityTypes: [...resolved.capacityTypes],
    priceBasis: priced === undefined ? null : basis,
    onDemandPerHour: onDemand === undefined ? null : round(onDemand, 4),
    instancePricePerHour: priced === undefined ? null : round(priced, 4),
    pricePerGpuHour: priced === undefined || inst === undefined ? null : round(priced / inst.gpus, 4),
  };
}

/** Training tokens = Σ datasets (samples or the assumption) × (1 − valRatio) × maxLength × epochs: an upper bound (no packing; samples shorter than maxLength cost less). */
export function trainingTokens(spec: EffectiveFineTune): { tokens: number; assumed: boolean } {
  const rows = spec.datasets.reduce((s, d) => s + (d.samples ?? ASSUMED_SAMPLES_PER_DATASET), 0);
  const tokens = Math.round(rows * (1 - spec.training.valRatio) * spec.training.maxLength * spec.training.epochs);
  return { tokens, assumed: spec.datasets.some((d) => d.samples === null) };
}

/** tokens/s per GPU = dense TFLOPS × MFU / (k × params), k = 6 with gradient checkpointing (fwd + bwd + recompute), 4 without; × 0.6 for QLoRA. */
export function trainingTokensPerSecond(gpu: GpuName, params: number, gradientCheckpointing: boolean, qlora: boolean): number {
  const flopsPerToken = (gradientCheckpointing ? 6 : 4) * params;
  return ((GPU_DENSE_TFLOPS[gpu] * 1e12 * TRAINING_MFU) / flopsPerToken) * (qlora ? QLORA_SPEED_FACTOR : 1);
}

function fineTunePlan(loaded: LoadedStack, spec: EffectiveFineTune, model: ModelConfig, pool: PoolContract | undefined): FineTunePlan {
  const fit = fineTuneFit(spec, model, pool);
  const input = trainingInput(spec, model);
  const placement = placementFor(loaded, pool, spec.pool, spec.resources);
  const { tokens, assumed } = trainingTokens(spec);
  const tps = placement.gpu !== null && spec.gpus > 0 ? trainingTokensPerSecond(placement.gpu, input.params, input.gradientCheckpointing, spec.method === "qlora") : null;
  const hours = tps === null ? null : tokens / (tps * spec.gpus) / 3600;
  const est = fit.estimate;
  return {
    name: spec.name,
    model: planModel(model),
    method: spec.method,
    quantBits: spec.quantBits,
    gpus: spec.gpus,
    placement,
    memory:
      est === undefined
        ? null
        : {
            perGpuGiB: round(est.totalGiB),
            capacityGiB: placement.gpuMemoryGiB,
            fits: est.totalGiB <= placement.gpuMemoryGiB,
            weightsGiB: round(est.weightsGiB),
            adapterStatesGiB: round(est.adapterStatesGiB),
            activationsGiB: round(est.activationsGiB),
            runtimeGiB: round(est.runtimeGiB),
          },
    adapter: { params: est?.trainableParams ?? trainingAdapterParams(input), sizeMiB: round(adapterBytes(input.arch, input.rank, input.targets) / 2 ** 20, 1) },
    run: {
      tokens,
      tokensAssumed: assumed,
      tokensPerSecond: tps === null ? null : Math.round(tps),
      hours: hours === null ? null : round(hours),
      costUsd: hours === null || placement.pricePerGpuHour === null ? null : round(hours * spec.gpus * placement.pricePerGpuHour),
      // the priced instance has exactly gpusPerNode GPUs (cheapestInstance)
      costUsdOnDemand: hours === null || placement.onDemandPerHour === null ? null : round((hours * spec.gpus * placement.onDemandPerHour) / placement.gpusPerNode),
    },
  };
}

function trainingAdapterParams(input: ReturnType<typeof trainingInput>): number {
  return Math.round((adapterBytes(input.arch, input.rank, input.targets) - 4096) / 4);
}

type ReplicaSpec = Pick<ServingConfig, "replicas" | "autoscaling">;

/** $/month of one replica at the placement's price basis; null when unpriced or on CPU. */
function replicaMonthly(placement: PlanPlacement, gpus: number): number | null {
  return placement.pricePerGpuHour === null || gpus === 0 ? null : placement.pricePerGpuHour * gpus * HOURS_PER_MONTH;
}

function replicas(spec: ReplicaSpec) {
  return { min: spec.replicas.min, max: spec.replicas.max, peak: peakReplicas(spec) };
}

function monthly(perReplica: number | null, r: { min: number; peak: number }) {
  return perReplica === null ? null : { min: round(perReplica * r.min), max: round(perReplica * r.peak) };
}

function servicePlan(loaded: LoadedStack, svc: EffectiveService, spec: ReplicaSpec, pool: PoolContract | undefined): ServicePlan {
  const fit = serviceFit(svc, pool);
  const placement = placementFor(loaded, pool, svc.pool, svc.resources);
  const est = fit.estimate;
  const gpus = svc.device === "cpu" ? 0 : svc.gpus;
  const perReplica = replicaMonthly(placement, gpus);
  const r = replicas(spec);
  const n = Math.max(1, svc.adapters.length);
  const arch = resolveModel(svc.model).arch;
  const adapterGiB = svc.adapters.reduce((sum, a) => sum + adapterBytes(arch, a.rank, "all-linear"), 0) / GIB;
  const baseGiB = svc.model.sizeGiB;
  return {
    name: svc.name,
    runtime: "vllm",
    image: null,
    model: planModel(svc.model),
    adapters: svc.adapters.length,
    gpus,
    replicas: r,
    placement,
    memory:
      est === undefined
        ? null
        : {
            perGpuGiB: round(est.requiredGiB),
            budgetGiB: round(est.budgetGiB),
            capacityGiB: placement.gpuMemoryGiB,
            fits: est.requiredGiB <= est.budgetGiB,
            weightsGiB: round(est.weightsGiB),
            kvCacheGiB: round(est.kvCacheGiB),
            loraSlotsGiB: round(est.loraSlotsGiB),
            runtimeGiB: round(est.runtimeGiB),
            maxConcurrentSequences: est.maxConcurrentSequences,
          },
    monthlyUsd: monthly(perReplica, r),
    multiLora: {
      adapters: n,
      shared: { gpus: gpus * r.min, storageGiB: round(baseGiB + adapterGiB), monthlyUsd: perReplica === null ? null : round(perReplica * r.min) },
      merged: { gpus: n * gpus * r.min, storageGiB: round(n * baseGiB), monthlyUsd: perReplica === null ? null : round(n * perReplica * r.min) },
    },
  };
}

/** A custom runtime (components/serving/custom.ts): GPUs × replicas × price; no engine memory model. */
function customServicePlan(loaded: LoadedStack, spec: ServingConfig, image: string, pool: PoolContract | undefined): ServicePlan {
  // a custom runtime must state its resources (components/serving/custom.ts)
  const placement = placementFor(loaded, pool, spec.pool, spec.resources ?? { cpu: 0, memoryGiB: 0 });
  const r = replicas(spec);
  return {
    name: spec.name,
    runtime: "custom",
    image,
    model: null,
    adapters: 0,
    gpus: spec.gpus,
    replicas: r,
    placement,
    memory: null,
    monthlyUsd: monthly(replicaMonthly(placement, spec.gpus), r),
    multiLora: null,
  };
}

function prices(loaded: LoadedStack): PlanPrices {
  const region = loaded.platform.provider === "aws" ? loaded.platform.region : null;
  const factor = region === null ? undefined : REGION_FACTORS[region];
  return {
    region,
    catalogRegion: PRICE_REGION,
    source: PRICE_SOURCE,
    regionFactor: factor?.factor ?? null,
    regionFactorStatus: factor?.status ?? null,
    spotFactor: SPOT_PRICE_FACTOR,
    spotFactorStatus: "estimate",
  };
}

const sum = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0));

function totals(fineTunes: FineTunePlan[], services: ServicePlan[], pools: PoolPlan[], cluster: ClusterPlan | null): PlanTotals {
  const unpriced: string[] = [];
  const priced = <T, V>(items: T[], value: (t: T) => V | null, label: (t: T) => string): V[] =>
    items.flatMap((t) => {
      const v = value(t);
      if (v === null) unpriced.push(label(t));
      return v === null ? [] : [v];
    });
  const runs = priced(fineTunes, (f) => (f.run.costUsd === null || f.run.costUsdOnDemand === null ? null : f.run), (f) => `fineTunes.${f.name}`);
  const serving = priced(services, (s) => s.monthlyUsd, (s) => `serving.${s.name}`);
  const poolMax = priced(pools, (p) => p.usd?.maxPerMonth ?? null, (p) => `pools.${p.name}`);
  const system = cluster === null ? null : cluster.systemNodes.monthlyUsd;
  if (cluster !== null && system === null) unpriced.push(`cluster.systemNodes (${cluster.systemNodes.instanceType})`);
  const fixed = cluster === null ? 0 : cluster.controlPlaneMonthlyUsd;
  return {
    trainingUsd: runs.length === 0 ? null : { expected: sum(runs.map((r) => r.costUsd!)), onDemand: sum(runs.map((r) => r.costUsdOnDemand!)) },
    servingMonthlyUsd: serving.length === 0 ? null : { min: sum(serving.map((m) => m.min)), max: sum(serving.map((m) => m.max)) },
    platformMonthlyUsd: cluster === null ? null : { idle: sum([fixed, system?.min ?? 0]), max: sum([fixed, system?.max ?? 0, ...poolMax]) },
    unpriced,
  };
}

export function buildPlan(loaded: LoadedStack): PlanReport {
  const { config, platform } = loaded;
  const contract = platformContract(platform);
  const pools = new Map(contract.pools.map((p) => [p.name, p]));
  const models = new Map(config.models.map((m) => [m.name, m]));
  const findings = fitFindings(loaded, contract);
  const fineTunes = config.fineTunes.map((spec) => fineTunePlan(loaded, resolveFineTune(spec), models.get(spec.baseModel)!, pools.get(spec.pool)));
  const services = config.serving.map((spec) =>
    spec.runtime === "vllm"
      ? servicePlan(loaded, resolveService(spec, models.get(spec.baseModel!)!, pinnedAdapters(loaded, spec.adapters)), spec, pools.get(spec.pool))
      : customServicePlan(loaded, spec, spec.runtime.image, pools.get(spec.pool)),
  );
  // Pools and cluster belong to the stack that deploys them (a workloads stack only runs on them).
  const owned = config.platform?.provider === "aws" ? config.platform : undefined;
  const poolList = owned === undefined ? [] : poolPlans(owned);
  const cluster = owned === undefined ? null : clusterPlan(owned);
  const p = prices(loaded);
  const regionWarning =
    p.region !== null && p.regionFactor === null
      ? [`prices: region ${p.region} has no price factor in planner/pricing.ts (REGION_FACTORS): GPU instances are left unpriced rather than guessed`]
      : [];
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    stack: loaded.stack,
    env: config.env,
    provider: platform.provider,
    prices: p,
    assumptions: { hoursPerMonth: HOURS_PER_MONTH, assumedSamplesPerDataset: ASSUMED_SAMPLES_PER_DATASET, trainingMfu: TRAINING_MFU, qloraSpeedFactor: QLORA_SPEED_FACTOR },
    fineTunes,
    services,
    pools: poolList,
    cluster,
    totals: totals(fineTunes, services, poolList, cluster),
    errors: findings.errors,
    warnings: [...regionWarning, ...findings.warnings],
  };
}
