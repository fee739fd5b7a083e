/**
 * Monitoring objects of one serving Deployment (pure): a ServiceMonitor for its /metrics, a
 * PrometheusRule with its alerts and a Grafana dashboard ConfigMap. Metric names come only from
 * metrics.ts. Kinds: monitoring.coreos.com/v1 (Prometheus Operator v0.93.1, kube-prometheus-stack
 * 88.5.3). That Prometheus selects every ServiceMonitor and PrometheusRule in every namespace
 * (charts/values/kube-prometheus-stack.yaml sets *SelectorNilUsesHelmValues: false, so
 * templates/prometheus/prometheus.yaml renders `{}` selectors): no `release` label is needed.
 */
import { DEFAULT_KV_CACHE_USAGE, DEFAULT_QUEUE_DEPTH, availableReplicas, metricSelector } from "./autoscaling.ts";
import { scalingMetrics, type VllmMetrics } from "./metrics.ts";

export interface MonitorTarget {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the Service to scrape (its selector labels). */
  readonly serviceLabels: Readonly<Record<string, string>>;
  /** Named Service port and path of the metrics endpoint. */
  readonly port: string;
  readonly path: string;
}

/**
 * The grafana chart's dashboard sidecar imports ConfigMaps labelled so (kube-prometheus-stack
 * values.yaml grafana.sidecar.dashboards label `grafana_dashboard`, labelValue "1"). llmkit installs
 * no Grafana: a team's Grafana with that sidecar (searchNamespace covering this namespace) picks it up.
 */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** @default 15 s — as often as KEDA polls, so scaling never acts on older data than it could. */
export const SCRAPE_INTERVAL = "15s";

export function renderServiceMonitor(t: MonitorTarget) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: t.name, namespace: t.namespace, labels: { ...t.labels } },
    spec: {
      selector: { matchLabels: { ...t.serviceLabels } },
      namespaceSelector: { matchNames: [t.namespace] },
      // scrapes go to the pods behind the Service; the targets get `namespace` and `service` labels
      endpoints: [{ port: t.port, path: t.path, interval: SCRAPE_INTERVAL, scrapeTimeout: "10s" }],
    },
  };
}

export interface AlertThresholds {
  readonly queueDepth: number;
  readonly kvCacheUsage: number;
}

/** Alert thresholds: the autoscaling targets, or their defaults when the service does not scale. */
export function alertThresholds(a: { readonly queueDepth?: number; readonly kvCacheUsage?: number } | undefined): AlertThresholds {
  return { queueDepth: a?.queueDepth ?? DEFAULT_QUEUE_DEPTH, kvCacheUsage: a?.kvCacheUsage ?? DEFAULT_KV_CACHE_USAGE };
}

/** Deployment pods are `<deployment>-<replicaset hash>-<suffix>`; no other service's pods match. */
function podPattern(name: string): string {
  return `${name}-[a-z0-9]+-[a-z0-9]+`;
}

/** `extraLabels` tell apart rules of one name (promtool check rules --lint-fatal refuses duplicates). */
function alert(name: string, expr: string, forDuration: string, severity: "warning" | "critical", summary: string, runbook: string, extraLabels: Record<string, string> = {}) {
  return { alert: name, expr, for: forDuration, labels: { severity, ...extraLabels }, annotations: { summary, description: runbook } };
}

/**
 * A scale-to-zero service wakes only on its Gateway's Envoy counters (autoscaling.ts wakeSeries):
 * without them it stays at 0 replicas while clients get 503s. Envoy exports its response-class
 * counters from start-up (at 0 too), so absent means the proxies are not scraped.
 */
export function wakeAlertRule(t: Pick<MonitorTarget, "name" | "namespace">, series: string) {
  return alert(
    "LlmkitServingWakeMetricAbsent",
    `absent(${series})`,
    "15m",
    "critical",
    `${t.namespace}/${t.name}: the gateway request count that wakes it from zero is missing`,
    "The service cannot scale up from 0 replicas. Check the envoy-proxies PodMonitor target in Prometheus (/targets, namespace envoy-gateway-system, port metrics 19001) and that the service's Gateway has programmed proxies (kubectl get gateway).",
  );
}

