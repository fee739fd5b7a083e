import { beforeAll, describe, expect, it } from "vitest";
import { crdsAvailable } from "../../../render/schemas/crds.ts";
import { validateObjects } from "../../../render/validate.ts";
import { existingPlatform } from "../__fixtures__/configs.ts";
import { byName, installMocks, settled, type Registered } from "../__fixtures__/mocks.ts";
import { renderEnvoyPodMonitor } from "./envoy-monitoring.ts";

const MONITOR = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PodMonitor",
  metadata: {
    name: "envoy-proxies",
    namespace: "envoy-gateway-system",
    labels: {
      "app.kubernetes.io/name": "llmkit",
      "app.kubernetes.io/instance": "dev",
      "app.kubernetes.io/component": "addon-envoy-gateway",
      "app.kubernetes.io/part-of": "llmkit",
      "app.kubernetes.io/managed-by": "pulumi",
    },
  },
  spec: {
    selector: { matchLabels: { "app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy", "app.kubernetes.io/managed-by": "envoy-gateway" } },
    namespaceSelector: { matchNames: ["envoy-gateway-system"] },
    podTargetLabels: ["gateway.envoyproxy.io/owning-gateway-name", "gateway.envoyproxy.io/owning-gateway-namespace"],
    podMetricsEndpoints: [{ port: "metrics", path: "/stats/prometheus", interval: "15s", scrapeTimeout: "10s" }],
  },
};

describe("renderEnvoyPodMonitor", () => {
  it("scrapes every Envoy Gateway proxy's /stats/prometheus on port metrics, keeping its owning Gateway", () => {
    expect(renderEnvoyPodMonitor("dev")).toEqual(MONITOR);
  });

  it.runIf(crdsAvailable())("is valid against the Prometheus Operator v0.93.0 PodMonitor CRD, which refuses a misspelt field (CI only)", async () => {
    const pm = renderEnvoyPodMonitor("dev");
    const typo = { ...pm, spec: { ...pm.spec, podTargetLabel: pm.spec.podTargetLabels } };
    expect((await validateObjects([pm, typo])).map((v) => v.status)).toEqual(["valid", "invalid"]);
  });
});

describe("registerEnvoyMonitoring (mocks)", () => {
  let registered: Registered[];
  beforeAll(async () => {
    registered = await installMocks();
    const { ExistingPlatform } = await import("../existing/existing-platform.ts");
    const base = existingPlatform();
    new ExistingPlatform("inst", { platform: { ...base, addons: { prometheus: "install" } } });
    new ExistingPlatform("ext", { platform: { ...base, addons: { prometheus: { url: "http://prom.example:9090" } } } });
    new ExistingPlatform("noprom", { platform: base });
    new ExistingPlatform("nogw", { platform: { ...base, addons: { prometheus: "install", envoyGateway: false } } });
    await settled(registered);
  });

  it("registers it after Envoy Gateway and the Prometheus stack it installs, or after Envoy Gateway for an existing Prometheus", () => {
    const inst = byName(registered, "inst-envoy-monitor");
    expect(inst.type).toBe("kubernetes:monitoring.coreos.com/v1:PodMonitor");
    expect(inst.inputs).toEqual(renderEnvoyPodMonitor("inst"));
    expect(inst.dependsOn).toEqual(["inst-envoy-gateway", "inst-prometheus-stack"]);
    expect(byName(registered, "ext-envoy-monitor").dependsOn).toEqual(["ext-envoy-gateway"]);
  });

  it("registers nothing without a Prometheus or without Envoy Gateway", () => {
    const names = registered.map((r) => r.name);
    expect(names).not.toContain("noprom-envoy-monitor");
    expect(names).not.toContain("nogw-envoy-monitor");
  });
});
