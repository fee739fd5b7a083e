import { describe, expect, it } from "vitest";
import { validateObjects } from "../../test/validate.ts";
import { images } from "../lib/versions.ts";
import { autoscalingProblems, renderScaledObject, resolveAutoscaling, SCALING_BEHAVIOR } from "./autoscaling.ts";
import { resolveService } from "./defaults.ts";
import { metricsProblems, VLLM_METRICS, vllmMetrics } from "./metrics.ts";
import { serviceProblems } from "./validate.ts";
import { chat, contract, qwen7b, supportBot } from "./__fixtures__/specs.ts";

const PROM = "http://llmkit-prometheus.monitoring.svc.cluster.local:9090";
const scaled = { ...chat, replicas: { min: 2, max: 4 }, autoscaling: { queueDepth: 6 } };
const target = { name: "chat", namespace: "llmkit", labels: { "app.kubernetes.io/instance": "chat" } };
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
          metadata: { serverAddress: PROM, query: 'sum(vllm:num_requests_waiting{namespace="llmkit",service="chat"})', threshold: "6", ignoreNullValues: "false" },
        },
        {
          type: "prometheus",
          name: "kv-cache",
          metricType: "AverageValue",
          metadata: { serverAddress: PROM, query: 'sum(vllm:kv_cache_usage_perc{namespace="llmkit",service="chat"})', threshold: "0.8", ignoreNullValues: "false" },
        },
      ],
    });
    expect(SCALING_BEHAVIOR.scaleUp.stabilizationWindowSeconds).toBeLessThan(SCALING_BEHAVIOR.scaleDown.stabilizationWindowSeconds);
  });

  it("scales to zero with a cooldown and reads an empty query as 0 (nothing is scraped at 0 replicas)", () => {
    const so = renderScaledObject(resolveAutoscaling({ ...scaled, replicas: { min: 0, max: 2 } }, "llmkit", "0.21.0")!, target, contract);
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.cooldownPeriod).toBe(900);
    expect(so.spec.fallback).toEqual({ failureThreshold: 3, replicas: 1 });
    expect(so.spec.triggers.map((t) => t.metadata)).toEqual([
      expect.objectContaining({ ignoreNullValues: "true" }),
      expect.objectContaining({ ignoreNullValues: "true" }),
    ]);
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

  it("renders objects valid against the KEDA 2.x ScaledObject schema", async () => {
    const objects = [
      renderScaledObject(resolveAutoscaling(scaled, "llmkit", "0.21.0")!, target, contract),
      renderScaledObject(resolveAutoscaling({ ...scaled, replicas: { min: 0, max: 2 } }, "llmkit", "0.21.0")!, target, contract),
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

  it("refuses a vLLM version the metric map does not know, through serviceProblems", () => {
    const svc = resolveService(scaled, qwen7b, [supportBot]);
    expect(serviceProblems({ ...svc, engineVersion: "0.99.0" }, contract)).toEqual(metricsProblems("0.99.0"));
    expect(serviceProblems(svc, contract)).toEqual([]);
  });
});
