/**
 * Prometheus metric names of each vLLM version llmkit pins (docs/architecture.md §8: names drift between
 * versions, and KEDA reads an empty query as zero). Autoscaling, alerts and dashboards take their
 * names only from here, so a version bump without an entry fails before anything deploys.
 */

export interface VllmMetrics {
  /** Gauge: requests queued for the engine (the scale-out signal). */
  readonly waiting: string;
  /** Gauge: requests in the running batch. */
  readonly running: string;
  /** Gauge 0–1: share of KV-cache blocks in use. */
  readonly kvCacheUsage: string;
  /** Histogram (seconds), exposed as `_bucket`/`_sum`/`_count`. */
  readonly timeToFirstToken: string;
  /** Histogram (seconds). */
  readonly e2eLatency: string;
  /** Counter, exposed with the `_total` suffix. */
  readonly generationTokens: string;
  /** Counter with a `status` label grouped as "2xx"/"4xx"/"5xx" (prometheus_fastapi_instrumentator). */
  readonly httpRequests: string;
}

/**
 * Keyed by the version of `images.vllm`/`images.vllmCpu` (components/lib/versions.ts).
 * 0.21.0: the names vllm/v1/metrics/loggers.py registers (checked in metrics.test.ts).
 * `vllm:gpu_cache_usage_perc` was deprecated for `vllm:kv_cache_usage_perc` by vllm-project/vllm#18354
 * and is no longer emitted by default since the deprecated-metrics cycle ended (vllm#30041,
 * kubernetes-sigs/gateway-api-inference-extension#1905). `http_requests_total{status="5xx"}`: vLLM's
 * API server is instrumented by prometheus_fastapi_instrumentator (vllm#15657; docs/design/metrics.md
 * "HTTP metrics" shows `http_requests_total{handler,method,status="2xx"}`).
 */
export const VLLM_METRICS: Readonly<Record<string, VllmMetrics>> = {
  "0.21.0": {
    waiting: "vllm:num_requests_waiting",
    running: "vllm:num_requests_running",
    kvCacheUsage: "vllm:kv_cache_usage_perc",
    timeToFirstToken: "vllm:time_to_first_token_seconds",
    e2eLatency: "vllm:e2e_request_latency_seconds",
    generationTokens: "vllm:generation_tokens_total",
    httpRequests: "http_requests_total",
  },
};

/** Problems with a vLLM version the map does not know (an empty list when it is mapped). */
export function metricsProblems(version: string): string[] {
  return VLLM_METRICS[version] !== undefined
    ? []
    : [
        `vLLM ${version} has no entry in VLLM_METRICS (components/serving/metrics.ts; known: ${Object.keys(VLLM_METRICS).join(", ")}): ` +
          "check the metric names that version exposes and add them before pinning it, or autoscaling would read empty queries",
      ];
}

export function vllmMetrics(version: string): VllmMetrics {
  const metrics = VLLM_METRICS[version];
  if (metrics === undefined) throw new Error(metricsProblems(version)[0]);
  return metrics;
}

/** The metrics a ScaledObject scales a vLLM service on: each gets an `absent()` alert. */
export function scalingMetrics(m: VllmMetrics): readonly string[] {
  return [m.waiting, m.kvCacheUsage];
}
