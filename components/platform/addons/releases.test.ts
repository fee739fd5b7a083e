import { describe, expect, it } from "vitest";
import { CHARTS, chartValues } from "../../../charts/index.ts";
import { validateObjects, formatVerdict } from "../../../render/validate.ts";
import { awsPlatform, existingPlatform, localPlatform } from "../__fixtures__/configs.ts";
import { addonContract, GATEWAY_CLASS, INSTALLED_PROMETHEUS_URL, PROMETHEUS_NAMESPACE, resolveAddons, type ResolvedAddons } from "./defaults.ts";
import {
  addonReleases,
  ENVOY_GATEWAY_CONTROLLER,
  envoyGatewayValues,
  kedaValues,
  prometheusStackValues,
  renderAddonNamespace,
  renderGatewayClass,
  type AddonFacts,
} from "./releases.ts";

const SYSTEM: AddonFacts = { nodeSelector: { "llmkit.dev/pool": "system" } };
const ANYWHERE: AddonFacts = { nodeSelector: {} };
const ALL_ON: ResolvedAddons = { keda: true, envoyGateway: true, prometheus: { mode: "install" }, dcgmExporter: false, nvidiaDevicePlugin: false };

/** Every path in `values` whose key is `nodeSelector`, with its value. */
function nodeSelectors(values: unknown, path = ""): Record<string, unknown> {
  if (typeof values !== "object" || values === null || Array.isArray(values)) return {};
  return Object.fromEntries(
    Object.entries(values).flatMap(([k, v]) =>
      k === "nodeSelector" ? [[`${path}${k}`, v]] : Object.entries(nodeSelectors(v, `${path}${k}.`)),
    ),
  );
}

/** True when every object's keys are sorted, recursively (lists keep their order). */
function keysSorted(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysSorted);
  if (typeof value !== "object" || value === null) return true;
  const keys = Object.keys(value);
  return keys.join("\u0000") === [...keys].sort().join("\u0000") && Object.values(value).every(keysSorted);
}

describe("resolveAddons: defaults per provider", () => {
  it.each([
    ["aws", awsPlatform(), { keda: true, envoyGateway: true, prometheus: { mode: "install" }, dcgmExporter: true, nvidiaDevicePlugin: false }],
    ["existing", existingPlatform(), { keda: true, envoyGateway: true, prometheus: { mode: "none" }, dcgmExporter: false, nvidiaDevicePlugin: false }],
    ["local", localPlatform(), { keda: false, envoyGateway: true, prometheus: { mode: "none" }, dcgmExporter: false, nvidiaDevicePlugin: false }],
  ])("%s", (_, platform, expected) => {
    expect(resolveAddons(platform)).toEqual(expected);
  });

  it("lets every switch override the default", () => {
    expect(resolveAddons({ ...awsPlatform(), addons: { keda: false, envoyGateway: false, prometheus: "none", dcgmExporter: false } })).toEqual({
      keda: false,
      envoyGateway: false,
      prometheus: { mode: "none" },
      dcgmExporter: false,
      nvidiaDevicePlugin: false,
    });
    expect(resolveAddons({ ...localPlatform(), addons: { keda: true, prometheus: "install" } })).toMatchObject({ keda: true, prometheus: { mode: "install" } });
  });
});

describe("addonContract: prometheus modes", () => {
  const url = "http://prometheus-operated.observability.svc:9090";
  it.each([
    [{ prometheus: "install" as const }, INSTALLED_PROMETHEUS_URL],
    [{ prometheus: { url } }, url],
    [{ prometheus: "none" as const }, null],
  ])("%j → %s", (addons, prometheusUrl) => {
    expect(addonContract(resolveAddons({ ...existingPlatform(), addons }))).toEqual({ gatewayClassName: GATEWAY_CLASS, prometheusUrl, keda: true });
  });

  it("names no gateway class and no KEDA when they are off", () => {
    expect(addonContract(resolveAddons({ ...existingPlatform(), addons: { envoyGateway: false, keda: false } }))).toEqual({
      gatewayClassName: null,
      prometheusUrl: null,
      keda: false,
    });
  });

  it("points the installed URL at the Service kube-prometheus-stack creates (<fullnameOverride>-prometheus:9090)", () => {
    const values = chartValues("kubePrometheusStack");
    expect(CHARTS.kubePrometheusStack.namespace).toBe(PROMETHEUS_NAMESPACE);
    expect(INSTALLED_PROMETHEUS_URL).toBe(`http://${String(values.fullnameOverride)}-prometheus.${PROMETHEUS_NAMESPACE}.svc.cluster.local:9090`);
  });
});

