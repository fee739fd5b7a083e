import { describe, expect, it } from "vitest";
import { crdsAvailable } from "../../render/schemas/crds.ts";
import { validateObjects } from "../../render/validate.ts";
import { images } from "../lib/versions.ts";
import { autoscalingProblems, renderScaledObject, resolveAutoscaling, SCALING_BEHAVIOR, wakeQuery } from "./autoscaling.ts";
import { resolveService } from "./defaults.ts";
import { metricsProblems, VLLM_METRICS, vllmMetrics } from "./metrics.ts";
import { serviceProblems } from "./validate.ts";
import { chat, contract, qwen7b, supportBot } from "./__fixtures__/specs.ts";

const PROM = "http://llmkit-prometheus.monitoring.svc.cluster.local:9090";
const scaled = { ...chat, replicas: { min: 2, max: 4 }, autoscaling: { queueDepth: 6 } };
/** Scale to zero behind the gateway: the only way a vLLM service may reach 0 replicas. */
const toZero = { ...scaled, replicas: { min: 0, max: 2 }, exposure: { hostname: "chat.dev.example.com" } };
const target = { name: "chat", namespace: "llmkit", labels: { "app.kubernetes.io/instance": "chat" } };
const WAKE =
  'clamp_max(sum(increase(envoy_http_downstream_rq_xx{namespace="envoy-gateway-system",gateway_envoyproxy_io_owning_gateway_namespace="llmkit",' +
  'gateway_envoyproxy_io_owning_gateway_name="chat",envoy_http_conn_manager_prefix=~"https?-[0-9]+",envoy_response_code_class=~"2|5"}[2m])), 1)';
/**
 * 0 while kube-state-metrics reports no available replica, so a cold start is not an error that
 * KEDA answers with the fallback count (kedacore/keda v2.20.2 pkg/fallback/fallback.go); empty
 * (an error) otherwise. test/promtool.test.ts evaluates it with promtool.
 */
const ZERO_WHILE_UNAVAILABLE = '(0 * sum(kube_deployment_status_replicas_available{namespace="llmkit",deployment="chat"} == 0))';
/** The test contract's GPU pool, capped at 4 GPUs. */
const capped = { ...contract, pools: contract.pools.map((p) => (p.name === "serving-l4" ? { ...p, gpuLimit: 4 } : p)) };

describe("metric map", () => {
  it("maps the pinned vLLM versions, with the KV-cache name that version exposes", () => {
    expect(vllmMetrics(images.vllm.version).kvCacheUsage).toBe("vllm:kv_cache_usage_perc");
    expect(vllmMetrics(images.vllmCpu.version).waiting).toBe("vllm:num_requests_waiting");
    expect(metricsProblems(images.vllm.version)).toEqual([]);
  });

  it("refuses a version it does not know", () => {
    expect(() => vllmMetrics("0.99.0")).toThrow(/vLLM 0\.99\.0 has no entry in VLLM_METRICS/);
    expect(metricsProblems("0.99.0")[0]).toContain("known: 0.21.0");
  });

  it("names no metric vLLM removed", () => {
    for (const m of Object.values(VLLM_METRICS)) expect(Object.values(m)).not.toContain("vllm:gpu_cache_usage_perc");
  });
});

