import { beforeAll, describe, expect, it } from "vitest";
import { awsPlatform, existingPlatform } from "../__fixtures__/configs.ts";
import { byName, installMocks, settled, type Registered } from "../__fixtures__/mocks.ts";
import { INSTALLED_PROMETHEUS_URL, resolveAddons } from "./defaults.ts";
import { addonReleases, renderAddonNamespace, renderGatewayClass } from "./releases.ts";

const ALL = { ...existingPlatform(), addons: { prometheus: "install" as const } };
const NONE = { ...existingPlatform(), addons: { keda: false, envoyGateway: false, prometheus: "none" as const } };
const AWS = awsPlatform();

let registered: Registered[];
const contracts: Record<string, unknown> = {};

beforeAll(async () => {
  registered = await installMocks();
  const { ExistingPlatform } = await import("../existing/existing-platform.ts");
  const { AwsPlatform } = await import("../aws/aws-platform.ts");
  contracts.all = new ExistingPlatform("all", { platform: ALL }).contract.addons;
  contracts.none = new ExistingPlatform("none", { platform: NONE }).contract.addons;
  contracts.aws = new AwsPlatform("aws", { platform: AWS }).contract.addons;
  await settled(registered);
});

const ADDON_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:gateway.networking.k8s.io/v1:GatewayClass"];
function addonChildren(prefix: string): string[] {
  return registered
    .filter((r) => r.name.startsWith(`${prefix}-`) && (ADDON_TYPES.includes(r.type) || (r.type === "kubernetes:core/v1:Namespace" && r.name !== `${prefix}-namespace`)))
    .map((r) => `${r.type} ${r.name}`)
    .sort();
}

describe("registerAddons", () => {
  it("registers a namespace and a release per switched-on add-on, and the GatewayClass", () => {
    expect(addonChildren("all")).toEqual(
      [
        "kubernetes:core/v1:Namespace all-prometheus-stack-namespace",
        "kubernetes:helm.sh/v3:Release all-prometheus-stack",
        "kubernetes:core/v1:Namespace all-keda-namespace",
        "kubernetes:helm.sh/v3:Release all-keda",
        "kubernetes:core/v1:Namespace all-envoy-gateway-namespace",
        "kubernetes:helm.sh/v3:Release all-envoy-gateway",
        "kubernetes:gateway.networking.k8s.io/v1:GatewayClass all-gateway-class",
      ].sort(),
    );
    expect(addonChildren("none")).toEqual([]);
  });

  it("passes the rendered release arguments and objects unchanged, on the platform provider", () => {
    for (const release of addonReleases(resolveAddons(ALL), { nodeSelector: {} })) {
      const r = byName(registered, `all-${release.role}`);
      expect(r.inputs, release.role).toEqual({ ...release.args, compat: "true" }); // the SDK adds compat
      expect(r.provider).toMatch(/::all-k8s::all-k8s-id$/);
      expect(r.dependsOn).toEqual([`all-${release.role}-namespace`]);
      expect(byName(registered, `all-${release.role}-namespace`).inputs).toEqual(renderAddonNamespace("all", release));
    }
    const gc = byName(registered, "all-gateway-class");
    expect(gc.inputs).toEqual(renderGatewayClass("all"));
    expect(gc.dependsOn).toEqual(["all-envoy-gateway"]);
  });

  it("makes the workloads provider wait for the GatewayClass, KEDA and the Prometheus stack", () => {
    expect(byName(registered, "all-workloads-k8s").dependsOn).toEqual(expect.arrayContaining(["all-gateway-class", "all-keda", "all-prometheus-stack"]));
    expect(byName(registered, "none-workloads-k8s").dependsOn.filter((d) => !d.startsWith("none-sa-") && d !== "none-namespace" && d !== "none-serving-priority")).toEqual([]);
  });

  it("exports the add-ons in the contract", () => {
    expect(contracts).toEqual({
      all: { gatewayClassName: "llmkit", prometheusUrl: INSTALLED_PROMETHEUS_URL, keda: true },
      none: { gatewayClassName: null, prometheusUrl: null, keda: false },
      aws: { gatewayClassName: "llmkit", prometheusUrl: INSTALLED_PROMETHEUS_URL, keda: true },
    });
  });
});

describe("add-ons on aws", () => {
  it("run on the system node group, after it exists", () => {
    for (const release of addonReleases(resolveAddons(AWS), { nodeSelector: { "llmkit.dev/pool": "system" } })) {
      const r = byName(registered, `aws-${release.role}`);
      expect(r.inputs, release.role).toEqual({ ...release.args, compat: "true" }); // the SDK adds compat
      expect(r.dependsOn).toEqual(expect.arrayContaining([`aws-${release.role}-namespace`, "aws-system-nodes"]));
    }
    expect(byName(registered, "aws-keda").inputs.values.nodeSelector).toEqual({ "llmkit.dev/pool": "system" });
  });

  it("install the Prometheus stack before the DCGM exporter's ServiceMonitor, and before workloads", () => {
    expect(byName(registered, "aws-dcgm-exporter").dependsOn).toContain("aws-prometheus-stack");
    expect(byName(registered, "aws-workloads-k8s").dependsOn).toEqual(expect.arrayContaining(["aws-gateway-class", "aws-keda", "aws-prometheus-stack"]));
  });
});
