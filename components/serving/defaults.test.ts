import { describe, expect, it } from "vitest";
import { LORA_MAX_RANKS, defaultResources, loraRankFor, resolveService, startupBudget } from "./defaults.ts";
import { chat, localChat, localSupportBot, qwen05b, qwen7b, supportBot } from "./__fixtures__/specs.ts";

describe("resolveService", () => {
  it("writes out every default for the dev service", () => {
    expect(resolveService(chat, qwen7b, [supportBot])).toEqual({
      name: "chat",
      baseModel: "qwen2-5-7b",
      model: qwen7b,
      modelPrefix: "models/Qwen/Qwen2.5-7B-Instruct/a09a35458c702b33eeacc393d103063234e8bc28/",
      adapters: [{ name: "support-bot", runId: "c2f47069e7bc", baseModel: "qwen2-5-7b", rank: 16, prefix: "adapters/support-bot/c2f47069e7bc/", follow: false }],
      device: "gpu",
      replicas: 2,
      pool: "serving-l4",
      gpus: 1,
      engine: { maxModelLen: 8192, gpuMemoryUtilization: 0.9, tensorParallelSize: 1, maxLoras: 4, maxCpuLoras: 4, maxLoraRank: 16, extraArgs: {} },
      image: "vllm/vllm-openai:v0.21.0",
      resources: { cpu: 4, memoryGiB: 34 },
      shmGiB: 2,
      modelsVolumeGiB: 19,
      apiKey: { secretName: "chat-api-key", key: "api-key", generated: true },
      drain: { preStopSeconds: 10, shutdownTimeoutSeconds: 60, terminationGracePeriodSeconds: 85 },
      startup: { probeSeconds: 460, failureThreshold: 46, progressDeadlineSeconds: 1817 },
      engineVersion: "0.21.0",
      scaling: { name: "chat", runtime: "vllm", replicas: { min: 2, max: 2 }, autoscaling: undefined },
    });
  });

  it("defaults engine settings when the spec gives none", () => {
    const eff = resolveService({ ...chat, engine: undefined, gpus: 2 }, qwen7b, [supportBot, { ...supportBot, name: "b", rank: 64 }]);
    expect(eff.engine).toEqual({ maxModelLen: 4096, gpuMemoryUtilization: 0.9, tensorParallelSize: 2, maxLoras: 2, maxCpuLoras: 2, maxLoraRank: 64, extraArgs: {} });
    expect([eff.shmGiB, eff.resources]).toEqual([4, { cpu: 8, memoryGiB: 36 }]);
  });

  it("keeps every pinned adapter in the CPU cache when maxLoras is smaller", () => {
    const three = ["a", "b", "c"].map((name) => ({ ...supportBot, name }));
    expect(resolveService({ ...chat, engine: { maxLoras: 1 } }, qwen7b, three).engine).toMatchObject({ maxLoras: 1, maxCpuLoras: 3 });
  });

  it("without adapters, one LoRA slot is the (unused) default", () => {
    expect(resolveService({ ...chat, adapters: [], engine: undefined }, qwen7b, []).engine).toMatchObject({ maxLoras: 1, maxCpuLoras: 1, maxLoraRank: 1 });
  });

  it("references a given Secret instead of generating one, and none without auth", () => {
    const given = { ...chat, auth: { type: "api-key" as const, secret: { name: "chat-api-keys", key: "primary" } } };
    expect(resolveService(given, qwen7b, []).apiKey).toEqual({ secretName: "chat-api-keys", key: "primary", generated: false });
    expect(resolveService({ ...chat, auth: { type: "none" } }, qwen7b, []).apiKey).toBeUndefined();
  });

  it("resolves the local CPU service with its explicit resources", () => {
    const eff = resolveService(localChat, qwen05b, [localSupportBot]);
    expect([eff.device, eff.engine.tensorParallelSize, eff.resources, eff.shmGiB, eff.replicas]).toEqual(["cpu", 1, { cpu: 4, memoryGiB: 8 }, 1, 1]);
  });
});

describe("loraRankFor", () => {
  it.each([
    [1, 1], [2, 8], [8, 8], [9, 16], [16, 16], [17, 32], [64, 64], [200, 256], [300, 320], [321, 512], [512, 512],
  ])("rank %i → --max-lora-rank %i", (rank, expected) => {
    expect(loraRankFor(rank)).toBe(expected);
  });

  it("has no allowed value above 512", () => {
    expect(loraRankFor(513)).toBeUndefined();
    expect(LORA_MAX_RANKS.at(-1)).toBe(512);
  });
});

describe("startup budget", () => {
  it("covers weight load + engine init in the probe and node + pull + fetch on top in the deadline", () => {
    // 70 GiB: 717 s to load at 100 MiB/s, + 300 s init = 1017 → 102 periods of 10 s
    expect(startupBudget(70)).toEqual({ probeSeconds: 1020, failureThreshold: 102, progressDeadlineSeconds: 600 + 600 + 717 + 1020 });
    expect(startupBudget(1)).toEqual({ probeSeconds: 320, failureThreshold: 32, progressDeadlineSeconds: 600 + 600 + 11 + 320 });
  });
});

describe("defaultResources", () => {
  it("sizes GPU and CPU engines, /dev/shm included", () => {
    expect(defaultResources("gpu", 4, 140, 8)).toEqual({ cpu: 16, memoryGiB: 140 + 16 + 8 });
    expect(defaultResources("cpu", 0, 1.5, 2)).toEqual({ cpu: 4, memoryGiB: 3 + 8 + 2 });
  });
});
