/**
 * The adapter from the pure policies to @pulumi/policy: levels reach each policy, resource
 * violations are reported, stack violations carry the offending resource's URN, and the engine's
 * property dependencies link S3 settings to their bucket.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { deployment, storeStack } from "./__fixtures__/resources.ts";
import { levelsFromProcess, loadLevels, resolveLevels } from "./lib/enforcement.ts";
import { fromPolicyResources, POLICY_NAMES, toPulumiPolicies } from "./pack.ts";

const urn = (name: string) => `urn:pulumi:prod::llmkit::t::${name}`;

function policyResource(type: string, name: string, props: Record<string, unknown>, propertyDependencies: Record<string, PolicyResource[]> = {}): PolicyResource {
  return { type, name, props, urn: urn(name), propertyDependencies, dependencies: [] } as unknown as PolicyResource;
}

describe("toPulumiPolicies", () => {
  const policies = toPulumiPolicies(resolveLevels("dev", POLICY_NAMES));

  it("passes each policy its level", () => {
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual(Object.entries(resolveLevels("dev", POLICY_NAMES)).sort((a, b) => POLICY_NAMES.indexOf(a[0]) - POLICY_NAMES.indexOf(b[0])));
  });

  it("reports resource violations through validateResource", async () => {
    const p = policies.find((x) => x.name === "pinned-images") as ResourceValidationPolicy;
    const d = deployment();
    (d.inputs.spec as any).template.spec.containers[0].image = "vllm/vllm-openai:latest";
    const reported: string[] = [];
    const validate = p.validateResource as (args: unknown, report: (m: string) => void) => Promise<void> | void;
    await validate({ type: d.type, props: d.inputs }, (m) => reported.push(m));
    expect(reported).toEqual([expect.stringContaining("latest")]);
  });

  it("reports stack violations with the resource's URN, linking siblings by property dependency", async () => {
    const p = policies.find((x) => x.name === "model-store-secure") as StackValidationPolicy;
    const [bucket, ...siblings] = storeStack();
    const bucketRes = policyResource(bucket!.type, "models", bucket!.inputs);
    const other = policyResource("aws:s3/bucket:Bucket", "logs", {});
    // sibling names no longer say which bucket they belong to: only the dependency does
    const resources = [bucketRes, other, ...siblings.map((s, i) => policyResource(s.type, `setting-${i}`, s.inputs, { bucket: [bucketRes] }))];
    expect(fromPolicyResources(resources)[2]!.propertyDependencies).toEqual({ bucket: ["models"] });
    const reported: [string, string | undefined][] = [];
    await p.validateStack({ resources } as never, (m, u) => reported.push([m, u]));
    expect(reported.length).toBe(4);
    expect(reported.every(([m, u]) => m.startsWith("bucket logs:") && u === urn("logs"))).toBe(true);
  });
});

describe("levelsFromProcess", () => {
  it("selects the env file from LLMKIT_POLICY_ENV (local → dev, unset → prod)", () => {
    expect(levelsFromProcess(POLICY_NAMES, { LLMKIT_POLICY_ENV: "local" }).env).toBe("dev");
    expect(levelsFromProcess(POLICY_NAMES, {}).env).toBe("prod");
    expect(levelsFromProcess(POLICY_NAMES, { LLMKIT_POLICY_ENV: "staging" }).levels["serving-ha"]).toBe("mandatory");
    expect(() => levelsFromProcess(POLICY_NAMES, { LLMKIT_POLICY_ENV: "qa" })).toThrow(/unknown policy environment "qa"/);
  });

  it("applies overrides from LLMKIT_POLICY_CONFIG and refuses unknown policies and levels", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmkit-policy-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ "serving-ha": { enforcementLevel: "disabled" }, "jobs-ttl": "advisory" }));
    const { levels } = levelsFromProcess(POLICY_NAMES, { LLMKIT_POLICY_ENV: "prod", LLMKIT_POLICY_CONFIG: file });
    expect([levels["serving-ha"], levels["jobs-ttl"], levels["pinned-images"]]).toEqual(["disabled", "advisory", "mandatory"]);
    writeFileSync(file, JSON.stringify({ "serving-hq": "advisory", "jobs-ttl": "warn" }));
    expect(() => levelsFromProcess(POLICY_NAMES, { LLMKIT_POLICY_CONFIG: file })).toThrow(/unknown policy "serving-hq".*jobs-ttl: "warn"/);
    writeFileSync(file, JSON.stringify({ all: "advisory" }));
    expect(new Set(Object.values(levelsFromProcess(POLICY_NAMES, { LLMKIT_POLICY_CONFIG: file }).levels))).toEqual(new Set(["advisory"]));
  });

  it("refuses an enforcement file with an unknown policy, a bad level or a missing policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmkit-levels-"));
    writeFileSync(join(dir, "dev.yaml"), "pinned-images: mandatory\npinned-imagez: advisory\njobs-ttl: strict\n");
    expect(() => loadLevels("dev", ["pinned-images", "jobs-ttl", "serving-ha"], dir)).toThrow(/unknown policy "pinned-imagez".*jobs-ttl: "strict".*serving-ha: no enforcement level/);
  });
});