describe("resolveAutoscaling and renderScaledObject", () => {
  it("is absent without spec.autoscaling", () => {
    expect(resolveAutoscaling(chat, "llmkit", "0.21.0")).toBeUndefined();
  });

  it("scales a vLLM Deployment on its queue and KV cache, with fallback and asymmetric behaviour", () => {
    const so = renderScaledObject(resolveAutoscaling(scaled, "llmkit", "0.21.0")!, target, contract);
    expect(so.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "chat" },
      pollingInterval: 15,
      minReplicaCount: 2,
      maxReplicaCount: 4,
      fallback: { failureThreshold: 3, replicas: 3 },
      advanced: { horizontalPodAutoscalerConfig: { behavior: SCALING_BEHAVIOR } },
      triggers: [
        {
          type: "prometheus",
          name: "queue-depth",
          metricType: "AverageValue",
          metadata: { serverAddress: PROM, query: `sum(vllm:num_requests_waiting{namespace="llmkit",service="chat"}) or on() ${ZERO_WHILE_UNAVAILABLE}`, threshold: "6", ignoreNullValues: "false" },
        },
        {
          type: "prometheus",
          name: "kv-cache",
          metricType: "AverageValue",
          metadata: { serverAddress: PROM, query: `sum(vllm:kv_cache_usage_perc{namespace="llmkit",service="chat"}) or on() ${ZERO_WHILE_UNAVAILABLE}`, threshold: "0.8", ignoreNullValues: "false" },
        },
      ],
    });
    expect(SCALING_BEHAVIOR.scaleUp.stabilizationWindowSeconds).toBeLessThan(SCALING_BEHAVIOR.scaleDown.stabilizationWindowSeconds);
  });

  it("scales to zero with a cooldown, reads empty vLLM queries as 0 and wakes on one request at its Envoy proxies", () => {
    const so = renderScaledObject(resolveAutoscaling(toZero, "llmkit", "0.21.0")!, target, contract);
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.cooldownPeriod).toBe(900);
    expect(so.spec.fallback).toEqual({ failureThreshold: 3, replicas: 1 });
    expect(so.spec.triggers.map((t) => [t.name, t.metadata])).toEqual([
      ["queue-depth", expect.objectContaining({ ignoreNullValues: "true" })],
      ["kv-cache", expect.objectContaining({ ignoreNullValues: "true" })],
      // at most one replica (clamp 1 / threshold 1), active above 0: the first 2xx/5xx wakes 0 → 1
      [
        "gateway-requests",
        { serverAddress: PROM, query: WAKE, threshold: "1", activationThreshold: "0", ignoreNullValues: "false" },
      ],
    ]);
    expect(wakeQuery("chat", "llmkit")).toBe(WAKE);
  });

  it("adds the wake-up trigger only at replicas.min 0 behind the gateway", () => {
    const names = (spec: typeof scaled) => resolveAutoscaling(spec, "llmkit", "0.21.0")!.triggers.map((t) => (t.kind === "prometheus" ? t.name : t.kind));
    expect(names({ ...toZero, replicas: { min: 1, max: 2 } })).toEqual(["queue-depth", "kv-cache"]);
    expect(names({ ...toZero, exposure: undefined })).toEqual(["queue-depth", "kv-cache"]);
    expect(names(toZero)).toEqual(["queue-depth", "kv-cache", "gateway-requests"]);
  });

  it("scales a custom runtime on its query or on CPU (no fallback with a CPU trigger: KEDA refuses it)", () => {
    const custom = { ...scaled, runtime: { type: "custom" as const, image: "r:1.0", port: 8080, healthPath: "/h" } };
    const metric = resolveAutoscaling({ ...custom, autoscaling: { metric: { query: "sum(x)", threshold: 20 } } }, "llmkit", "")!;
    expect(renderScaledObject(metric, target, contract).spec.triggers).toEqual([
      { type: "prometheus", name: "metric", metricType: "AverageValue", metadata: { serverAddress: PROM, query: "sum(x)", threshold: "20", ignoreNullValues: "true" } },
    ]);
    const cpu = renderScaledObject(resolveAutoscaling({ ...custom, autoscaling: { cpuUtilization: 70 } }, "llmkit", "")!, target, contract);
    expect(cpu.spec.triggers).toEqual([{ type: "cpu", name: "cpu", metricType: "Utilization", metadata: { value: "70" } }]);
    expect(cpu.spec).not.toHaveProperty("fallback");
  });

  it.runIf(crdsAvailable())("renders objects valid against the KEDA v2.20.2 ScaledObject CRD (CI only)", async () => {
    const objects = [
      renderScaledObject(resolveAutoscaling(scaled, "llmkit", "0.21.0")!, target, contract),
      renderScaledObject(resolveAutoscaling(toZero, "llmkit", "0.21.0")!, target, contract),
    ];
    expect((await validateObjects(objects)).map((v) => [v.status, v.problems])).toEqual([
      ["valid", []],
      ["valid", []],
    ]);
    const noThreshold = { ...objects[0]!, spec: { ...objects[0]!.spec, fallback: { replicas: 3 } } };
    expect((await validateObjects([noThreshold]))[0]!.status).toBe("invalid");
  });
});

