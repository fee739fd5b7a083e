/**
 * docs/architecture.md §7.3: every shipped stack file runs under mocks with zero errors, and every
 * Kubernetes object it renders validates against its upstream schema.
 */
import { describe, expect, it } from "vitest";
import * as random from "@pulumi/random";
import { ConfigError } from "../config/load.ts";
import { runStack, runWithConfig } from "../render/harness.ts";
import { describeObject } from "../render/manifests.ts";
import { listStacks, readEngineConfig } from "../render/stack-config.ts";
import { formatVerdict, validateObjects } from "../render/validate.ts";
import { SECRET } from "../render/wire.ts";

const STACKS = listStacks();

describe("every stack file", () => {
  it("renders with zero errors and only valid Kubernetes objects", async () => {
    expect(STACKS).toEqual(expect.arrayContaining(["local", "platform-dev", "platform-prod", "workloads-dev", "workloads-prod"]));
    const kinds = new Set<string>();
    const notes = new Set<string>();
    let objects = 0;
    for (const stack of STACKS) {
      const run = await runStack(stack);
      expect(run.resources.length, stack).toBeGreaterThan(0);
      const verdicts = await validateObjects(run.objects.map((o) => o.object));
      expect(verdicts.flatMap((v) => (v.status === "invalid" ? formatVerdict(v) : [])), stack).toEqual([]);
      for (const v of verdicts) {
        kinds.add(`${v.object.apiVersion} ${v.object.kind}`);
        // allowed: a kind ALLOWED_WITHOUT_SCHEMA names with its reason (docs/architecture.md §7.3)
        if (v.status !== "valid") notes.add(`${v.status} ${describeObject(v.object)}: ${v.problems.join("; ")}`);
      }
      objects += verdicts.length;
    }
    console.log(`validated ${objects} Kubernetes objects of ${kinds.size} kinds across ${STACKS.length} stacks`);
    for (const n of notes) console.log(`note: ${n}`);
  });
});

describe("runStack", () => {
  it("refuses invalid config before registering any resource", async () => {
    const engine = readEngineConfig("workloads-dev");
    const broken = { ...engine, config: { ...engine.config, "llmkit:serving": JSON.stringify([{ name: "chat", replicaz: 2 }]) } };
    const run = await runWithConfig("workloads-dev", broken);
    expect(run.error).toBeInstanceOf(ConfigError);
    expect((run.error as ConfigError).problems.length).toBeGreaterThan(0);
    expect((run.error as ConfigError).problems.some((p) => p.startsWith("llmkit:serving[0]"))).toBe(true);
    expect(run.resources).toEqual([]);
  });

  it("is repeatable in one process: the same stack twice gives the same resources", async () => {
    const first = await runStack("workloads-prod");
    await runStack("local");
    const again = await runStack("workloads-prod");
    expect(again.resources).toEqual(first.resources);
  });

  it("waits for resources registered inside apply callbacks", async () => {
    const program = () => {
      const outer = new random.RandomPassword("outer", { length: 8 });
      outer.result.apply(() => new random.RandomPassword("inner", { length: 9 }).result.apply(() => new random.RandomPassword("innermost", { length: 10 })));
      return {};
    };
    const run = await runStack("local", { program });
    expect(run.resources.map((r) => [r.name, r.inputs.length])).toEqual([
      ["outer", 8],
      ["inner", 9],
      ["innermost", 10],
    ]);
  });

  it("reports an error thrown inside an apply as the run's error", async () => {
    const program = () => {
      new random.RandomPassword("p", { length: 8 }).result.apply(() => {
        throw new Error("boom in apply");
      });
      return {};
    };
    await expect(runStack("local", { program })).rejects.toThrow("boom in apply");
  });

  it("redacts secrets in recorded inputs and manifests, keeps them for validation", async () => {
    const run = await runStack("workloads-dev");
    const secret = run.objects.find((o) => o.object.kind === "Secret")!;
    expect(secret.manifest.stringData).toBe(SECRET);
    expect(secret.object.stringData).toEqual({ "api-key": expect.stringMatching(/^mock-password-/) });
    expect(JSON.stringify(run.resources)).not.toMatch(/mock-password-|"apiVersion":"v1","kind":"Config"/);
    const provider = run.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.inputs.kubeconfig).toBe(SECRET);
  });

  it("records parents by name and the stack reference of a workloads stack", async () => {
    const run = await runStack("workloads-dev");
    expect(run.resources.find((r) => r.type === "pulumi:pulumi:StackReference")).toEqual({
      type: "pulumi:pulumi:StackReference",
      name: "organization/llmkit/platform-dev",
      parent: null,
      inputs: { name: "organization/llmkit/platform-dev" },
    });
    const deployment = run.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
    expect(deployment.parent).toBe("chat");
  });
});