describe("addonReleases", () => {
  const common = { createNamespace: false, atomic: true, cleanupOnFail: true, skipAwait: false, skipCrds: false, maxHistory: 10 };

  it("pins chart, version, repository and namespace of each add-on", () => {
    const releases = addonReleases(ALL_ON, ANYWHERE).map(({ role, chartKey, args: { values, ...args } }) => ({ role, chartKey, args, values }));
    expect(releases.map(({ values: _, ...r }) => r)).toEqual([
      {
        role: "prometheus-stack",
        chartKey: "kubePrometheusStack",
        args: {
          name: "prometheus-stack",
          chart: "kube-prometheus-stack",
          version: "88.5.3",
          repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
          namespace: "monitoring",
          timeout: 600,
          ...common,
        },
      },
      {
        role: "keda",
        chartKey: "keda",
        args: { name: "keda", chart: "keda", version: "2.20.2", repositoryOpts: { repo: "https://kedacore.github.io/charts" }, namespace: "keda", timeout: 300, ...common },
      },
      {
        role: "envoy-gateway",
        chartKey: "envoyGateway",
        // An OCI chart is referenced whole, without repositoryOpts.
        args: { name: "envoy-gateway", chart: "oci://docker.io/envoyproxy/gateway-helm", version: "v1.9.0", namespace: "envoy-gateway-system", timeout: 300, ...common },
      },
    ]);
    expect(releases.map((r) => r.values)).toEqual([prometheusStackValues(ANYWHERE), kedaValues(ANYWHERE), envoyGatewayValues(ANYWHERE)]);
  });

  it.each([
    ["aws", awsPlatform(), ["prometheus-stack", "keda", "envoy-gateway"]],
    ["existing", existingPlatform(), ["keda", "envoy-gateway"]],
    ["local", localPlatform(), ["envoy-gateway"]],
    ["aws, all off", { ...awsPlatform(), addons: { keda: false, envoyGateway: false, prometheus: "none" as const } }, []],
    ["existing with an existing Prometheus", { ...existingPlatform(), addons: { prometheus: { url: "http://p.example:9090" } } }, ["keda", "envoy-gateway"]],
    ["local with everything", { ...localPlatform(), addons: { keda: true, prometheus: "install" as const } }, ["prometheus-stack", "keda", "envoy-gateway"]],
  ])("installs exactly the switched-on add-ons: %s", (_, platform, roles) => {
    expect(addonReleases(resolveAddons(platform), ANYWHERE).map((r) => r.role)).toEqual(roles);
  });

  it("puts every controller on the system pool on aws, and nowhere in particular elsewhere", () => {
    const pool = { "llmkit.dev/pool": "system" };
    expect(nodeSelectors(kedaValues(SYSTEM))).toEqual({ nodeSelector: pool });
    expect(nodeSelectors(envoyGatewayValues(SYSTEM))).toEqual({ "certgen.job.nodeSelector": pool, "deployment.pod.nodeSelector": pool });
    // node-exporter is a DaemonSet for every node: no selector.
    expect(nodeSelectors(prometheusStackValues(SYSTEM))).toEqual({
      "kube-state-metrics.nodeSelector": pool,
      "prometheus.prometheusSpec.nodeSelector": pool,
      "prometheusOperator.admissionWebhooks.patch.nodeSelector": pool,
      "prometheusOperator.nodeSelector": pool,
    });
    for (const values of [kedaValues(ANYWHERE), envoyGatewayValues(ANYWHERE), prometheusStackValues(ANYWHERE)]) {
      expect(nodeSelectors(values)).toEqual({});
    }
  });

  it("runs KEDA and Envoy Gateway controllers highly available, with requests and limits", () => {
    expect(kedaValues(ANYWHERE)).toMatchObject({
      operator: { replicaCount: 2 },
      metricsServer: { replicaCount: 2 },
      webhooks: { replicaCount: 2 },
      podDisruptionBudget: { operator: { minAvailable: 1 }, metricServer: { minAvailable: 1 }, webhooks: { minAvailable: 1 } },
      podSecurityContext: { operator: { runAsNonRoot: true }, metricServer: { runAsNonRoot: true }, webhooks: { runAsNonRoot: true } },
    });
    const keda = kedaValues(ANYWHERE) as { resources: Record<string, unknown>; securityContext: Record<string, unknown> };
    for (const c of ["operator", "metricServer", "webhooks"]) {
      expect(keda.resources[c]).toEqual({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { cpu: expect.any(String), memory: expect.any(String) } });
      expect(keda.securityContext[c]).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
    }
    expect(envoyGatewayValues(ANYWHERE)).toMatchObject({
      crds: { enabled: true },
      podDisruptionBudget: { minAvailable: 1 },
      deployment: {
        replicas: 2,
        envoyGateway: {
          resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1024Mi" } },
          securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        },
        pod: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } },
      },
      certgen: { job: { resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } } } },
    });
  });

  it("keeps kube-prometheus-stack lean and picks up every monitor in the cluster", () => {
    expect(prometheusStackValues(ANYWHERE)).toMatchObject({
      fullnameOverride: "llmkit",
      crds: { enabled: true },
      grafana: { enabled: false },
      alertmanager: { enabled: false },
      kubeControllerManager: { enabled: false },
      kubeScheduler: { enabled: false },
      kubeEtcd: { enabled: false },
      kubeProxy: { enabled: false },
      prometheus: {
        prometheusSpec: {
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          ruleSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          scrapeConfigSelectorNilUsesHelmValues: false,
          retention: "3d",
          retentionSize: "8GB",
          storageSpec: { emptyDir: { sizeLimit: "10Gi" } },
          replicas: 1,
          resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
        },
      },
    });
  });

  it("emits values with sorted keys, whatever the order of the values file", () => {
    for (const r of addonReleases(ALL_ON, SYSTEM)) expect(keysSorted(r.args.values), r.role).toBe(true);
  });
});

