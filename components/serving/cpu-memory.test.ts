import { describe, expect, it } from "vitest";
import { cpuKvCacheGiB, cpuKvCacheProblem, oneSequenceKvBytes } from "./cpu-memory.ts";
import { qwen05b } from "./__fixtures__/specs.ts";

const local = { memoryGiB: 8, shmGiB: 2, model: qwen05b, maxModelLen: 2048 };

describe("CPU KV cache (VLLM_CPU_KVCACHE_SPACE)", () => {
  it("is the limit less /dev/shm, weights and runtime, in whole GiB", () => {
    expect(cpuKvCacheGiB(local)).toBe(2);
    expect(cpuKvCacheGiB({ ...local, memoryGiB: 8, model: { ...qwen05b, sizeGiB: 1.5 } })).toBe(1);
  });

  it("needs one maxModelLen sequence: KV bytes per token from the model's shape", () => {
    // Qwen2.5-0.5B: 2 (K, V) × 24 layers × 2 KV heads × 64 head dim × 2 bytes = 12288 bytes per token
    expect(oneSequenceKvBytes(local)).toBe(12288 * 2048);
    expect(oneSequenceKvBytes({ ...local, model: { repo: "acme/unknown", sizeGiB: 1 } })).toBeUndefined();
    expect(cpuKvCacheProblem(local)).toBeUndefined();
    // 32768 tokens × 12288 bytes = 0.375 GiB: still within 1 GiB; 8 GiB limit holds it
    expect(cpuKvCacheProblem({ ...local, maxModelLen: 32768 })).toBeUndefined();
  });

  it("refuses a limit whose KV cache cannot hold one sequence, suggesting the memory that would", () => {
    const big = { ...local, memoryGiB: 12, model: { repo: "Qwen/Qwen2.5-7B-Instruct", sizeGiB: 6 }, maxModelLen: 32768 };
    // Qwen2.5-7B: 2 × 28 × 4 × 128 × 2 = 57344 bytes per token × 32768 = 1.75 GiB > the 1 GiB left
    expect(cpuKvCacheProblem(big)).toBe(
      "leaves 1 GiB for vLLM's CPU KV cache (VLLM_CPU_KVCACHE_SPACE = 12 GiB limit − 2 GiB /dev/shm − 6 GiB weights − 3 GiB runtime, in whole GiB); " +
        "it must be at least 1 GiB and must hold one engine.maxModelLen (32768) sequence, 1.75 GiB: raise resources.memoryGiB to 13 or lower engine.maxModelLen",
    );
  });
});