/** The alert rules of a vLLM service; `t.name` is the Service/Deployment name. */
export function vllmAlertRules(t: Pick<MonitorTarget, "name" | "namespace">, m: VllmMetrics, th: AlertThresholds) {
  const sel = metricSelector(t.name, t.namespace);
  const who = `${t.namespace}/${t.name}`;
  const fetchSel = `{namespace="${t.namespace}",pod=~"${podPattern(t.name)}",container="fetch"}`;
  const available = `${availableReplicas(t.name, t.namespace)} > 0`;
  return [
    alert(
      "LlmkitServingQueueGrowing",
      `sum(${m.waiting}${sel}) / count(${m.waiting}${sel}) > ${th.queueDepth}`,
      "10m",
      "warning",
      `${who}: more than ${th.queueDepth} requests wait per replica`,
      "Latency grows with the queue. Check the ScaledObject (kubectl describe scaledobject), Pending pods (GPU pool at its gpuLimit, no capacity), and whether replicas.max is reached; raise replicas.max or the pool's gpuLimit.",
    ),
    alert(
      "LlmkitServingKvCacheSaturated",
      `avg(${m.kvCacheUsage}${sel}) > ${Math.min(0.95, th.kvCacheUsage + 0.1).toFixed(2)}`,
      "10m",
      "warning",
      `${who}: KV cache nearly full`,
      "vLLM preempts and recomputes requests when the KV cache is full. Scale out (replicas.max), lower engine.maxModelLen or maxLoras, or raise engine.gpuMemoryUtilization.",
    ),
    ...scalingMetrics(m).map((metric) =>
      alert(
        "LlmkitServingScalingMetricAbsent",
        // only while pods are available: absent then means a renamed metric or a broken scrape
        `absent(${metric}${sel}) and on() (${available})`,
        "10m",
        "critical",
        `${who}: scaling metric ${metric} is missing`,
        "Autoscaling runs on its fallback replica count. Check the ServiceMonitor target in Prometheus (/targets), the NetworkPolicy from the monitoring namespace, and whether the pinned vLLM renamed the metric (components/serving/metrics.ts).",
        // one rule per metric: without it the rules differ in expr only and promtool's lint
        // reports them as duplicates (prometheus/prometheus v2.42.0 cmd/promtool/main.go checkDuplicates)
        { metric },
      ),
    ),
    alert(
      "LlmkitServingErrorRate",
      `sum(rate(${m.httpRequests}{namespace="${t.namespace}",service="${t.name}",status="5xx"}[5m])) / sum(rate(${m.httpRequests}${sel}[5m])) > 0.05`,
      "5m",
      "critical",
      `${who}: more than 5% of requests fail with 5xx`,
      "Read the vllm container logs (kubectl logs deploy/<name> -c vllm) for engine errors, OOM kills or CUDA errors; check recent rollouts and adapter changes.",
    ),
    alert(
      "LlmkitServingAdapterSyncFailing",
      `(increase(kube_pod_init_container_status_restarts_total${fetchSel}[15m]) > 0) and on (namespace, pod, container) ` +
        `(kube_pod_init_container_status_last_terminated_reason{namespace="${t.namespace}",pod=~"${podPattern(t.name)}",container="fetch",reason!="Completed"} == 1)`,
      "5m",
      "warning",
      `${who}: the fetch init container fails to sync the model or adapters`,
      "kubectl logs <pod> -c fetch: exit 3 means a prefix without _SUCCESS, an adapter rank above --max-lora-rank or a manifest for another base revision; other codes are store access (credentials, endpoint, bucket).",
    ),
  ];
}

export function renderPrometheusRule(t: Pick<MonitorTarget, "name" | "namespace" | "labels">, rules: readonly ReturnType<typeof alert>[]) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: t.name, namespace: t.namespace, labels: { ...t.labels } },
    spec: { groups: [{ name: `llmkit-serving-${t.namespace}-${t.name}`, rules: [...rules] }] },
  };
}

function panel(id: number, title: string, unit: string, targets: readonly [string, string][]) {
  return {
    id,
    type: "timeseries",
    title,
    datasource: { type: "prometheus", uid: "${datasource}" },
    gridPos: { h: 8, w: 12, x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8 },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: targets.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), expr, legendFormat })),
  };
}

/** Grafana dashboard model (schemaVersion 39) of one vLLM service, on the mapped metrics only. */
export function vllmDashboard(t: Pick<MonitorTarget, "name" | "namespace">, m: VllmMetrics) {
  const sel = metricSelector(t.name, t.namespace);
  const quantile = (q: number, histogram: string) => `histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket${sel}[5m])))`;
  return {
    uid: `llmkit-${t.namespace}-${t.name}`.slice(0, 40),
    title: `llmkit serving ${t.namespace}/${t.name}`,
    tags: ["llmkit", "vllm"],
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    templating: { list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Prometheus" }] },
    panels: [
      panel(1, "Requests waiting and running", "short", [
        [`sum(${m.waiting}${sel})`, "waiting"],
        [`sum(${m.running}${sel})`, "running"],
      ]),
      panel(2, "KV-cache usage", "percentunit", [[`${m.kvCacheUsage}${sel}`, "{{pod}}"]]),
      panel(3, "Time to first token", "s", [
        [quantile(0.5, m.timeToFirstToken), "p50"],
        [quantile(0.95, m.timeToFirstToken), "p95"],
      ]),
      panel(4, "End-to-end latency", "s", [
        [quantile(0.5, m.e2eLatency), "p50"],
        [quantile(0.95, m.e2eLatency), "p95"],
      ]),
      panel(5, "Generated tokens per second", "short", [[`sum(rate(${m.generationTokens}${sel}[5m]))`, "tokens/s"]]),
      panel(6, "HTTP responses by status", "reqps", [[`sum by (status) (rate(${m.httpRequests}${sel}[5m]))`, "{{status}}"]]),
    ],
  };
}

export function renderDashboardConfigMap(t: Pick<MonitorTarget, "name" | "namespace" | "labels">, dashboard: object) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${t.name}-dashboard`, namespace: t.namespace, labels: { ...t.labels, ...DASHBOARD_LABEL } },
    data: { [`llmkit-${t.name}.json`]: JSON.stringify(dashboard, null, 2) },
  };
}
