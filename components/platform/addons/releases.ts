/**
 * Which cluster add-ons a platform installs, and with what (pure): the pinned chart of
 * charts/index.ts, its values file, and the values computed from the provider (where the
 * controllers run), merged the way Helm merges values (maps deep, lists replaced) with keys
 * sorted so the result is stable. Plus the namespaces and the GatewayClass around them.
 * components/platform/addons/register.ts turns these into resources; tests inspect them directly.
 */
import { chartValues, type ChartKey } from "../../../charts/index.ts";
import { mergeValues, releaseArgs, type PinnedReleaseArgs, type Values } from "../../../charts/release.ts";
import { recommendedLabels } from "../../lib/labels.ts";
import { GATEWAY_CLASS, type ResolvedAddons } from "./defaults.ts";

/** What differs between providers for the add-ons. */
export interface AddonFacts {
  /**
   * Labels of the nodes the add-on controllers run on: on aws the system managed node group
   * (SYSTEM_POOL_LABELS, components/platform/aws/cluster.ts), so controllers never land on (or
   * keep alive) a GPU node. `{}` on existing and local clusters: llmkit does not know their pools.
   */
  readonly nodeSelector: Readonly<Record<string, string>>;
}

/** An add-on's role: its Helm release name and the suffix of its child resources' names. */
export type AddonRole = "keda" | "envoy-gateway" | "prometheus-stack";

/**
 * Envoy Gateway's controller name (config.envoyGateway.gateway.controllerName in the chart's
 * values.tmpl.yaml at v1.9.0): the GatewayClass must name it to be served by this installation.
 */
export const ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";

export type AddonReleaseArgs = PinnedReleaseArgs<AddonRole>;

export interface AddonRelease {
  readonly role: AddonRole;
  readonly chartKey: ChartKey;
  readonly args: AddonReleaseArgs;
}

/** Only set a node selector where there is one: `{}` would still be emitted by some templates. */
function onNodes(facts: AddonFacts, at: (selector: Record<string, string>) => Values): Values {
  return Object.keys(facts.nodeSelector).length === 0 ? {} : at({ ...facts.nodeSelector });
}

/** KEDA: one global nodeSelector covers operator, metrics server and webhooks (keda/values.yaml). */
export function kedaValues(facts: AddonFacts): Values {
  return mergeValues(
    chartValues("keda"),
    onNodes(facts, (s) => ({ nodeSelector: s })),
  );
}

/** Envoy Gateway: the controller Deployment and the certgen Job (values.tmpl.yaml). */
export function envoyGatewayValues(facts: AddonFacts): Values {
  return mergeValues(
    chartValues("envoyGateway"),
    onNodes(facts, (s) => ({ deployment: { pod: { nodeSelector: s } }, certgen: { job: { nodeSelector: s } } })),
  );
}

/**
 * kube-prometheus-stack: operator, its webhook-patch Job, Prometheus and kube-state-metrics go to
 * the system nodes; node-exporter is a DaemonSet that belongs on every node (GPU nodes included).
 */
export function prometheusStackValues(facts: AddonFacts): Values {
  return mergeValues(
    chartValues("kubePrometheusStack"),
    onNodes(facts, (s) => ({
      prometheusOperator: { nodeSelector: s, admissionWebhooks: { patch: { nodeSelector: s } } },
      prometheus: { prometheusSpec: { nodeSelector: s } },
      "kube-state-metrics": { nodeSelector: s },
    })),
  );
}

/**
 * The releases to install, in install order: the Prometheus stack first (its CRDs let other
 * charts' monitors be created), then KEDA and Envoy Gateway. A switched-off add-on is absent;
 * prometheus "existing" and "none" install nothing.
 */
export function addonReleases(addons: ResolvedAddons, facts: AddonFacts): AddonRelease[] {
  const out: AddonRelease[] = [];
  if (addons.prometheus.mode === "install") {
    // Many objects and CRDs: allow 10 minutes per operation.
    out.push({ role: "prometheus-stack", chartKey: "kubePrometheusStack", args: releaseArgs("kubePrometheusStack", "prometheus-stack", prometheusStackValues(facts), { timeout: 600 }) });
  }
  if (addons.keda) out.push({ role: "keda", chartKey: "keda", args: releaseArgs("keda", "keda", kedaValues(facts)) });
  if (addons.envoyGateway) {
    out.push({ role: "envoy-gateway", chartKey: "envoyGateway", args: releaseArgs("envoyGateway", "envoy-gateway", envoyGatewayValues(facts)) });
  }
  return out;
}

/**
 * Pod Security Admission per add-on namespace
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * - keda: `restricted`: every KEDA pod runs non-root, drops ALL, RuntimeDefault seccomp (values file).
 * - envoy-gateway: `baseline` enforced, `restricted` audited and warned: the controller and certgen
 *   pass `restricted`, but the Envoy proxy pods Envoy Gateway creates here are configured by the
 *   serving layer's EnvoyProxy, not by this chart.
 * - prometheus-stack: `privileged`: node-exporter needs hostNetwork, hostPID and hostPath mounts.
 */
const POD_SECURITY: Readonly<Record<AddonRole, Record<string, string>>> = {
  keda: { "pod-security.kubernetes.io/enforce": "restricted" },
  "envoy-gateway": {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  },
  "prometheus-stack": { "pod-security.kubernetes.io/enforce": "privileged" },
};

function labels(instance: string, role: AddonRole) {
  return recommendedLabels({ name: "llmkit", instance, component: `addon-${role}` });
}

export function renderAddonNamespace(instance: string, release: AddonRelease) {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: release.args.namespace, labels: { ...labels(instance, release.role), ...POD_SECURITY[release.role] } },
  };
}

/** The GatewayClass serving's Gateways name (GATEWAY_CLASS), served by this Envoy Gateway. */
export function renderGatewayClass(instance: string) {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: GATEWAY_CLASS, labels: labels(instance, "envoy-gateway") },
    spec: { controllerName: ENVOY_GATEWAY_CONTROLLER, description: "llmkit serving gateways (Envoy Gateway)" },
  };
}

