/**
 * `npm run plan` (issue 7): per fine-tune and service, the GPUs, memory estimate vs capacity, price
 * and cost, and the multi-LoRA comparison. `buildPlan` is pure and returns `PlanReport`, the stable
 * JSON shape `--json` prints (documented in planner/README.md); `formatPlan` is the human table.
 */
import { platformContract } from "../components/platform/contract.ts";
import { resolveFineTune, type EffectiveFineTune } from "../components/training/defaults.ts";
import { resolveService, type EffectiveService } from "../components/serving/defaults.ts";
import type { PoolContract } from "../components/lib/scheduling.ts";
import type { LoadedStack } from "../stacks/load.ts";
import { fitFindings, pinnedAdapters } from "../stacks/preflight.ts";
import type { ModelConfig } from "../stacks/schema.ts";
import { fineTuneFit, serviceFit, trainingInput } from "./fit.ts";
import type { GpuName } from "./gpus.ts";
import { cheapestInstance, GPU_DENSE_TFLOPS, PRICE_REGION, PRICE_SOURCE, type InstanceType } from "./instances.ts";
import { adapterBytes, GIB } from "./memory.ts";
import { resolveModel } from "./resolve.ts";

export const PLAN_SCHEMA_VERSION = 1;
/** Hours in an average month (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
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
    readonly costUsd: number | null;
  };
}

export interface ServicePlan {
  readonly name: string;
  readonly model: PlanModel;
  readonly adapters: number;
  /** GPUs per replica (tensor parallel degree); 0 on CPU. */
  readonly gpus: number;
  readonly replicas: { readonly min: number; readonly max: number };
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
  readonly monthlyUsd: { readonly min: number; readonly max: number } | null;
  /** N adapters on one base (this service) vs N merged models, one deployment each, at min replicas. */
  readonly multiLora: {
    readonly adapters: number;
    readonly shared: { readonly gpus: number; readonly storageGiB: number; readonly monthlyUsd: number | null };
    readonly merged: { readonly gpus: number; readonly storageGiB: number; readonly monthlyUsd: number | null };
  };
}

export interface PlanReport {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  readonly stack: string;
  readonly env: string;
  readonly provider: "aws" | "local" | "existing";
  readonly prices: { readonly region: string; readonly source: string; readonly basis: "on-demand" };
  readonly assumptions: {
    readonly hoursPerMonth: number;
    readonly assumedSamplesPerDataset: number;
    readonly trainingMfu: number;
    readonly qloraSpeedFactor: number;
  };
  readonly fineTunes: FineTunePlan[];
  readonly services: ServicePlan[];
  /** Config errors from the fit checks (a stack with any is refused by preflight). */
  readonly errors: string[];
  readonly warnings: string[];
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function planModel(m: ModelConfig): PlanModel {
  const r = resolveModel(m);
  return { name: m.name, repo: m.repo, catalogId: r.catalogId, paramsB: round(r.params / 1e9, 2) };
}

function placementFor(loaded: LoadedStack, pool: PoolContract | undefined, poolName: string): PlanPlacement {
  const platform = loaded.platform;
  let gpu: GpuName | null = null;
  let inst: InstanceType | undefined;
  if (platform.provider === "aws") {
    const p = platform.gpuPools.find((g) => g.name === poolName);
    if (p !== undefined) {
      gpu = p.gpu.name;
      inst = cheapestInstance(p.gpu.name, p.gpu.count, p.instanceFamilies);
    }
  }
  const price = inst?.pricePerHour ?? null;
  return {
    pool: poolName,
    gpu,
    gpusPerNode: pool?.gpusPerNode ?? 0,
    gpuMemoryGiB: pool?.gpuMemoryGiB ?? 0,
    instanceType: inst?.name ?? null,
    instancePricePerHour: price,
    pricePerGpuHour: price === null || inst === undefined ? null : round(price / inst.gpus, 4),
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
  const placement = placementFor(loaded, pool, spec.pool);
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
    },
  };
}

function trainingAdapterParams(input: ReturnType<typeof trainingInput>): number {
  return Math.round((adapterBytes(input.arch, input.rank, input.targets) - 4096) / 4);
}

function servicePlan(loaded: LoadedStack, svc: EffectiveService, spec: { replicas: { min: number; max: number } }, pool: PoolContract | undefined): ServicePlan {
  const fit = serviceFit(svc, pool);
  const placement = placementFor(loaded, pool, svc.pool);
  const est = fit.estimate;
  const gpus = svc.device === "cpu" ? 0 : svc.gpus;
  const replicaMonthly = placement.pricePerGpuHour === null || gpus === 0 ? null : placement.pricePerGpuHour * gpus * HOURS_PER_MONTH;
  const n = Math.max(1, svc.adapters.length);
  const r = resolveModel(svc.model);
  const adapterGiB = svc.adapters.reduce((s, a) => s + adapterBytes(r.arch, a.rank, "all-linear"), 0) / GIB;
  const baseGiB = svc.model.sizeGiB;
  return {
    name: svc.name,
    model: planModel(svc.model),
    adapters: svc.adapters.length,
    gpus,
    replicas: { min: spec.replicas.min, max: spec.replicas.max },
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
    monthlyUsd: replicaMonthly === null ? null : { min: round(replicaMonthly * spec.replicas.min), max: round(replicaMonthly * spec.replicas.max) },
    multiLora: {
      adapters: n,
      shared: { gpus: gpus * spec.replicas.min, storageGiB: round(baseGiB + adapterGiB), monthlyUsd: replicaMonthly === null ? null : round(replicaMonthly * spec.replicas.min) },
      merged: { gpus: n * gpus * spec.replicas.min, storageGiB: round(n * baseGiB), monthlyUsd: replicaMonthly === null ? null : round(n * replicaMonthly * spec.replicas.min) },
    },
  };
}

