/**
 * The llmkit policy pack as data: every policy, a pure evaluator the tests and CLIs use, and the
 * adapter to @pulumi/policy's `validateResource`/`validateStack` that ./index.ts registers.
 */
import type { Policies, PolicyResource, ReportViolation } from "@pulumi/policy";
import { gpuPodScheduling } from "./gpu-pod-scheduling.ts";
import { gpuPoolTaintedCapped } from "./gpu-pool-tainted-capped.ts";
import { jobsBounded } from "./jobs-bounded.ts";
import { jobsTtl } from "./jobs-ttl.ts";
import type { Levels } from "./lib/enforcement.ts";
import type { EnforcementLevel, LlmkitPolicy, PolicyInput } from "./lib/types.ts";
import { modelStoreSecure } from "./model-store-secure.ts";
import { networkPolicyEnforced } from "./network-policy-enforced.ts";
import { noPrivilegeEscalation } from "./no-privilege-escalation.ts";
import { noPublicLoadBalancer } from "./no-public-loadbalancer.ts";
import { pinnedAmiAlias } from "./pinned-ami-alias.ts";
import { pinnedImages } from "./pinned-images.ts";
import { readerRoleReadOnly } from "./reader-role-read-only.ts";
import { recommendedLabels } from "./recommended-labels.ts";
import { servingHa } from "./serving-ha.ts";

export const PACK_NAME = "llmkit";

export const POLICIES: readonly LlmkitPolicy[] = [
  gpuPoolTaintedCapped,
  gpuPodScheduling,
  pinnedImages,
  pinnedAmiAlias,
  modelStoreSecure,
  readerRoleReadOnly,
  servingHa,
  noPublicLoadBalancer,
  jobsBounded,
  noPrivilegeEscalation,
  jobsTtl,
  recommendedLabels,
  networkPolicyEnforced,
];

export const POLICY_NAMES: readonly string[] = POLICIES.map((p) => p.name);

export interface Finding {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  /** Pulumi name of the resource; absent for stack-wide findings. */
  readonly resource?: string;
}

/** Runs every policy not disabled at `levels` over a stack's resources. */
export function evaluate(resources: readonly PolicyInput[], levels: Levels): Finding[] {
  const findings: Finding[] = [];
  for (const p of POLICIES) {
    const level = levels[p.name] ?? "mandatory";
    if (level === "disabled") continue;
    if (p.kind === "resource") {
      for (const r of resources) for (const message of p.check(r.type, r.inputs)) findings.push({ policy: p.name, level, message, resource: r.name });
    } else {
      for (const v of p.check(resources)) findings.push({ policy: p.name, level, ...v });
    }
  }
  return findings;
}

/** The stack's resources in the pure policies' shape. */
export function fromPolicyResources(resources: readonly PolicyResource[]): PolicyInput[] {
  return resources.map((r) => ({
    type: r.type,
    name: r.name,
    // stack policies see outputs too; `id` lets S3 siblings find their bucket by value
    inputs: r.props,
    parent: r.parent?.name ?? null,
    propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, deps]) => [k, deps.map((d) => d.name)])),
  }));
}

/** @pulumi/policy policies at the given levels. */
export function toPulumiPolicies(levels: Levels): Policies {
  return POLICIES.map((p) => {
    const base = { name: p.name, description: p.description, enforcementLevel: levels[p.name] ?? "mandatory" };
    if (p.kind === "resource") {
      return {
        ...base,
        validateResource: (args: { type: string; props: Record<string, unknown> }, report: ReportViolation) => {
          for (const message of p.check(args.type, args.props)) report(message);
        },
      };
    }
    return {
      ...base,
      validateStack: (args: { resources: PolicyResource[] }, report: ReportViolation) => {
        const urns = new Map(args.resources.map((r) => [r.name, r.urn]));
        for (const v of p.check(fromPolicyResources(args.resources))) report(v.message, v.resource === undefined ? undefined : urns.get(v.resource));
      },
    };
  });
}
