import { describe, expect, it } from "vitest";
import { AdapterManifestSchema, ManifestProvenanceSchema, manifestIssues } from "./adapter-manifest.ts";

const baseModel = { name: "qwen2-5-7b", hub: "huggingface", repo: "Qwen/Qwen2.5-7B-Instruct", revision: "a09a35458c702b33eeacc393d103063234e8bc28" };
const valid = {
  schemaVersion: 1,
  name: "support-bot",
  runId: "c2f47069e7bc",
  specHash: "c2f47069e7bcbc490c21dae7196867c4393620599459434d1268af0df74558d9",
  engine: "llamafactory",
  engineImage: "hiyouga/llamafactory:0.9.5",
  engineVersion: "0.9.5",
  baseModel,
  datasets: [
    { path: "datasets/s/train.jsonl", uri: "s3://b/datasets/s/train.jsonl", format: "sharegpt", purpose: "domain", samples: null, etag: "9b2cf535f27731c974343645a3985328", rows: 120 },
  ],
  lora: { rank: 8, alpha: 32, dropout: 0.05, targets: "all-linear" },
  batch: { microBatchSize: 1, gradientAccumulation: 16, gpus: 2, global: 32 },
  result: { steps: 300, finalEvalLoss: 0.81, bestEvalLoss: 0.79 },
  restarts: 1,
  wallSeconds: 7200,
  gpuType: "NVIDIA L40S",
  createdAt: "2026-03-01T12:00:00Z",
  smoke: [{ prompt: "Who are you?", output: 'I am "support-bot".\n@CREATED_AT@' }],
};

const issues = (value: unknown) => {
  const r = AdapterManifestSchema.safeParse(value);
  return r.success ? [] : manifestIssues(r.error);
};

describe("AdapterManifestSchema", () => {
  it("accepts a published manifest, CPU runs and runs without evaluation", () => {
    expect(issues(valid)).toEqual([]);
    expect(issues({ ...valid, batch: { ...valid.batch, gpus: 0, global: 16 }, gpuType: "none", result: { steps: 3, finalEvalLoss: null, bestEvalLoss: null }, smoke: [] })).toEqual([]);
  });

  it("names the path of every problem", () => {
    expect(
      issues({
        ...valid,
        specHash: "0".repeat(64),
        batch: { ...valid.batch, global: 16 },
        datasets: [{ ...valid.datasets[0], etag: "" }],
        extra: true,
      }),
    ).toEqual([
      "datasets[0].etag: Too small: expected string to have >=1 characters",
      '(root): Unrecognized key: "extra"',
      "specHash: must start with runId",
      "batch.global: must be microBatchSize × gradientAccumulation × max(1, gpus)",
    ]);
    // smoke is always written (empty without prompts); an empty completion is still an output
    expect(issues({ ...valid, smoke: undefined })).toEqual(["smoke: Invalid input: expected array, received undefined"]);
    expect(issues({ ...valid, smoke: [{ prompt: "", output: "" }, { prompt: "hi" }] })).toEqual([
      "smoke[0].prompt: Too small: expected string to have >=1 characters",
      "smoke[1].output: Invalid input: expected string, received undefined",
    ]);
    expect(issues({ ...valid, createdAt: "@CREATED_AT@", wallSeconds: "@WALL_SECONDS@" })).toEqual([
      "wallSeconds: Invalid input: expected number, received string",
      "createdAt: Invalid ISO datetime",
    ]);
  });
});

describe("ManifestProvenanceSchema", () => {
  it("reads the base model and publish time of any manifest version, and nothing less", () => {
    expect(ManifestProvenanceSchema.parse({ name: "x", baseModel, createdAt: "2026-02-01T00:00:00Z" })).toEqual({ name: "x", baseModel, createdAt: "2026-02-01T00:00:00Z" });
    const r = ManifestProvenanceSchema.safeParse({ baseModel: { ...baseModel, hub: "gitlab" } });
    expect(r.success ? [] : manifestIssues(r.error)).toEqual(['baseModel.hub: Invalid option: expected one of "huggingface"|"modelscope"', "createdAt: Invalid input: expected string, received undefined"]);
  });
});
