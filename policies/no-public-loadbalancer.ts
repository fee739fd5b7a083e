/**
 * no-public-loadbalancer: no internet-facing load balancer without authentication in front of it.
 * A `type: LoadBalancer` Service must be internal (cloud "internal" annotation), or select the
 * gateway's pods (`llmkit.dev/gateway: "true"`) in a namespace with an authenticating Envoy Gateway
 * SecurityPolicy. A Gateway API Gateway must be the target of such a policy, directly or through
 * one of its HTTPRoutes. docs/architecture.md §6 "serving", §8 (auth belongs at the gateway).
 */
import { arr, obj, str } from "./lib/k8s.ts";
import { authPolicies, k8sResources, ofKind, type K8sResource } from "./lib/stack.ts";
import type { PolicyInput, StackPolicy, Violation } from "./lib/types.ts";

export const GATEWAY_POD_LABEL = "llmkit.dev/gateway";

const INTERNAL_ANNOTATIONS: Record<string, string[]> = {
  "service.beta.kubernetes.io/aws-load-balancer-scheme": ["internal"],
  "service.beta.kubernetes.io/aws-load-balancer-internal": ["true", "0.0.0.0/0"],
  "networking.gke.io/load-balancer-type": ["Internal"],
  "cloud.google.com/load-balancer-type": ["Internal"],
  "service.beta.kubernetes.io/azure-load-balancer-internal": ["true"],
};

export function isInternal(service: K8sResource): boolean {
  const annotations = obj(obj(service.inputs.metadata).annotations);
  return Object.entries(INTERNAL_ANNOTATIONS).some(([k, values]) => values.includes(str(annotations[k]) ?? ""));
}

function targetNames(policy: K8sResource, kind: string): string[] {
  const spec = obj(policy.inputs.spec);
  const refs = [...arr(spec.targetRefs), ...(spec.targetRef !== undefined ? [spec.targetRef] : [])].map(obj);
  return refs.filter((r) => str(r.kind) === kind).flatMap((r) => str(r.name) ?? []);
}

export function loadBalancerProblems(resources: readonly PolicyInput[]): Violation[] {
  const objects = k8sResources(resources);
  const auth = authPolicies(objects);
  const violations: Violation[] = [];

  for (const svc of ofKind(objects, "", "Service")) {
    if (str(obj(svc.inputs.spec).type) !== "LoadBalancer" || isInternal(svc)) continue;
    const selectsGateway = str(obj(obj(svc.inputs.spec).selector)[GATEWAY_POD_LABEL]) === "true";
    const authHere = auth.some((p) => p.namespace === svc.namespace);
    if (!selectsGateway || !authHere) {
      violations.push({
        resource: svc.resource.name,
        message: `Service ${svc.namespace}/${svc.name}: public LoadBalancer ${selectsGateway ? "in a namespace with no authenticating SecurityPolicy" : "that does not front the authenticating gateway"}; make it internal or route it through the gateway`,
      });
    }
  }

  const routes = ofKind(objects, "gateway.networking.k8s.io", "HTTPRoute");
  for (const gw of ofKind(objects, "gateway.networking.k8s.io", "Gateway")) {
    const direct = auth.some((p) => p.namespace === gw.namespace && targetNames(p, "Gateway").includes(gw.name));
    const attached = routes.filter((r) => arr(obj(r.inputs.spec).parentRefs).some((ref) => str(obj(ref).name) === gw.name));
    const viaRoutes = attached.length > 0 && attached.every((r) => auth.some((p) => p.namespace === r.namespace && targetNames(p, "HTTPRoute").includes(r.name)));
    if (!direct && !viaRoutes) {
      violations.push({ resource: gw.resource.name, message: `Gateway ${gw.namespace}/${gw.name}: no authenticating SecurityPolicy targets it or every HTTPRoute attached to it` });
    }
  }
  return violations;
}

export const noPublicLoadBalancer: StackPolicy = {
  kind: "stack",
  name: "no-public-loadbalancer",
  description: "Public LoadBalancer Services and Gateways have authentication (an Envoy Gateway SecurityPolicy) in front.",
  check: loadBalancerProblems,
};
