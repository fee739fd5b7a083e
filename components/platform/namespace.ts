/**
 * What every platform provider creates in its cluster: the workloads namespace and one service
 * account per role (contract.ts SERVICE_ACCOUNTS). Pure renderers plus one registration helper.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { recommendedLabels } from "../lib/labels.ts";
import { childName } from "../lib/naming.ts";
import type { PlatformContract } from "./contract.ts";
import { renderServingPriorityClass } from "./priority-class.ts";

/**
 * Pod Security Admission: enforce `baseline`, audit `restricted`.
 * `restricted` would reject the trainer pods: the LLaMA-Factory and ms-swift images have no
 * non-root user (components/lib/versions.ts) and training renders no runAsNonRoot. GPU and vLLM
 * pods themselves pass `restricted` (the device plugin hands devices over without privilege,
 * /dev/shm is an emptyDir), so `audit` keeps the gap visible in the audit log without warnings
 * on every deploy. Levels: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export const POD_SECURITY_LABELS = {
  "pod-security.kubernetes.io/enforce": "baseline",
  "pod-security.kubernetes.io/audit": "restricted",
} as const;

export type ServiceAccountRole = keyof PlatformContract["serviceAccounts"];
export const SERVICE_ACCOUNT_ROLES: readonly ServiceAccountRole[] = ["mirror", "trainer", "serving"];

function labels(instance: string) {
  return recommendedLabels({ name: "llmkit", instance, component: "platform" });
}

/**
 * The platform's declaration, on the namespace the workloads run in, that NetworkPolicies there
 * are enforced (PlatformContract.networkPolicyEnforced); policies/network-policy-enforced.ts reads it.
 */
export const NETWORK_POLICY_ENFORCED_ANNOTATION = "llmkit.dev/network-policy-enforced";

export function renderNamespace(instance: string, contract: PlatformContract) {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: contract.namespace,
      labels: { ...labels(instance), ...POD_SECURITY_LABELS },
      annotations: { [NETWORK_POLICY_ENFORCED_ANNOTATION]: String(contract.networkPolicyEnforced) },
    },
  };
}

/**
 * The role's pods never call the Kubernetes API, so no API token is mounted. EKS Pod Identity
 * does not need it either: its webhook projects its own token (audience pods.eks.amazonaws.com).
 */
export function renderServiceAccount(instance: string, contract: PlatformContract, role: ServiceAccountRole) {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: contract.serviceAccounts[role], namespace: contract.namespace, labels: labels(instance) },
    automountServiceAccountToken: false,
  };
}

export interface Tenancy {
  readonly namespace: k8s.core.v1.Namespace;
  readonly serviceAccounts: readonly k8s.core.v1.ServiceAccount[];
  /** Serving pods name it: the API server rejects a pod whose PriorityClass does not exist yet. */
  readonly priorityClass: k8s.scheduling.v1.PriorityClass;
}

/** Registers the namespace and the service accounts as children of `parent`. */
export function registerTenancy(
  name: string,
  contract: PlatformContract,
  parent: pulumi.Resource,
  provider: k8s.Provider,
): Tenancy {
  const ns = renderNamespace(name, contract);
  const namespace = new k8s.core.v1.Namespace(childName(name, "namespace"), { metadata: ns.metadata }, { parent, provider });
  const serviceAccounts = SERVICE_ACCOUNT_ROLES.map((role) => {
    const sa = renderServiceAccount(name, contract, role);
    return new k8s.core.v1.ServiceAccount(
      childName(name, `sa-${role}`),
      { metadata: sa.metadata, automountServiceAccountToken: sa.automountServiceAccountToken },
      { parent, provider, dependsOn: [namespace] },
    );
  });
  const pc = renderServingPriorityClass(name);
  const priorityArgs = { metadata: pc.metadata, value: pc.value, globalDefault: pc.globalDefault, preemptionPolicy: pc.preemptionPolicy, description: pc.description };
  const priorityClass = new k8s.scheduling.v1.PriorityClass(childName(name, "serving-priority"), priorityArgs, { parent, provider });
  return { namespace, serviceAccounts, priorityClass };
}
