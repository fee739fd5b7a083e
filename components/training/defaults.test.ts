import { describe, expect, it } from "vitest";
import { resolveFineTune } from "./defaults.ts";
import { qloraSwift, seedLora } from "./__fixtures__/specs.ts";

describe("resolveFineTune", () => {
  it("writes out every default for the seed spec", () => {
    expect(resolveFineTune(seedLora)).toEqual({
      name: "support-bot",
      baseModel: "qwen2-5-7b",
      engine: "llamafactory",
      method: "lora",
      quantBits: null,
      template: "qwen",
      lora: { rank: 8, alpha: 32, dropout: 0.05, targets: "all-linear" },
      datasets: [
        { path: "datasets/support/v3/train.jsonl", format: "sharegpt", purpose: "domain", samples: null },
        { path: "datasets/general/alpaca-gpt4-en.json", format: "alpaca", purpose: "general", samples: 20000 },
      ],
      training: {
        epochs: 3,
        learningRate: 1e-4,
        microBatchSize: 1,
        gradientAccumulation: 16,
        maxLength: 2048,
        lrScheduler: "cosine",
        warmupRatio: 0.05,
        valRatio: 0.1,
        saveSteps: 50,
        keepCheckpoints: 2,
        precision: "bf16",
        gradientCheckpointing: true,
      },
      pool: "training-l40s",
      gpus: 1,
      resources: { cpu: 8, memoryGiB: 64 },
      maxRuntimeHours: 24,
    });
  });

  it("keeps every given value", () => {
    const ft = resolveFineTune({
      ...qloraSwift,
      lora: { rank: 64, alpha: 128, dropout: 0, targets: ["q_proj", "v_proj"] },
      training: {
        epochs: 1,
        learningRate: 2e-5,
        microBatchSize: 4,
        gradientAccumulation: 2,
        maxLength: 4096,
        warmupRatio: 0,
        valRatio: 0,
        saveSteps: 10,
        keepCheckpoints: 5,
        precision: "fp16",
      },
      resources: { cpu: 16, memoryGiB: 128 },
      maxRuntimeHours: 2,
    });
    expect(ft.quantBits).toBe(4);
    expect(ft.lora).toEqual({ rank: 64, alpha: 128, dropout: 0, targets: ["q_proj", "v_proj"] });
    expect(ft.training).toEqual({
      epochs: 1,
      learningRate: 2e-5,
      microBatchSize: 4,
      gradientAccumulation: 2,
      maxLength: 4096,
      lrScheduler: "cosine",
      warmupRatio: 0,
      valRatio: 0,
      saveSteps: 10,
      keepCheckpoints: 5,
      precision: "fp16",
      gradientCheckpointing: true,
    });
    expect(ft.resources).toEqual({ cpu: 16, memoryGiB: 128 });
    expect(ft.maxRuntimeHours).toBe(2);
  });

  it("gives CPU-only jobs smaller default resources", () => {
    expect(resolveFineTune({ ...seedLora, pool: "cpu", gpus: 0 }).resources).toEqual({ cpu: 4, memoryGiB: 16 });
  });

  it("does not share arrays with the input", () => {
    const spec = { ...seedLora, lora: { targets: ["q_proj"] } };
    const ft = resolveFineTune(spec);
    spec.lora.targets.push("k_proj");
    expect(ft.lora.targets).toEqual(["q_proj"]);
  });
});
