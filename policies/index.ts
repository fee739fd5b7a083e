/**
 * CrossGuard entry point: `pulumi preview --policy-pack policies` (see ./README.md).
 * LLMKIT_POLICY_ENV (dev | staging | prod; local → dev; unset → prod) picks
 * ./enforcement/<env>.yaml; LLMKIT_POLICY_CONFIG names a JSON file of overrides in
 * `--policy-pack-config` form. All policy logic lives in the policy files and ./pack.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { levelsFromProcess } from "./lib/enforcement.ts";
import { PACK_NAME, POLICY_NAMES, toPulumiPolicies } from "./pack.ts";

const { env, levels } = levelsFromProcess(POLICY_NAMES);

new PolicyPack(PACK_NAME, {
  description: `llmkit guardrails for GPU/LLM platforms (enforcement: ${env})`,
  policies: toPulumiPolicies(levels),
});
