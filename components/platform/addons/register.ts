/**
 * Registers the cluster add-ons a platform runs (releases.ts decides which, with what values):
 * per add-on an explicit Namespace and a helm.v3.Release, and after Envoy Gateway the GatewayClass
 * serving's Gateways name. Shared by the aws, existing and local platforms.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { childName } from "../../lib/naming.ts";
import type { ResolvedAddons } from "./defaults.ts";
import { addonReleases, renderAddonNamespace, renderGatewayClass, type AddonFacts, type AddonRole } from "./releases.ts";
import { registerEnvoyMonitoring } from "./envoy-monitoring.ts";

export interface AddonsArgs {
  readonly addons: ResolvedAddons;
  readonly facts: AddonFacts;
  /** What the releases wait for besides their namespace (on aws: the system nodes). */
  readonly dependsOn?: readonly pulumi.Resource[];
}

export interface Addons {
  readonly releases: Partial<Record<AddonRole, k8s.helm.v3.Release>>;
  readonly gatewayClass: k8s.apiextensions.CustomResource | undefined;
  /**
   * What workloads need before they are created: the GatewayClass (Gateways), KEDA (ScaledObjects)
   * and the Prometheus stack (ServiceMonitors, PrometheusRules). Empty when all are off.
   */
  readonly ready: readonly pulumi.Resource[];
  /** The installed Prometheus stack (its CRDs), for charts that create monitors; empty otherwise. */
  readonly monitoring: readonly pulumi.Resource[];
}

export function registerAddons(name: string, args: AddonsArgs, parent: pulumi.Resource, provider: k8s.Provider): Addons {
  const releases: Partial<Record<AddonRole, k8s.helm.v3.Release>> = {};
  for (const release of addonReleases(args.addons, args.facts)) {
    const ns = renderAddonNamespace(name, release);
    const namespace = new k8s.core.v1.Namespace(childName(name, `${release.role}-namespace`), { metadata: ns.metadata }, { parent, provider });
    releases[release.role] = new k8s.helm.v3.Release(childName(name, release.role), release.args, {
      parent,
      provider,
      dependsOn: [namespace, ...(args.dependsOn ?? [])],
    });
  }

  const gateway = releases["envoy-gateway"];
  let gatewayClass: k8s.apiextensions.CustomResource | undefined;
  if (gateway !== undefined) {
    // The GatewayClass CRD comes with the chart, and the controller accepts the class once it runs.
    const gc = renderGatewayClass(name);
    gatewayClass = new k8s.apiextensions.CustomResource(
      childName(name, "gateway-class"),
      { apiVersion: gc.apiVersion, kind: gc.kind, metadata: gc.metadata, spec: gc.spec },
      { parent, provider, dependsOn: [gateway] },
    );
  }

  // the gateway's request counters wake scale-to-zero services (envoy-monitoring.ts)
  registerEnvoyMonitoring(name, args.addons, releases, parent, provider);
  const monitoring = releases["prometheus-stack"] === undefined ? [] : [releases["prometheus-stack"]];
  const ready = [...(gatewayClass === undefined ? [] : [gatewayClass]), ...(releases.keda === undefined ? [] : [releases.keda]), ...monitoring];
  return { releases, gatewayClass, ready, monitoring };
}
