/**
 * docs/architecture.md §7.4: the whole policy pack over the rendered resources of every shipped stack.
 * Each stack complies at its own environment's enforcement levels (llmkit:env; local → dev), and
 * the same rendered resources, broken one way at a time, fail: the pack reads their real shapes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runStack, type ResourceRecord } from "../render/harness.ts";
import { mockState } from "../render/mock-outputs.ts";
import { STACKS_DIR } from "../config/load.ts";
import { listStacks, readEngineConfig } from "../render/stack-config.ts";
import { policyEnv, resolveLevels, type PolicyEnv } from "./lib/enforcement.ts";
import { evaluate, POLICY_NAMES } from "./pack.ts";

const STACKS = listStacks();
const rendered = new Map<string, { env: PolicyEnv; resources: ResourceRecord[] }>();

beforeAll(async () => {
  // runs share Pulumi's process-global runtime: one at a time
  for (const stack of STACKS) {
    const run = await runStack(stack);
    rendered.set(stack, { env: policyEnv(readEngineConfig(stack).config["llmkit:env"]), resources: run.resources.map(asStackPolicySees) });
  }
});

/**
 * Stack policies see a StackReference's outputs (the referenced stack's exports, read during the
 * preview); the harness records the registration's inputs, so the mocked read is put back here.
 */
function asStackPolicySees(r: ResourceRecord): ResourceRecord {
  if (r.type !== "pulumi:pulumi:StackReference") return r;
  return { ...r, inputs: mockState({ type: r.type, name: r.name, inputs: r.inputs, custom: true }, STACKS_DIR, "us-west-2") };
}

function mandatory(stack: string, resources = rendered.get(stack)!.resources): string[] {
  return evaluate(resources, resolveLevels(rendered.get(stack)!.env, POLICY_NAMES))
    .filter((f) => f.level === "mandatory")
    .map((f) => `${f.policy}: ${f.message}`);
}

/** The stack's resources with one resource's inputs changed. */
function mutated(stack: string, type: string, name: string, change: (inputs: any) => void): ResourceRecord[] {
  let hit = false;
  const out = rendered.get(stack)!.resources.map((r) => {
    if (r.type !== type || r.name !== name) return r;
    hit = true;
    const inputs = structuredClone(r.inputs);
    change(inputs);
    return { ...r, inputs };
  });
  if (!hit) throw new Error(`${stack} renders no ${type} ${name}: update this test`);
  return out;
}

describe("the policy pack over every shipped stack", () => {
  it("covers every shipped stack", () => {
    expect(STACKS).toEqual(expect.arrayContaining(["local", "platform-dev", "platform-prod", "workloads-dev", "workloads-prod"]));
  });

  it.each(STACKS)("%s has no mandatory violations at its environment's levels", (stack) => {
    const { env, resources } = rendered.get(stack)!;
    expect(resources.length).toBeGreaterThan(0);
    for (const f of evaluate(resources, resolveLevels(env, POLICY_NAMES)).filter((x) => x.level === "advisory")) {
      console.log(`${stack} (${env}) advisory ${f.policy}: ${f.message}`);
    }
    expect(mandatory(stack)).toEqual([]);
  });

  const BREAKS: [string, string, string, string, (inputs: any) => void][] = [
    ["platform-prod", "kubernetes:karpenter.sh/v1:NodePool", "platform-nodepool-serving-l40s", "gpu-pool-tainted-capped", (i) => (i.spec.template.spec.taints = [])],
    ["platform-dev", "kubernetes:karpenter.sh/v1:NodePool", "platform-nodepool-training-l40s", "gpu-pool-tainted-capped", (i) => delete i.spec.limits],
    ["platform-prod", "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "platform-nodeclass-serving-l40s", "pinned-ami-alias", (i) => (i.spec.amiSelectorTerms = [{ alias: "bottlerocket@latest" }])],
    ["platform-prod", "aws:s3/bucketPolicy:BucketPolicy", "platform-store-policy", "model-store-secure", (i) => (i.policy = JSON.stringify({ Version: "2012-10-17", Statement: [] }))],
    ["platform-prod", "aws:s3/bucketVersioning:BucketVersioning", "platform-store-versioning", "model-store-secure", (i) => (i.versioningConfiguration.status = "Suspended")],
    ["platform-prod", "aws:iam/rolePolicy:RolePolicy", "platform-serving-store-access", "reader-role-read-only", (i) => (i.policy = i.policy.replace('"s3:GetObject"', '"s3:GetObject","s3:PutObject"'))],
    ["platform-prod", "kubernetes:helm.sh/v3:Release", "platform-keda", "pinned-images", (i) => delete i.version],
    // chat scales with KEDA: its floor is the ScaledObject's, not the Deployment's replicas
    ["workloads-prod", "kubernetes:keda.sh/v1alpha1:ScaledObject", "chat-scaler", "serving-ha", (i) => (i.spec.minReplicaCount = 1)],
    ["workloads-prod", "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", "chat-security-policy", "no-public-loadbalancer+serving-ha", (i) => delete i.spec.apiKeyAuth],
    ["workloads-prod", "kubernetes:apps/v1:Deployment", "chat", "pinned-images", (i) => (i.spec.template.spec.containers[0].image = "vllm/vllm-openai:latest")],
    ["workloads-prod", "kubernetes:apps/v1:Deployment", "chat", "gpu-pod-scheduling", (i) => (i.spec.template.spec.tolerations = [])],
    ["workloads-prod", "kubernetes:apps/v1:Deployment", "chat", "no-privilege-escalation", (i) => (i.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true)],
    ["workloads-prod", "kubernetes:core/v1:Service", "chat", "no-public-loadbalancer", (i) => (i.spec.type = "LoadBalancer")],
    ["workloads-prod", "kubernetes:batch/v1:Job", "qwen2-5-7b-mirror", "jobs-bounded", (i) => delete i.spec.activeDeadlineSeconds],
    ["workloads-prod", "kubernetes:batch/v1:Job", "qwen2-5-7b-mirror", "jobs-ttl", (i) => delete i.spec.ttlSecondsAfterFinished],
    // a platform stack that does not declare an enforcing CNI: serving's NetworkPolicies are decoration
    ["workloads-prod", "pulumi:pulumi:StackReference", "organization/llmkit/platform-prod", "network-policy-enforced", (i) => (i.outputs.contract.networkPolicyEnforced = false)],
  ];

  it.each(BREAKS)("%s: %s %s broken fails %s", (stack, type, name, policy, change) => {
    const problems = mandatory(stack, mutated(stack, type, name, change));
    expect(problems.length).toBeGreaterThan(0);
    // `a+b`: the break violates exactly those policies
    expect([...new Set(problems.map((p) => p.slice(0, p.indexOf(": "))))].sort()).toEqual(policy.split("+"));
  });
});