export function buildPlan(loaded: LoadedStack): PlanReport {
  const { config } = loaded;
  const contract = platformContract(loaded.platform);
  const pools = new Map(contract.pools.map((p) => [p.name, p]));
  const models = new Map(config.models.map((m) => [m.name, m]));
  const findings = fitFindings(loaded, contract);
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    stack: loaded.stack,
    env: config.env,
    provider: loaded.platform.provider,
    prices: { region: PRICE_REGION, source: PRICE_SOURCE, basis: "on-demand" },
    assumptions: { hoursPerMonth: HOURS_PER_MONTH, assumedSamplesPerDataset: ASSUMED_SAMPLES_PER_DATASET, trainingMfu: TRAINING_MFU, qloraSpeedFactor: QLORA_SPEED_FACTOR },
    fineTunes: config.fineTunes.map((spec) => fineTunePlan(loaded, resolveFineTune(spec), models.get(spec.baseModel)!, pools.get(spec.pool))),
    // vLLM services only: a custom runtime has no engine memory model (components/serving/custom.ts)
    services: config.serving.flatMap((spec) =>
      spec.baseModel === undefined
        ? []
        : [servicePlan(loaded, resolveService(spec, models.get(spec.baseModel)!, pinnedAdapters(loaded, spec.adapters)), spec, pools.get(spec.pool))],
    ),
    errors: findings.errors,
    warnings: findings.warnings,
  };
}

const usd = (n: number | null) => (n === null ? "n/a" : `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const gib = (n: number) => `${n.toFixed(1)} GiB`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
}

function gpuCell(p: PlanPlacement, gpus: number): string {
  if (gpus === 0 || p.gpusPerNode === 0) return `cpu (${p.pool})`;
  return `${gpus}× ${p.gpu ?? "gpu"} ${p.gpuMemoryGiB} GiB (${p.pool}${p.instanceType !== null ? `, ${p.instanceType}` : ""})`;
}

export function formatPlan(r: PlanReport): string[] {
  const out = [`plan for stack "${r.stack}" (env ${r.env}, ${r.provider}); prices: ${r.prices.basis} ${r.prices.region}, ${r.prices.source}`];
  if (r.fineTunes.length > 0) {
    out.push("", "fine-tunes");
    out.push(
      ...table([
        ["name", "model", "method", "GPUs", "memory/GPU", "$/GPU-h", "tokens", "hours", "run cost"],
        ...r.fineTunes.map((f) => [
          f.name,
          `${f.model.repo}${f.model.catalogId === null ? " (estimated)" : ""}`,
          f.method === "qlora" ? `qlora-${f.quantBits}` : "lora",
          gpuCell(f.placement, f.gpus),
          f.memory === null ? "n/a (cpu)" : `${gib(f.memory.perGpuGiB)} / ${gib(f.memory.capacityGiB)}${f.memory.fits ? "" : " DOES NOT FIT"}`,
          usd(f.placement.pricePerGpuHour),
          `${(f.run.tokens / 1e6).toFixed(1)}M${f.run.tokensAssumed ? "*" : ""}`,
          f.run.hours === null ? "n/a" : f.run.hours.toFixed(2),
          usd(f.run.costUsd),
        ]),
      ]).map((l) => `  ${l}`),
    );
    if (r.fineTunes.some((f) => f.run.tokensAssumed)) out.push(`  * a dataset without samples: ${r.assumptions.assumedSamplesPerDataset} rows assumed`);
    for (const f of r.fineTunes) out.push(`  ${f.name}: adapter ${(f.adapter.params / 1e6).toFixed(1)}M params, ${f.adapter.sizeMiB} MiB on disk`);
  }
  if (r.services.length > 0) {
    out.push("", "services");
    out.push(
      ...table([
        ["name", "model", "GPUs/replica", "replicas", "memory/GPU (budget)", "max-len seqs", "monthly min", "monthly max"],
        ...r.services.map((s) => [
          s.name,
          `${s.model.repo}${s.model.catalogId === null ? " (estimated)" : ""}`,
          gpuCell(s.placement, s.gpus),
          `${s.replicas.min}-${s.replicas.max}`,
          s.memory === null ? "n/a (cpu)" : `${gib(s.memory.perGpuGiB)} (${gib(s.memory.budgetGiB)})${s.memory.fits ? "" : " DOES NOT FIT"}`,
          s.memory === null ? "n/a" : String(s.memory.maxConcurrentSequences),
          usd(s.monthlyUsd?.min ?? null),
          usd(s.monthlyUsd?.max ?? null),
        ]),
      ]).map((l) => `  ${l}`),
    );
    out.push("", "multi-LoRA: N adapters on one base vs N merged deployments (at min replicas)");
    out.push(
      ...table([
        ["service", "N", "shared GPUs", "shared storage", "shared $/month", "merged GPUs", "merged storage", "merged $/month"],
        ...r.services.map((s) => [
          s.name,
          String(s.multiLora.adapters),
          String(s.multiLora.shared.gpus),
          gib(s.multiLora.shared.storageGiB),
          usd(s.multiLora.shared.monthlyUsd),
          String(s.multiLora.merged.gpus),
          gib(s.multiLora.merged.storageGiB),
          usd(s.multiLora.merged.monthlyUsd),
        ]),
      ]).map((l) => `  ${l}`),
    );
  }
  if (r.errors.length > 0) out.push("", "errors", ...r.errors.map((e) => `  - ${e}`));
  if (r.warnings.length > 0) out.push("", "warnings", ...r.warnings.map((w) => `  - ${w}`));
  return out;
}
