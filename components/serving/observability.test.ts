import { describe, expect, it } from "vitest";
import { crdsAvailable } from "../../render/schemas/crds.ts";
import { validateObjects } from "../../render/validate.ts";
import { resolveService } from "./defaults.ts";
import { VLLM_METRICS, vllmMetrics } from "./metrics.ts";
import { alertThresholds, renderDashboardConfigMap, renderPrometheusRule, renderServiceMonitor, vllmAlertRules, vllmDashboard } from "./observability.ts";
import { renderVllmOperations } from "./operations.ts";
import { selector } from "./render.ts";
import { chat, contract, qwen7b, supportBot } from "./__fixtures__/specs.ts";

const m = vllmMetrics("0.21.0");
const t = { name: "chat", namespace: "llmkit", labels: { "app.kubernetes.io/instance": "chat" } };
const SEL = '{namespace="llmkit",service="chat"}';
/** Every metric name a PromQL expression reads (label matchers, functions and keywords removed). */
function metricNames(expr: string): string[] {
  const bare = expr.replace(/\{[^}]*\}/g, "").replace(/\[[^\]]*\]/g, "");
  const words = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  const promql = new Set(["sum", "count", "avg", "rate", "increase", "absent", "histogram_quantile", "by", "on", "and", "le", "status", "namespace", "pod", "container"]);
  return words.filter((w) => !promql.has(w));
}

describe("ServiceMonitor", () => {
  it("selects the service's Service in its namespace and scrapes /metrics on the http port", () => {
    const svc = resolveService(chat, qwen7b, [supportBot]);
    expect(renderServiceMonitor({ ...t, serviceLabels: selector(svc), port: "http", path: "/metrics" })).toEqual({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "chat", namespace: "llmkit", labels: t.labels },
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "chat" } },
        namespaceSelector: { matchNames: ["llmkit"] },
        endpoints: [{ port: "http", path: "/metrics", interval: "15s", scrapeTimeout: "10s" }],
      },
    });
  });
});

