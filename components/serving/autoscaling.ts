/**
 * KEDA autoscaling of one serving Deployment (pure): resolve, check, render the ScaledObject.
 * Spec: keda.sh/v1alpha1 ScaledObject, KEDA 2.20.2 (charts/index.ts); fields as in
 * kedacore/keda-docs content/docs/2.15/reference/scaledobject-spec.md (unchanged since), the
 * prometheus scaler's metadata as in keda.sh/docs/<ver>/scalers/prometheus.
 */
import type { PlatformContract } from "../platform/contract.ts";
import type { ScalingSpec } from "./defaults.ts";
import { metricsProblems, vllmMetrics } from "./metrics.ts";

/** @default 4 waiting requests per replica — a queue that a 7B engine clears within a few seconds at batch size 32+. */
export const DEFAULT_QUEUE_DEPTH = 4;
/** @default 0.8 — above ~80 % KV-cache use vLLM starts preempting running requests. */
export const DEFAULT_KV_CACHE_USAGE = 0.8;
/** @default 15 s — KEDA's default is 30 s; a queue builds fast and a GPU replica takes minutes to arrive. */
export const POLLING_SECONDS = 15;
/** @default 3 failed polls (45 s) before the fallback replica count applies. */
export const FALLBACK_FAILURES = 3;
/** @default 900 s — scale-to-zero services keep their last replica 15 min after the last activity (a cold start costs ~30 min). */
export const COOLDOWN_SECONDS = 900;

/**
 * HPA behaviour (autoscaling/v2 HorizontalPodAutoscalerBehavior, passed through by KEDA):
 * up at once, by up to 2 pods a minute (a new GPU replica needs a node and a weight load, so
 * asking early matters); down only after 10 min of lower load and one pod per 5 min (a replica
 * given back takes that long to return, and flapping pays the cold start again).
 */
export const SCALING_BEHAVIOR = {
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] },
  scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: "Min", policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
} as const;

export type EffectiveTrigger =
  | {
      readonly kind: "prometheus";
      readonly name: string;
      readonly query: string;
      readonly threshold: number;
      /** An empty result is an error (then the fallback), not a silent 0: KEDA's ignoreNullValues "false". */
      readonly emptyIsError: boolean;
    }
  | { readonly kind: "cpu"; readonly utilization: number };

export interface EffectiveAutoscaling {
  readonly min: number;
  readonly max: number;
  readonly triggers: readonly EffectiveTrigger[];
  /** Replicas held while a Prometheus trigger fails (absent with a CPU trigger: KEDA refuses fallback there). */
  readonly fallbackReplicas: number | undefined;
}

/** Where the service's metrics live: the labels Prometheus adds when scraping its Service. */
export function metricSelector(name: string, namespace: string): string {
  return `{namespace="${namespace}",service="${name}"}`;
}

/**
 * Both vLLM queries are sums over the service's pods read as AverageValue (replicas =
 * ceil(sum / threshold)), so both get the fallback, which KEDA supports for AverageValue only.
 * A sum of KV-cache use over threshold × replicas is the same test as its average over threshold.
 */
function vllmTriggers(spec: ScalingSpec, namespace: string, version: string): EffectiveTrigger[] {
  const m = vllmMetrics(version);
  const sel = metricSelector(spec.name, namespace);
  // vLLM exports both gauges from its first scrape: empty means a renamed metric or a broken
  // scrape, which must not freeze the service at its floor (DESIGN.md §8). At 0 replicas
  // nothing is scraped, so scale-to-zero services read empty as 0.
  const emptyIsError = spec.replicas.min > 0;
  return [
    { kind: "prometheus", name: "queue-depth", query: `sum(${m.waiting}${sel})`, threshold: spec.autoscaling?.queueDepth ?? DEFAULT_QUEUE_DEPTH, emptyIsError },
    { kind: "prometheus", name: "kv-cache", query: `sum(${m.kvCacheUsage}${sel})`, threshold: spec.autoscaling?.kvCacheUsage ?? DEFAULT_KV_CACHE_USAGE, emptyIsError },
  ];
}

function customTriggers(spec: ScalingSpec): EffectiveTrigger[] {
  const a = spec.autoscaling;
  return [
    // an app's own series may only appear with its first request: empty reads as 0
    ...(a?.metric !== undefined ? [{ kind: "prometheus" as const, name: "metric", query: a.metric.query, threshold: a.metric.threshold, emptyIsError: false }] : []),
    ...(a?.cpuUtilization !== undefined ? [{ kind: "cpu" as const, utilization: a.cpuUtilization }] : []),
  ];
}