describe("pinned add-on charts", () => {
  it.each(["keda", "envoyGateway", "kubePrometheusStack"] as const)("%s: an exact version with a cited source and a values file", (key) => {
    const c = CHARTS[key];
    expect(c.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    expect(c.source).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}:\S+Chart\.yaml$/);
    expect(Object.keys(chartValues(key)).length).toBeGreaterThan(0);
  });
});

describe("add-on objects", () => {
  it("renders the GatewayClass for Envoy Gateway's controller and Pod Security labels per namespace", () => {
    expect(renderGatewayClass("platform")).toEqual({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: {
        name: "llmkit",
        labels: {
          "app.kubernetes.io/name": "llmkit",
          "app.kubernetes.io/instance": "platform",
          "app.kubernetes.io/component": "addon-envoy-gateway",
          "app.kubernetes.io/part-of": "llmkit",
          "app.kubernetes.io/managed-by": "pulumi",
        },
      },
      spec: { controllerName: ENVOY_GATEWAY_CONTROLLER, description: "llmkit serving gateways (Envoy Gateway)" },
    });
    expect(ENVOY_GATEWAY_CONTROLLER).toBe("gateway.envoyproxy.io/gatewayclass-controller");
    const psa = Object.fromEntries(
      addonReleases(ALL_ON, ANYWHERE).map((r) => {
        const ns = renderAddonNamespace("platform", r);
        return [ns.metadata.name, Object.fromEntries(Object.entries(ns.metadata.labels).filter(([k]) => k.startsWith("pod-security")))];
      }),
    );
    expect(psa).toEqual({
      monitoring: { "pod-security.kubernetes.io/enforce": "privileged" },
      keda: { "pod-security.kubernetes.io/enforce": "restricted" },
      "envoy-gateway-system": {
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    });
  });

  it("validates against the Gateway API schema Envoy Gateway v1.9.0 ships and the Namespace schema", async () => {
    const objects = [renderGatewayClass("platform"), ...addonReleases(ALL_ON, ANYWHERE).map((r) => renderAddonNamespace("platform", r))];
    const verdicts = await validateObjects(objects);
    expect(verdicts.filter((v) => v.status !== "skipped").flatMap(formatVerdict)).toEqual([]);
    const gc = verdicts[0]!;
    if (gc.status === "skipped") console.log(`note: ${gc.problems.join("; ")}`);
    else expect(gc.status).toBe("valid");
    // A misspelt field is refused, so the check above can fail.
    const bad = await validateObjects([{ ...renderGatewayClass("platform"), spec: { controllerName: ENVOY_GATEWAY_CONTROLLER, controler: "x" } }]);
    if (bad[0]!.status !== "skipped") expect(bad[0]!.status).toBe("invalid");
  });
});
