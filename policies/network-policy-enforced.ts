/**
 * network-policy-enforced: a stack that relies on NetworkPolicy must run where NetworkPolicy is
 * enforced. Kubernetes accepts a NetworkPolicy on any cluster, but only the network plugin
 * enforces it; the EKS VPC CNI does so only with its network policy agent enabled
 * (`enableNetworkPolicy`, aws/amazon-vpc-cni-k8s@v1.20.5 charts/aws-vpc-cni/values.yaml:125,
 * off by default). Serving's NetworkPolicy is what keeps clients off the engine routes the
 * gateway does not allow-list (docs/architecture.md §6 "serving", components/serving/network.ts).
 *
 * Evidence, any of:
 * - an `eks:index:Cluster` with `vpcCniOptions.enableNetworkPolicy: true`, or its `vpc-cni`
 *   `aws:eks/addon:Addon` with `enableNetworkPolicy: "true"` in configurationValues (what
 *   @pulumi/eks registers from it: pulumi/pulumi-eks@v4.3.0 nodejs/eks/addons/cni-addon.ts:548);
 * - the platform namespace's `llmkit.dev/network-policy-enforced: "true"` annotation
 *   (components/platform/namespace.ts: the platform's declaration, `cni.enforcesNetworkPolicy`
 *   on existing and local clusters);
 * - a StackReference to a platform stack whose exported contract says `networkPolicyEnforced: true`
 *   (a workloads stack: stack policies see the reference's outputs).
 */
import { isObj, obj, str, type Obj } from "./lib/k8s.ts";
import { k8sResources, ofKind } from "./lib/stack.ts";
import type { PolicyInput, StackPolicy, Violation } from "./lib/types.ts";

export const ENFORCED_ANNOTATION = "llmkit.dev/network-policy-enforced";

function parseJson(v: unknown): Obj {
  if (isObj(v)) return v;
  if (typeof v !== "string") return {};
  try {
    return obj(JSON.parse(v));
  } catch {
    return {};
  }
}

function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}

/** What in the stack shows that NetworkPolicies are enforced; [] when nothing does. */
export function enforcementEvidence(resources: readonly PolicyInput[]): string[] {
  const evidence: string[] = [];
  for (const r of resources) {
    if (r.type === "eks:index:Cluster" && isTrue(obj(r.inputs.vpcCniOptions).enableNetworkPolicy)) evidence.push(`eks cluster ${r.name}`);
    if (r.type === "aws:eks/addon:Addon" && str(r.inputs.addonName) === "vpc-cni" && isTrue(parseJson(r.inputs.configurationValues).enableNetworkPolicy)) {
      evidence.push(`vpc-cni add-on ${r.name}`);
    }
    if (r.type === "pulumi:pulumi:StackReference" && isTrue(obj(obj(r.inputs.outputs).contract).networkPolicyEnforced)) evidence.push(`stack reference ${r.name}`);
  }
  for (const ns of ofKind(k8sResources(resources), "", "Namespace")) {
    if (isTrue(obj(obj(ns.inputs.metadata).annotations)[ENFORCED_ANNOTATION])) evidence.push(`namespace ${ns.name}`);
  }
  return evidence;
}

export function unenforcedPolicies(resources: readonly PolicyInput[]): Violation[] {
  const policies = ofKind(k8sResources(resources), "networking.k8s.io", "NetworkPolicy");
  if (policies.length === 0 || enforcementEvidence(resources).length > 0) return [];
  return policies.map((p) => ({
    resource: p.resource.name,
    message:
      `NetworkPolicy ${p.namespace}/${p.name} may not be enforced: nothing in this stack shows a CNI that enforces NetworkPolicy ` +
      `(aws: the vpc-cni add-on with enableNetworkPolicy; existing/local: platform.cni.enforcesNetworkPolicy: true on a cluster whose CNI enforces it, ` +
      `which annotates the namespace ${ENFORCED_ANNOTATION}=true and sets the contract's networkPolicyEnforced)`,
  }));
}

export const networkPolicyEnforced: StackPolicy = {
  kind: "stack",
  name: "network-policy-enforced",
  description: "Stacks that rely on NetworkPolicy run on a cluster whose CNI enforces it.",
  check: unenforcedPolicies,
};
