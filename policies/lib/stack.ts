/** Helpers for stack policies: the stack's Kubernetes objects and its authentication policies. */
import { groupKind, namespaceOf, obj, str, type GroupKind, type Obj } from "./k8s.ts";
import type { PolicyInput } from "./types.ts";

export interface K8sResource {
  readonly resource: PolicyInput;
  readonly gk: GroupKind;
  readonly inputs: Obj;
  readonly namespace: string;
  readonly name: string;
}

export function k8sResources(resources: readonly PolicyInput[]): K8sResource[] {
  return resources.flatMap((r) => {
    const gk = groupKind(r.type, r.inputs);
    if (gk === undefined) return [];
    return [{ resource: r, gk, inputs: r.inputs, namespace: namespaceOf(r.inputs), name: str(obj(r.inputs.metadata).name) ?? r.name }];
  });
}

export function ofKind(objects: readonly K8sResource[], group: string, kind: string): K8sResource[] {
  return objects.filter((o) => o.gk.group === group && o.gk.kind === kind);
}

/** Envoy Gateway SecurityPolicy fields that authenticate clients. */
const AUTH_FIELDS = ["apiKeyAuth", "jwt", "oidc", "basicAuth", "extAuth"];

/** Envoy Gateway SecurityPolicies (gateway.envoyproxy.io) that authenticate, in any namespace. */
export function authPolicies(objects: readonly K8sResource[]): K8sResource[] {
  return ofKind(objects, "gateway.envoyproxy.io", "SecurityPolicy").filter((p) => AUTH_FIELDS.some((f) => obj(p.inputs.spec)[f] !== undefined));
}
