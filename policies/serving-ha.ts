/**
 * serving-ha: every serving workload (pod template labelled `app.kubernetes.io/component: serving`)
 * runs at least 2 replicas (or an HPA/KEDA floor of 2), has a PodDisruptionBudget, spreads over
 * zones, authenticates clients, and has an ingress NetworkPolicy that admits only named peers.
 * Mandatory in staging and prod; advisory in dev, where one replica is the point. docs/architecture.md §6, §8.
 *
 * Auth: a workload exposed by an HTTPRoute (one routing to a Service that selects its pods) needs
 * an authenticating Envoy Gateway SecurityPolicy (apiKeyAuth/jwt/oidc/basicAuth/extAuth) that
 * targets that route or its Gateway, by targetRef(s) or targetSelectors; any other policy leaves
 * the route open. A workload no route exposes needs such a policy in its namespace, or the
 * engine's own key (`VLLM_API_KEY` from a Secret / `--api-key`), which the NetworkPolicy then has
 * to keep behind the gateway: vLLM's key guards only /v1 (docs/architecture.md §8).
 */
import { arr, containers, labelsOf, num, obj, podTemplate, selectorMatches, str } from "./lib/k8s.ts";
import { authPolicies, k8sResources, ofKind, type K8sResource } from "./lib/stack.ts";
import type { PolicyInput, StackPolicy, Violation } from "./lib/types.ts";

export const SERVING_COMPONENT = "serving";
const ZONE_KEY = "topology.kubernetes.io/zone";

function isServing(o: K8sResource): boolean {
  if (o.gk.group !== "apps" || (o.gk.kind !== "Deployment" && o.gk.kind !== "StatefulSet")) return false;
  const pod = podTemplate(o.resource.type, o.inputs);
  return pod !== undefined && labelsOf(pod.metadata)["app.kubernetes.io/component"] === SERVING_COMPONENT;
}

/** The replica floor: an autoscaler's minimum if one targets the workload, else spec.replicas (default 1). */
function replicaFloor(w: K8sResource, objects: readonly K8sResource[]): number {
  const targets = (o: K8sResource) => o.namespace === w.namespace && str(obj(obj(o.inputs.spec).scaleTargetRef).name) === w.name;
  const hpa = ofKind(objects, "autoscaling", "HorizontalPodAutoscaler").find(targets);
  if (hpa !== undefined) return num(obj(hpa.inputs.spec).minReplicas) ?? 1;
  const keda = ofKind(objects, "keda.sh", "ScaledObject").find(targets);
  if (keda !== undefined) return num(obj(keda.inputs.spec).minReplicaCount) ?? 0;
  return num(obj(w.inputs.spec).replicas) ?? 1;
}

const GATEWAY_API = "gateway.networking.k8s.io";

/** HTTPRoutes of the workload's namespace with a backendRef to a Service that selects its pods. */
function exposingRoutes(w: K8sResource, labels: Record<string, string>, objects: readonly K8sResource[]): K8sResource[] {
  const services = new Set(
    ofKind(objects, "", "Service")
      .filter((s) => s.namespace === w.namespace && selectorMatches({ matchLabels: obj(obj(s.inputs.spec).selector) }, labels))
      .map((s) => s.name),
  );
  const toService = (ref: unknown) => {
    const r = obj(ref);
    const sameNamespace = (str(r.namespace) ?? w.namespace) === w.namespace;
    return (str(r.group) ?? "") === "" && (str(r.kind) ?? "Service") === "Service" && sameNamespace && services.has(str(r.name) ?? "");
  };
  return ofKind(objects, GATEWAY_API, "HTTPRoute").filter(
    (r) => r.namespace === w.namespace && arr(obj(r.inputs.spec).rules).some((rule) => arr(obj(rule).backendRefs).some(toService)),
  );
}

