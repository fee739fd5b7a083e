/**
 * Scraping of the Envoy proxies Envoy Gateway runs for each Gateway (pure render + registration).
 * Serving's scale-to-zero services wake on these proxies' request counters
 * (components/serving/autoscaling.ts `wakeQuery`): at 0 replicas the gateway is the only place a
 * request still shows.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../../charts/index.ts";
import { childName } from "../../lib/naming.ts";
import { recommendedLabels } from "../../lib/labels.ts";
import type { ResolvedAddons } from "./defaults.ts";
import type { AddonRole } from "./releases.ts";

/**
 * Labels Envoy Gateway v1.9.0 puts on every proxy pod (`EnvoyAppLabel` in
 * internal/infrastructure/kubernetes/proxy/resource.go); the controller's own pods lack
 * `app.kubernetes.io/component: proxy`.
 */
export const ENVOY_PROXY_POD_LABELS = {
  "app.kubernetes.io/name": "envoy",
  "app.kubernetes.io/component": "proxy",
  "app.kubernetes.io/managed-by": "envoy-gateway",
} as const;

/**
 * Pod labels copied onto every proxy series, so a query can pick one Gateway's proxies: set by
 * Envoy Gateway (OwningGatewayNameLabel/OwningGatewayNamespaceLabel, internal/gatewayapi/translator.go).
 * The Prometheus Operator names the series labels `gateway_envoyproxy_io_owning_gateway_{name,namespace}`.
 */
export const OWNING_GATEWAY_LABELS = ["gateway.envoyproxy.io/owning-gateway-name", "gateway.envoyproxy.io/owning-gateway-namespace"] as const;

/** @default 15 s — as the serving ServiceMonitors: a wake-up should show within one KEDA poll. */
export const ENVOY_SCRAPE_INTERVAL = "15s";

/**
 * PodMonitor `envoy-proxies` in Envoy Gateway's namespace (the proxies run there: the EnvoyProxy
 * does not ask for `GatewayNamespace` mode). Port `metrics` is 19001, serving `/stats/prometheus`
 * (container port in internal/infrastructure/kubernetes/proxy/resource.go `expectedProxyContainers`,
 * listener in internal/xds/bootstrap/bootstrap.yaml.tpl; on unless an EnvoyProxy sets
 * `telemetry.metrics.prometheus.disable`). kube-prometheus-stack selects every PodMonitor
 * (`podMonitorSelectorNilUsesHelmValues: false`, charts/values/kube-prometheus-stack.yaml).
 */
export function renderEnvoyPodMonitor(instance: string) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: {
      name: "envoy-proxies",
      namespace: CHARTS.envoyGateway.namespace,
      labels: recommendedLabels({ name: "llmkit", instance, component: "addon-envoy-gateway" }),
    },
    spec: {
      selector: { matchLabels: { ...ENVOY_PROXY_POD_LABELS } },
      namespaceSelector: { matchNames: [CHARTS.envoyGateway.namespace] },
      podTargetLabels: [...OWNING_GATEWAY_LABELS],
      podMetricsEndpoints: [{ port: "metrics", path: "/stats/prometheus", interval: ENVOY_SCRAPE_INTERVAL, scrapeTimeout: "10s" }],
    },
  };
}

/**
 * Registers the PodMonitor when the platform runs Envoy Gateway and a Prometheus (an existing one
 * must run the Prometheus Operator CRDs, as for serving's ServiceMonitors); after both releases.
 */
export function registerEnvoyMonitoring(
  name: string,
  addons: ResolvedAddons,
  releases: Partial<Record<AddonRole, k8s.helm.v3.Release>>,
  parent: pulumi.Resource,
  provider: k8s.Provider,
): k8s.apiextensions.CustomResource | undefined {
  const gateway = releases["envoy-gateway"];
  if (gateway === undefined || addons.prometheus.mode === "none") return undefined;
  const pm = renderEnvoyPodMonitor(name);
  const prometheus = releases["prometheus-stack"];
  return new k8s.apiextensions.CustomResource(
    childName(name, "envoy-monitor"),
    { apiVersion: pm.apiVersion, kind: pm.kind, metadata: pm.metadata, spec: pm.spec },
    { parent, provider, dependsOn: prometheus === undefined ? [gateway] : [gateway, prometheus] },
  );
}