/**
 * `undefined` without `spec.autoscaling`. `engineVersion` is the pinned vLLM version (metric
 * names); validate with autoscalingProblems first, which refuses a version the map lacks.
 */
export function resolveAutoscaling(spec: ScalingSpec, namespace: string, engineVersion: string): EffectiveAutoscaling | undefined {
  if (spec.autoscaling === undefined) return undefined;
  const triggers = spec.runtime === "vllm" ? vllmTriggers(spec, namespace, engineVersion) : customTriggers(spec);
  const { min, max } = spec.replicas;
  return {
    min,
    max,
    triggers,
    // metrics unknown: hold the middle of the range, at least one replica (never the full GPU bill)
    fallbackReplicas: triggers.some((t) => t.kind === "cpu") ? undefined : Math.max(1, Math.ceil((min + max) / 2)),
  };
}

export interface ScalingFacts {
  readonly pool: string;
  /** GPUs per replica (0 on CPU). */
  readonly gpus: number;
  /** Pinned vLLM version, for vllm services. */
  readonly engineVersion?: string;
}

/** Every reason `spec` cannot scale as asked on this platform; the GPU cap applies with or without autoscaling. */
export function autoscalingProblems(spec: ScalingSpec, facts: ScalingFacts, contract: PlatformContract): string[] {
  const problems: string[] = [];
  const a = spec.autoscaling;
  const top = a === undefined ? spec.replicas.min : spec.replicas.max;
  const limit = contract.pools.find((p) => p.name === facts.pool)?.gpuLimit;
  if (limit !== undefined && facts.gpus > 0 && top * facts.gpus > limit) {
    const field = a === undefined ? "replicas.min" : "replicas.max";
    problems.push(
      `${field} (${top}) × gpus (${facts.gpus}) = ${top * facts.gpus} GPUs exceeds pool "${facts.pool}"'s gpuLimit (${limit}): ` +
        `lower ${field} to ${Math.floor(limit / facts.gpus)} or raise the pool's gpuLimit`,
    );
  }
  if (a === undefined) return problems;
  // refused rather than ignored: a silent fixed size would hide that the endpoint does not scale
  if (!contract.addons.keda) {
    problems.push("autoscaling needs KEDA but the platform has none (platform.addons.keda is off): switch it on or remove autoscaling (replicas stay at replicas.min)");
  }
  const usesPrometheus = spec.runtime === "vllm" || a.metric !== undefined;
  if (usesPrometheus && contract.addons.prometheusUrl === null) {
    problems.push(
      'autoscaling queries Prometheus but the platform has none (platform.addons.prometheus is "none"): set it to "install" or {url}' +
        (spec.runtime === "vllm" ? "" : ", or scale on cpuUtilization"),
    );
  }
  if (spec.runtime === "vllm" && facts.engineVersion !== undefined) problems.push(...metricsProblems(facts.engineVersion));
  return problems;
}

function renderTrigger(t: EffectiveTrigger, serverAddress: string | null) {
  if (t.kind === "cpu") return { type: "cpu", name: "cpu", metricType: "Utilization", metadata: { value: String(t.utilization) } };
  if (serverAddress === null) throw new Error(`trigger "${t.name}" needs Prometheus but the platform contract has no prometheusUrl`);
  return {
    type: "prometheus",
    name: t.name,
    metricType: "AverageValue",
    metadata: {
      serverAddress,
      query: t.query,
      threshold: String(t.threshold),
      ignoreNullValues: String(!t.emptyIsError),
    },
  };
}

export function renderScaledObject(
  a: EffectiveAutoscaling,
  target: { readonly name: string; readonly namespace: string; readonly labels: Readonly<Record<string, string>> },
  contract: PlatformContract,
) {
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: target.name, namespace: target.namespace, labels: { ...target.labels } },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target.name },
      pollingInterval: POLLING_SECONDS,
      // only used when scaling to and from zero
      ...(a.min === 0 ? { cooldownPeriod: COOLDOWN_SECONDS } : {}),
      minReplicaCount: a.min,
      maxReplicaCount: a.max,
      ...(a.fallbackReplicas !== undefined ? { fallback: { failureThreshold: FALLBACK_FAILURES, replicas: a.fallbackReplicas } } : {}),
      advanced: { horizontalPodAutoscalerConfig: { behavior: SCALING_BEHAVIOR } },
      triggers: a.triggers.map((t) => renderTrigger(t, contract.addons.prometheusUrl)),
    },
  };
}