/** Whether an authenticating SecurityPolicy targets the route itself or one of its parent Gateways. */
function routeCovered(route: K8sResource, objects: readonly K8sResource[]): boolean {
  const gateways = arr(obj(route.inputs.spec).parentRefs)
    .map(obj)
    .filter((p) => (str(p.kind) ?? "Gateway") === "Gateway" && (str(p.namespace) ?? route.namespace) === route.namespace)
    .map((p) => str(p.name));
  const targets = (ref: unknown) => {
    const r = obj(ref);
    if (str(r.group) !== GATEWAY_API) return false;
    return (str(r.kind) === "HTTPRoute" && str(r.name) === route.name) || (str(r.kind) === "Gateway" && gateways.includes(str(r.name)));
  };
  const routeLabels = labelsOf(route.inputs.metadata);
  const selects = (sel: unknown) => {
    const s = obj(sel);
    return (str(s.group) ?? GATEWAY_API) === GATEWAY_API && str(s.kind) === "HTTPRoute" && selectorMatches(s, routeLabels);
  };
  return authPolicies(objects).some((p) => {
    const spec = obj(p.inputs.spec);
    return p.namespace === route.namespace && ([spec.targetRef, ...arr(spec.targetRefs)].some(targets) || arr(spec.targetSelectors).some(selects));
  });
}

function hasEngineKey(podSpec: Record<string, unknown>): boolean {
  return containers(podSpec).some(
    (c) =>
      c.list === "containers" &&
      (arr(c.raw.env).some((e) => str(obj(e).name) === "VLLM_API_KEY" && obj(obj(e).valueFrom).secretKeyRef !== undefined) ||
        [...arr(c.raw.args), ...arr(c.raw.command)].some((a) => typeof a === "string" && a.startsWith("--api-key"))),
  );
}

export function servingProblems(resources: readonly PolicyInput[]): Violation[] {
  const objects = k8sResources(resources);
  const violations: Violation[] = [];
  for (const w of objects.filter(isServing)) {
    const pod = podTemplate(w.resource.type, w.inputs)!;
    const labels = labelsOf(pod.metadata);
    const who = `${w.gk.kind} ${w.namespace}/${w.name}`;
    const report = (message: string) => violations.push({ resource: w.resource.name, message: `${who}: ${message}` });

    const floor = replicaFloor(w, objects);
    if (floor < 2) report(`runs ${floor} replica(s) at minimum; serving needs ≥ 2 to survive a node or zone loss`);

    const pdbs = ofKind(objects, "policy", "PodDisruptionBudget").filter((p) => p.namespace === w.namespace && selectorMatches(obj(p.inputs.spec).selector, labels));
    if (pdbs.length === 0) report("no PodDisruptionBudget selects its pods");

    const spread = arr(pod.spec.topologySpreadConstraints).some((t) => str(obj(t).topologyKey) === ZONE_KEY);
    const antiAffinity = [
      ...arr(obj(obj(pod.spec.affinity).podAntiAffinity).requiredDuringSchedulingIgnoredDuringExecution),
      ...arr(obj(obj(pod.spec.affinity).podAntiAffinity).preferredDuringSchedulingIgnoredDuringExecution).map((p) => obj(p).podAffinityTerm),
    ].some((t) => str(obj(t).topologyKey) === ZONE_KEY);
    if (!spread && !antiAffinity) report(`no topologySpreadConstraint or pod anti-affinity on ${ZONE_KEY}`);

    const routes = exposingRoutes(w, labels, objects);
    for (const route of routes.filter((r) => !routeCovered(r, objects))) {
      report(`HTTPRoute ${route.name} exposes it, but no authenticating SecurityPolicy targets that route or its Gateway`);
    }
    const gatewayAuth = authPolicies(objects).some((p) => p.namespace === w.namespace);
    if (routes.length === 0 && !gatewayAuth && !hasEngineKey(pod.spec)) {
      report("no authentication: neither a gateway SecurityPolicy in its namespace nor an engine API key from a Secret");
    }

    const netpols = ofKind(objects, "networking.k8s.io", "NetworkPolicy").filter((n) => {
      const spec = obj(n.inputs.spec);
      const types = arr(spec.policyTypes);
      return n.namespace === w.namespace && selectorMatches(spec.podSelector, labels) && (types.includes("Ingress") || (types.length === 0 && spec.ingress !== undefined));
    });
    if (netpols.length === 0) report("no ingress NetworkPolicy selects its pods, so clients can bypass the gateway");
    for (const n of netpols) {
      if (arr(obj(n.inputs.spec).ingress).some((rule) => arr(obj(rule).from).length === 0)) {
        report(`NetworkPolicy ${n.name} has an ingress rule with no "from": it admits every peer`);
      }
    }
  }
  return violations;
}

export const servingHa: StackPolicy = {
  kind: "stack",
  name: "serving-ha",
  description: "Serving workloads run ≥2 replicas with a PDB, zone spread, authentication and an ingress NetworkPolicy.",
  check: servingProblems,
};
