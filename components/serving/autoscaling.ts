/**
 * KEDA autoscaling of one serving Deployment (pure): resolve, check, render the ScaledObject.
 * Spec: keda.sh/v1alpha1 ScaledObject, KEDA 2.20.2 (charts/index.ts); fields as in
 * kedacore/keda-docs content/docs/2.15/reference/scaledobject-spec.md (unchanged since), the
 * prometheus scaler's metadata as in keda.sh/docs/<ver>/scalers/prometheus.
 */
import type { PlatformContract } from "../platform/contract.ts";
import type { ScalingSpec } from "./defaults.ts";
import { ENVOY_PROXY_NAMESPACE } from "../lib/gateway.ts";
import { gatewayNames } from "./gateway.ts";
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

/**
 * @default 2m — window of the wake-up query: at least 4 scrapes of the Envoy proxies (15 s,
 * components/platform/addons/envoy-monitoring.ts), so one request shows in every poll for ~2 min.
 */
export const WAKE_WINDOW = "2m";

export type EffectiveTrigger =
  | {
      readonly kind: "prometheus";
      readonly name: string;
      readonly query: string;
      readonly threshold: number;
      /** KEDA activationThreshold: active when the value exceeds it (kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go). */
      readonly activationThreshold?: number;
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
 * Envoy pod labels the platform's PodMonitor copies onto every proxy series with `podTargetLabels`
 * (components/platform/addons/envoy-monitoring.ts): the Prometheus Operator names each target label
 * after the pod label with every character outside [a-zA-Z0-9_] replaced by "_"
 * (prometheus-operator pkg/prometheus/promcfg.go, `sanitizeLabelName`).
 */
const OWNING_GATEWAY_NAME = "gateway_envoyproxy_io_owning_gateway_name";
const OWNING_GATEWAY_NAMESPACE = "gateway_envoyproxy_io_owning_gateway_namespace";

/** The ScaledObject trigger that wakes a scale-to-zero service from its gateway's request count. */
export const WAKE_TRIGGER = "gateway-requests";

/**
 * The wake-up signal of a scale-to-zero service: requests its Gateway's Envoy proxies answered
 * 2xx (served) or 5xx in the window. At 0 ready endpoints Envoy Gateway v1.9.0 turns the route
 * into a 503 direct response (internal/gatewayapi/route.go, "setting 503 direct response in routes
 * due to no ready endpoints"), so no upstream cluster counts it; the HTTP connection manager does
 * (`http.<stat_prefix>.downstream_rq_5xx`, exported as `envoy_http_downstream_rq_xx` with the
 * default tags `envoy_response_code_class` and `envoy_http_conn_manager_prefix`, envoyproxy/envoy
 * source/common/config/well_known_names.cc; Envoy Gateway keeps `use_all_default_tags`). Auth and the rate
 * limit run before the router, so 401/403/429/404 are 4xx and do not wake the service. The prefix
 * `http-<port>`/`https-<port>` (internal/xds/translator/listener.go `hcmStatPrefix`) leaves out
 * the proxy's own stats and readiness listeners (`eg-stats-http`, `eg-ready-http`). One Gateway
 * per service, so its proxies carry only this route. Clamped to 1 against threshold 1: the trigger
 * asks for one replica at most and the vLLM triggers size the rest.
 */
export function wakeQuery(name: string, namespace: string): string {
  return `clamp_max(sum(increase(${wakeSeries(name, namespace)}[${WAKE_WINDOW}])), 1)`;
}

/** The Envoy counters wakeQuery reads (2xx and 5xx answers of this service's Gateway listeners). */
export function wakeSeries(name: string, namespace: string): string {
  const sel = [
    `namespace="${ENVOY_PROXY_NAMESPACE}"`,
    `${OWNING_GATEWAY_NAMESPACE}="${namespace}"`,
    `${OWNING_GATEWAY_NAME}="${gatewayNames(name).gateway}"`,
    'envoy_http_conn_manager_prefix=~"https?-[0-9]+"',
    'envoy_response_code_class=~"2|5"',
  ].join(",");
  return `envoy_http_downstream_rq_xx{${sel}}`;
}

/**
 * `query`, or 0 while the Deployment has no available replica (kube-state-metrics says so). With
 * `ignoreNullValues: "false"` an empty result is an error (kedacore/keda v2.20.2
 * pkg/scalers/prometheus_scaler.go, ExecutePromQuery), and after `failureThreshold` errors the
 * HPA is fed `fallback.replicas` (pkg/fallback/fallback.go): on every cold start, before the first
 * replica is scraped, the service would jump to its fallback count while nothing can serve.
 * With replicas available and the metric still missing the query stays empty (an error, so the
 * fallback), and so does it when kube-state-metrics itself is not scraped.
 */
export function zeroWhileUnavailable(query: string, deployment: string, namespace: string): string {
  return `${query} or on() (0 * sum(${availableReplicas(deployment, namespace)} == 0))`;
}

/** kube-state-metrics' available-replica gauge of one Deployment. */
export function availableReplicas(deployment: string, namespace: string): string {
  return `kube_deployment_status_replicas_available{namespace="${namespace}",deployment="${deployment}"}`;
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
  // scrape, which must not freeze the service at its floor (docs/architecture.md §8). At 0 replicas
  // nothing is scraped, so scale-to-zero services read empty as 0.
  const emptyIsError = spec.replicas.min > 0;
  // Envoy exports its counters from start, so an empty wake query is a broken scrape: an error,
  // on which KEDA 2.20.2 does not scale a running service to 0 (it holds the fallback count;
  // pkg/scaling/executor/scale_scaledobjects.go) — nor wakes one that is already at 0.
  const wake: EffectiveTrigger[] =
    spec.replicas.min === 0 && spec.exposure !== undefined
      ? [{ kind: "prometheus", name: WAKE_TRIGGER, query: wakeQuery(spec.name, namespace), threshold: 1, activationThreshold: 0, emptyIsError: true }]
      : [];
  const query = (metric: string) => (emptyIsError ? zeroWhileUnavailable(`sum(${metric}${sel})`, spec.name, namespace) : `sum(${metric}${sel})`);
  return [
    { kind: "prometheus", name: "queue-depth", query: query(m.waiting), threshold: spec.autoscaling?.queueDepth ?? DEFAULT_QUEUE_DEPTH, emptyIsError },
    { kind: "prometheus", name: "kv-cache", query: query(m.kvCacheUsage), threshold: spec.autoscaling?.kvCacheUsage ?? DEFAULT_KV_CACHE_USAGE, emptyIsError },
    ...wake,
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

/** The most replicas a service runs: replicas.max when it autoscales, else its fixed replicas.min. */
export function peakReplicas(spec: Pick<ScalingSpec, "autoscaling" | "replicas">): number {
  return spec.autoscaling === undefined ? spec.replicas.min : spec.replicas.max;
}

/** Every reason `spec` cannot scale as asked on this platform; the GPU cap applies with or without autoscaling. */
export function autoscalingProblems(spec: ScalingSpec, facts: ScalingFacts, contract: PlatformContract): string[] {
  const problems: string[] = [];
  const a = spec.autoscaling;
  const top = peakReplicas(spec);
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
  if (spec.replicas.min === 0) problems.push(...wakeProblems(spec));
  return problems;
}

/** A service at 0 replicas exports nothing itself: only a signal from outside it can wake it. */
function wakeProblems(spec: ScalingSpec): string[] {
  if (spec.runtime === "vllm") {
    return spec.exposure === undefined
      ? ["replicas.min: is 0 but the service is not exposed: at 0 replicas vLLM exports no metrics and only its gateway's request count can wake it: add exposure or set replicas.min ≥ 1"]
      : [];
  }
  // KEDA's cpu scaler cannot wake a service from 0 (keda.sh/docs/2.13/scalers/cpu on: only with another, non-CPU trigger)
  return spec.autoscaling?.metric === undefined
    ? ["replicas.min: is 0 but only cpuUtilization scales the service, and a stopped app uses no CPU: scale on autoscaling.metric or set replicas.min ≥ 1"]
    : [];
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
      ...(t.activationThreshold !== undefined ? { activationThreshold: String(t.activationThreshold) } : {}),
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
