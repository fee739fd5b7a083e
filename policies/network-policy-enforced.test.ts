/**
 * network-policy-enforced: NetworkPolicies only count where the CNI enforces them (the EKS VPC CNI
 * only with enableNetworkPolicy, aws/amazon-vpc-cni-k8s@v1.20.5 charts/aws-vpc-cni/values.yaml:125).
 */
import { describe, expect, it } from "vitest";
import type { Levels } from "./lib/enforcement.ts";
import type { PolicyInput } from "./lib/types.ts";
import { enforcementEvidence } from "./network-policy-enforced.ts";
import { evaluate, POLICY_NAMES } from "./pack.ts";

const P = "network-policy-enforced";
function run(resources: PolicyInput[]): string[] {
  const levels: Levels = Object.fromEntries(POLICY_NAMES.map((n) => [n, n === P ? "mandatory" : "disabled"]));
  return evaluate(resources, levels).map((f) => `${f.resource}: ${f.message}`);
}

const networkPolicy: PolicyInput = {
  type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  name: "chat",
  inputs: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "chat", namespace: "llmkit" }, spec: { podSelector: {} } },
};
const namespace = (enforced: string): PolicyInput => ({
  type: "kubernetes:core/v1:Namespace",
  name: "platform-namespace",
  inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "llmkit", annotations: { "llmkit.dev/network-policy-enforced": enforced } } },
});
const eksCluster = (enableNetworkPolicy: boolean): PolicyInput => ({
  type: "eks:index:Cluster",
  name: "platform-cluster",
  inputs: { name: "llmkit-dev", vpcCniOptions: { addonVersion: "v1.20.5-eksbuild.1", enableNetworkPolicy } },
});
const vpcCniAddon = (configurationValues: string): PolicyInput => ({
  type: "aws:eks/addon:Addon",
  name: "platform-cluster-vpc-cni",
  inputs: { addonName: "vpc-cni", addonVersion: "v1.20.5-eksbuild.1", configurationValues },
});
const stackReference = (networkPolicyEnforced: boolean): PolicyInput => ({
  type: "pulumi:pulumi:StackReference",
  name: "organization/llmkit/platform-prod",
  inputs: { name: "organization/llmkit/platform-prod", outputs: { kubeconfig: "[secret]", contract: { namespace: "llmkit", networkPolicyEnforced } } },
});

const VIOLATION =
  "chat: NetworkPolicy llmkit/chat may not be enforced: nothing in this stack shows a CNI that enforces NetworkPolicy " +
  "(aws: the vpc-cni add-on with enableNetworkPolicy; existing/local: platform.cni.enforcesNetworkPolicy: true on a cluster whose CNI enforces it, " +
  "which annotates the namespace llmkit.dev/network-policy-enforced=true and sets the contract's networkPolicyEnforced)";

describe("network-policy-enforced", () => {
  it("refuses NetworkPolicies with no evidence of an enforcing CNI", () => {
    expect(run([networkPolicy])).toEqual([VIOLATION]);
  });

  it.each([
    ["a namespace the platform declares enforced", namespace("false"), namespace("true")],
    ["an eks.Cluster with the VPC CNI's policy agent", eksCluster(false), eksCluster(true)],
    ["its vpc-cni add-on (what a real preview shows)", vpcCniAddon('{"env":{}}'), vpcCniAddon('{"enableNetworkPolicy":"true","env":{}}')],
    ["a platform stack whose contract says so (workloads stack)", stackReference(false), stackReference(true)],
  ])("accepts %s, and not its negative", (_, negative, positive) => {
    expect(run([networkPolicy, negative])).toEqual([VIOLATION]);
    expect(run([networkPolicy, positive])).toEqual([]);
  });

  it("has nothing to say about stacks without NetworkPolicies", () => {
    expect(run([namespace("false"), eksCluster(false)])).toEqual([]);
  });

  it("names every piece of evidence", () => {
    expect(enforcementEvidence([namespace("true"), eksCluster(true), vpcCniAddon('{"enableNetworkPolicy":"true"}'), stackReference(true)])).toEqual([
      "eks cluster platform-cluster",
      "vpc-cni add-on platform-cluster-vpc-cni",
      "stack reference organization/llmkit/platform-prod",
      "namespace llmkit",
    ]);
  });
});