describe("autoscalingProblems", () => {
  const facts = { pool: "serving-l4", gpus: 1, engineVersion: "0.21.0" };

  it("accepts a range within the pool's GPU limit", () => {
    expect(autoscalingProblems(scaled, facts, capped)).toEqual([]);
  });

  it("refuses replicas.max × gpus over the pool's gpuLimit", () => {
    expect(autoscalingProblems({ ...scaled, replicas: { min: 2, max: 3 } }, { ...facts, gpus: 2 }, capped)).toEqual([
      'replicas.max (3) × gpus (2) = 6 GPUs exceeds pool "serving-l4"\'s gpuLimit (4): lower replicas.max to 2 or raise the pool\'s gpuLimit',
    ]);
    expect(autoscalingProblems({ ...chat, replicas: { min: 5, max: 5 } }, facts, capped)).toEqual([
      'replicas.min (5) × gpus (1) = 5 GPUs exceeds pool "serving-l4"\'s gpuLimit (4): lower replicas.min to 4 or raise the pool\'s gpuLimit',
    ]);
  });

  it("refuses autoscaling without KEDA or without Prometheus", () => {
    const bare = { ...contract, addons: { gatewayClassName: null, prometheusUrl: null, keda: false } };
    expect(autoscalingProblems(scaled, facts, bare)).toEqual([
      "autoscaling needs KEDA but the platform has none (platform.addons.keda is off): switch it on or remove autoscaling (replicas stay at replicas.min)",
      'autoscaling queries Prometheus but the platform has none (platform.addons.prometheus is "none"): set it to "install" or {url}',
    ]);
  });

  it("refuses replicas.min 0 where nothing could wake the service: vLLM without exposure, custom on CPU only", () => {
    expect(autoscalingProblems(toZero, facts, capped)).toEqual([]);
    expect(autoscalingProblems({ ...toZero, exposure: undefined }, facts, capped)).toEqual([
      "replicas.min: is 0 but the service is not exposed: at 0 replicas vLLM exports no metrics and only its gateway's request count can wake it: add exposure or set replicas.min ≥ 1",
    ]);
    const custom = { ...scaled, replicas: { min: 0, max: 2 }, runtime: { type: "custom" as const, image: "r:1.0", port: 8080, healthPath: "/h" } };
    expect(autoscalingProblems({ ...custom, autoscaling: { cpuUtilization: 70 } }, { ...facts, gpus: 0 }, capped)).toEqual([
      "replicas.min: is 0 but only cpuUtilization scales the service, and a stopped app uses no CPU: scale on autoscaling.metric or set replicas.min ≥ 1",
    ]);
    expect(autoscalingProblems({ ...custom, autoscaling: { metric: { query: "sum(q)", threshold: 5 }, cpuUtilization: 70 } }, { ...facts, gpus: 0 }, capped)).toEqual([]);
  });

  it("sees exposure through the resolved service, so serviceProblems refuses and the rendered ScaledObject wakes", () => {
    expect(serviceProblems(resolveService({ ...toZero, exposure: undefined }, qwen7b, [supportBot]), contract)).toEqual([
      expect.stringContaining("replicas.min: is 0 but the service is not exposed"),
    ]);
    const svc = resolveService(toZero, qwen7b, [supportBot]);
    expect(serviceProblems(svc, contract)).toEqual([]);
    expect(resolveAutoscaling(svc.scaling, "llmkit", svc.engineVersion)!.triggers.map((t) => (t.kind === "prometheus" ? t.name : t.kind))).toContain("gateway-requests");
  });

  it("refuses a vLLM version the metric map does not know, through serviceProblems", () => {
    const svc = resolveService(scaled, qwen7b, [supportBot]);
    expect(serviceProblems({ ...svc, engineVersion: "0.99.0" }, contract)).toEqual(metricsProblems("0.99.0"));
    expect(serviceProblems(svc, contract)).toEqual([]);
  });
});