describe("PrometheusRule", () => {
  const rules = vllmAlertRules(t, m, alertThresholds({ queueDepth: 6 }));

  it("alerts on queue growth, KV-cache saturation, each absent scaling metric, 5xx rate and fetch failures", () => {
    expect(rules.map((r) => [r.alert, r.expr, r.for, r.labels.severity])).toEqual([
      ["LlmkitServingQueueGrowing", `sum(vllm:num_requests_waiting${SEL}) / count(vllm:num_requests_waiting${SEL}) > 6`, "10m", "warning"],
      ["LlmkitServingKvCacheSaturated", `avg(vllm:kv_cache_usage_perc${SEL}) > 0.90`, "10m", "warning"],
      [
        "LlmkitServingScalingMetricAbsent",
        `absent(vllm:num_requests_waiting${SEL}) and on() (kube_deployment_status_replicas_available{namespace="llmkit",deployment="chat"} > 0)`,
        "10m",
        "critical",
      ],
      [
        "LlmkitServingScalingMetricAbsent",
        `absent(vllm:kv_cache_usage_perc${SEL}) and on() (kube_deployment_status_replicas_available{namespace="llmkit",deployment="chat"} > 0)`,
        "10m",
        "critical",
      ],
      [
        "LlmkitServingErrorRate",
        `sum(rate(http_requests_total{namespace="llmkit",service="chat",status="5xx"}[5m])) / sum(rate(http_requests_total${SEL}[5m])) > 0.05`,
        "5m",
        "critical",
      ],
      [
        "LlmkitServingAdapterSyncFailing",
        '(increase(kube_pod_init_container_status_restarts_total{namespace="llmkit",pod=~"chat-[a-z0-9]+-[a-z0-9]+",container="fetch"}[15m]) > 0) and on (namespace, pod, container) ' +
          '(kube_pod_init_container_status_last_terminated_reason{namespace="llmkit",pod=~"chat-[a-z0-9]+-[a-z0-9]+",container="fetch",reason!="Completed"} == 1)',
        "5m",
        "warning",
      ],
    ]);
    for (const r of rules) expect(Object.keys(r.annotations)).toEqual(["summary", "description"]);
  });

  it("tells the two absent-metric alerts apart by a metric label (promtool --lint-fatal refuses duplicates)", () => {
    // prometheus/prometheus@v2.42.0:cmd/promtool/main.go checkDuplicates compares alert name + labels only
    expect(rules.filter((r) => r.alert === "LlmkitServingScalingMetricAbsent").map((r) => r.labels)).toEqual([
      { severity: "critical", metric: "vllm:num_requests_waiting" },
      { severity: "critical", metric: "vllm:kv_cache_usage_perc" },
    ]);
    const keys = rules.map((r) => JSON.stringify([r.alert, r.labels]));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("matches only this service's Deployment pods in the fetch alert", () => {
    const pattern = new RegExp(`^${/pod=~"([^"]+)"/.exec(rules.at(-1)!.expr)![1]}$`);
    expect(pattern.test("chat-7d9f8b6c5-x2k9p")).toBe(true);
    expect(pattern.test("chat-v2-7d9f8b6c5-x2k9p")).toBe(false);
  });
});

describe("Grafana dashboard ConfigMap", () => {
  const cm = renderDashboardConfigMap(t, vllmDashboard(t, m));

  it("carries the sidecar label and a JSON dashboard", () => {
    expect(cm.metadata).toEqual({ name: "chat-dashboard", namespace: "llmkit", labels: { ...t.labels, grafana_dashboard: "1" } });
    const dashboard = JSON.parse(cm.data["llmkit-chat.json"]!);
    expect(dashboard.panels.map((p: { title: string }) => p.title)).toEqual([
      "Requests waiting and running",
      "KV-cache usage",
      "Time to first token",
      "End-to-end latency",
      "Generated tokens per second",
      "HTTP responses by status",
    ]);
  });

  it("queries only metrics of the version map, for this service only", () => {
    const dashboard = JSON.parse(cm.data["llmkit-chat.json"]!);
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((x) => x.expr));
    const mapped = new Set(Object.values(m).flatMap((name) => [name, `${name}_bucket`]));
    for (const expr of exprs) {
      expect(expr).toContain(SEL);
      for (const name of metricNames(expr)) expect(mapped, `${name} in ${expr}`).toContain(name);
    }
    expect(metricNames("sum(vllm:gpu_cache_usage_perc{a=\"b\"})")).toEqual(["vllm:gpu_cache_usage_perc"]);
  });
});

describe("renderVllmOperations", () => {
  it("renders monitors only where the platform has Prometheus, and a ScaledObject only with autoscaling", () => {
    const svc = resolveService({ ...chat, autoscaling: {} }, qwen7b, [supportBot]);
    const full = renderVllmOperations(svc, contract);
    expect([full.scaledObject?.kind, full.serviceMonitor?.kind, full.prometheusRule?.kind, full.dashboard?.kind]).toEqual([
      "ScaledObject",
      "ServiceMonitor",
      "PrometheusRule",
      "ConfigMap",
    ]);
    const bare = renderVllmOperations(resolveService(chat, qwen7b, [supportBot]), { ...contract, addons: { ...contract.addons, prometheusUrl: null } });
    expect(bare).toEqual({ scaledObject: undefined, serviceMonitor: undefined, prometheusRule: undefined, dashboard: undefined });
    expect(Object.keys(VLLM_METRICS)).toContain(svc.engineVersion);
  });

  it("alerts when a scale-to-zero service's wake-up counters are missing, and only then", () => {
    const alerts = (spec: typeof chat) => {
      const rule = renderVllmOperations(resolveService(spec, qwen7b, [supportBot]), contract).prometheusRule!;
      return rule.spec.groups.flatMap((g) => g.rules).filter((r) => r.alert === "LlmkitServingWakeMetricAbsent");
    };
    const toZero = { ...chat, replicas: { min: 0, max: 2 }, autoscaling: {}, exposure: { hostname: "chat.dev.example.com" } };
    expect(alerts(toZero).map((r) => [r.expr, r.for, r.labels])).toEqual([
      [
        'absent(envoy_http_downstream_rq_xx{namespace="envoy-gateway-system",gateway_envoyproxy_io_owning_gateway_namespace="llmkit",' +
          'gateway_envoyproxy_io_owning_gateway_name="chat",envoy_http_conn_manager_prefix=~"https?-[0-9]+",envoy_response_code_class=~"2|5"})',
        "15m",
        { severity: "critical" },
      ],
    ]);
    expect(alerts({ ...toZero, replicas: { min: 1, max: 2 } })).toEqual([]);
  });

  it.runIf(crdsAvailable())("renders objects valid against the Prometheus Operator, KEDA and Kubernetes schemas (CI only)", async () => {
    const ops = renderVllmOperations(resolveService({ ...chat, autoscaling: {} }, qwen7b, [supportBot]), contract);
    const objects = [ops.scaledObject!, ops.serviceMonitor!, ops.prometheusRule!, ops.dashboard!];
    expect((await validateObjects(objects)).map((v) => [v.object.kind, v.status, v.problems])).toEqual([
      ["ScaledObject", "valid", []],
      ["ServiceMonitor", "valid", []],
      ["PrometheusRule", "valid", []],
      ["ConfigMap", "valid", []],
    ]);
    const broken = renderPrometheusRule(t, [{ ...vllmAlertRules(t, m, alertThresholds(undefined))[0]!, for: "ten minutes" }]);
    expect((await validateObjects([broken]))[0]!.status).toBe("invalid");
  });
});
