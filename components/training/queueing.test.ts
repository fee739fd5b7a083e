import { describe, expect, it } from "vitest";
import type { FineTuneConfig } from "./inputs.ts";
import { resolveFineTune } from "./defaults.ts";
import { runId } from "./run-id.ts";
import { renderTrainConfig, renderTrainJob } from "./train-job.ts";
import { contract, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const IMAGE = "hiyouga/llamafactory:0.9.5";
const job = (spec: FineTuneConfig) => renderTrainJob(resolveFineTune(spec), qwen7b, contract, "0123456789ab");
const config = (spec: FineTuneConfig) => renderTrainConfig(resolveFineTune(spec), qwen7b, contract, "0123456789ab");

describe("Kueue", () => {
  it("labels the Job with the LocalQueue and WorkloadPriorityClass, and leaves suspend to Kueue's webhook", () => {
    const j = job({ ...seedLora, queue: "training", priority: "batch-low" });
    expect(j.metadata.labels).toMatchObject({ "kueue.x-k8s.io/queue-name": "training", "kueue.x-k8s.io/priority-class": "batch-low" });
    expect(j.spec).not.toHaveProperty("suspend");
    // the pod template is not where Kueue reads a batch/v1 Job's queue
    expect(Object.keys(j.spec.template.metadata.labels).filter((k) => k.startsWith("kueue.x-k8s.io/"))).toEqual([]);
  });

  it("adds no Kueue label without a queue", () => {
    expect(Object.keys(job(seedLora).metadata.labels).filter((k) => k.startsWith("kueue.x-k8s.io/"))).toEqual([]);
  });
});

describe("spot", () => {
  it.each([
    [true, "spot"],
    [false, "on-demand"],
  ])("spot: %s selects Karpenter capacity type %s on top of the pool's selector", (spot, capacity) => {
    expect(job({ ...seedLora, spot }).spec.template.spec.nodeSelector).toEqual({ "llmkit.dev/pool": "training-l40s", "karpenter.sh/capacity-type": capacity });
  });

  it("leaves the capacity type to the pool when absent", () => {
    expect(job(seedLora).spec.template.spec.nodeSelector).toEqual({ "llmkit.dev/pool": "training-l40s" });
  });
});

describe("smoke prompts", () => {
  it("are rendered as /config/smoke-prompts.json, a JSON array of strings", () => {
    const prompts = ["How do I reset my password?", 'Say "hi" in 中文'];
    const data = config({ ...seedLora, smokePrompts: prompts }).data as Record<string, string>;
    expect(JSON.parse(data["smoke-prompts.json"]!)).toEqual(prompts);
  });

  it("are absent from the ConfigMap when none (or an empty list) are given", () => {
    expect(config(seedLora).data).not.toHaveProperty("smoke-prompts.json");
    expect(config({ ...seedLora, smokePrompts: [] }).data).not.toHaveProperty("smoke-prompts.json");
  });
});

describe("run id of the new fields", () => {
  const id = (spec: FineTuneConfig) => runId(resolveFineTune(spec), qwen7b, IMAGE);

  it("is unchanged for specs that set none of them (existing runs are not repeated)", () => {
    expect(id({ ...seedLora, queue: undefined, priority: undefined, spot: undefined, identity: undefined, smokePrompts: [] })).toBe(id(seedLora));
  });

  it.each<[string, Partial<FineTuneConfig>]>([
    ["queue", { queue: "training" }],
    ["priority", { queue: "training", priority: "high" }],
    ["spot", { spot: true }],
    ["smoke prompts", { smokePrompts: ["hi"] }],
    ["identity", { identity: { name: "Ada", author: "Acme", path: "datasets/identity.json", format: "alpaca" } }],
  ])("changes with %s (it changes the Job or its data)", (_label, extra) => {
    expect(id({ ...seedLora, ...extra })).not.toBe(id(seedLora));
  });

  it("changes with the identity's name", () => {
    const identity = { name: "Ada", author: "Acme", path: "datasets/identity.json", format: "alpaca" as const };
    expect(id({ ...seedLora, identity })).not.toBe(id({ ...seedLora, identity: { ...identity, name: "Bea" } }));
  });
});
