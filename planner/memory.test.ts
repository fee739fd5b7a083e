import { describe, expect, it } from "vitest";
import { MODELS, modelById, modelByRepo, paramCount } from "./models.ts";
import { adapterBytes, GIB, loraParams, servingMemory, trainingMemory, type TrainingMemoryInput } from "./memory.ts";
import { allocatable, cheapestInstance, fittingInstances, INSTANCE_TYPES, pricePerGpuHour } from "./instances.ts";
import { GPU_FAMILIES, GPU_MEMORY_GIB } from "./gpus.ts";
import { resolveModel } from "./resolve.ts";

const arch = (id: string) => modelById(id)!;
const lora = (id: string, over: Partial<TrainingMemoryInput> = {}): TrainingMemoryInput => ({
  arch: arch(id), params: paramCount(arch(id)), method: "lora", quantBits: null, precision: "bf16", rank: 8, targets: "all-linear",
  maxLength: 2048, microBatchSize: 1, gradientCheckpointing: true, ...over,
});

describe("model catalog", () => {
  it.each(MODELS.map((m) => [m.id, m] as const))("%s: shape reproduces the published parameter count within 2%%", (_id, m) => {
    expect(Math.abs(paramCount(m) / (m.publishedParamsB * 1e9) - 1)).toBeLessThan(0.02);
    expect(m.attentionHeads % m.kvHeads).toBe(0);
    expect(m.source).toMatch(/^https:\/\/huggingface\.co\/.+\/config\.json$/);
    expect(m.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("covers the families the issue names and matches repos case-insensitively", () => {
    for (const id of ["qwen2.5-0.5b", "qwen2.5-72b", "qwen3-0.6b", "qwen3-32b", "llama3.1-8b", "llama3.1-70b", "deepseek-r1-distill-qwen-1.5b", "deepseek-r1-distill-qwen-7b", "mistral-7b-v0.3"]) {
      expect(modelById(id), id).toBeDefined();
    }
    expect(modelByRepo("qwen/qwen2.5-7b-instruct")?.id).toBe("qwen2.5-7b");
    expect(new Set(MODELS.flatMap((m) => m.repos)).size).toBe(MODELS.flatMap((m) => m.repos).length);
  });

  it("an unknown repo is estimated from sizeGiB with a warning, never a crash", () => {
    const r = resolveModel({ repo: "acme/secret-13b", sizeGiB: 26 });
    expect(r.catalogId).toBeNull();
    expect(r.params).toBeCloseTo((26 * GIB) / 2);
    expect(r.arch.id).toMatch(/-14b$/); // nearest parameter count (~14B)
    expect(r.warning).toMatch(/acme\/secret-13b.*not in the planner catalog.*sizeGiB 26/);
  });
});

describe("instance catalog", () => {
  it("every instance's GPU memory agrees with gpus.ts and its family with GPU_FAMILIES", () => {
    for (const i of INSTANCE_TYPES) {
      expect(i.gpuMemoryGiB).toBe(GPU_MEMORY_GIB[i.gpu]);
      expect(GPU_FAMILIES[i.family]!.counts).toContain(i.gpus);
      expect(i.priceChecked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    for (const fam of ["g5", "g6", "g6e", "p4d", "p5", "p5e"]) expect(INSTANCE_TYPES.some((i) => i.family === fam), fam).toBe(true);
  });

  it("takes kube-reserved and the eviction threshold off a node's capacity (Karpenter's AWS formulas)", () => {
    expect(allocatable({ vcpu: 4, memoryGiB: 16 })).toEqual({ cpuMilli: 3920, memoryMiB: 16 * 1024 - (11 * 110 + 255) - 100 });
    expect(allocatable({ vcpu: 1, memoryGiB: 2 }).cpuMilli).toBe(940);
    expect(allocatable({ vcpu: 48, memoryGiB: 192 }).cpuMilli).toBe(48_000 - 60 - 10 - 10 - 110);
  });

  it("prices the cheapest type of a pool and lists fitting types cheapest first", () => {
    expect(cheapestInstance("l4", 1)?.name).toBe("g6.xlarge");
    expect(cheapestInstance("l40s", 4)?.name).toBe("g6e.12xlarge");
    expect(cheapestInstance("a10g", 1, ["g6"])).toBeUndefined();
    // only a type whose allocatable holds the pod: g6.xlarge (4 vCPU, 16 GiB) keeps 3.92 CPU, ~14.4 GiB
    expect(cheapestInstance("l4", 1, undefined, { cpu: 3.9, memoryGiB: 14 })?.name).toBe("g6.xlarge");
    expect(cheapestInstance("l4", 1, undefined, { cpu: 4, memoryGiB: 14 })?.name).toBe("g6.2xlarge");
    expect(cheapestInstance("l4", 1, undefined, { cpu: 2, memoryGiB: 15 })?.name).toBe("g6.2xlarge");
    expect(cheapestInstance("l4", 1, undefined, { cpu: 4, memoryGiB: 34 })?.name).toBe("g6.4xlarge");
    expect(cheapestInstance("l4", 1, undefined, { cpu: 512, memoryGiB: 1 })).toBeUndefined();
    expect(fittingInstances(30, 1)[0]?.name).toBe("g6e.xlarge");
    expect(pricePerGpuHour("h100")).toBeCloseTo(6.88);
  });
});

describe("training memory", () => {
  it("adds up: total = (weights + adapter states + activations) × 1.1 + 1 GiB", () => {
    const e = trainingMemory(lora("qwen2.5-7b"));
    expect(e.peakAllocatedGiB).toBeCloseTo(e.weightsGiB + e.adapterStatesGiB + e.activationsGiB, 10);
    expect(e.totalGiB).toBeCloseTo(e.peakAllocatedGiB * 1.1 + 1, 10);
    expect(e.weightsGiB).toBeCloseTo((paramCount(arch("qwen2.5-7b")) * 2) / GIB, 10);
    expect(e.adapterStatesGiB).toBeCloseTo((e.trainableParams * 16) / GIB, 10);
  });

  it("activations grow linearly with tokens and shrink with gradient checkpointing; fp32 doubles them", () => {
    const a = (over: Partial<TrainingMemoryInput>) => trainingMemory(lora("qwen2.5-7b", over)).activationsGiB;
    expect(a({ maxLength: 4096 })).toBeCloseTo(2 * a({ maxLength: 2048 }), 10);
    expect(a({ microBatchSize: 4 })).toBeCloseTo(4 * a({}), 10);
    expect(a({ gradientCheckpointing: false })).toBeGreaterThan(3 * a({}));
    expect(a({ precision: "fp32" })).toBeCloseTo(2 * a({}), 10);
  });

  it("QLoRA stores the layers' linear weights at 4 or 8 bits and keeps embeddings in 16", () => {
    const full = trainingMemory(lora("qwen2.5-7b")).weightsGiB;
    const q4 = trainingMemory(lora("qwen2.5-7b", { method: "qlora", quantBits: 4 })).weightsGiB;
    const q8 = trainingMemory(lora("qwen2.5-7b", { method: "qlora", quantBits: 8 })).weightsGiB;
    expect(q4).toBeLessThan(q8);
    expect(q8).toBeLessThan(full);
    expect(q4).toBeGreaterThan(full / 4); // embeddings + LM head (1.1B params) stay bf16
  });

  it("LoRA parameters: layers × Σ rank × (in + out) over the targets", () => {
    // Qwen2.5-7B, rank 8, all-linear: PEFT reports 20,185,088 trainable (measured.json)
    expect(loraParams(arch("qwen2.5-7b"), 8, "all-linear")).toBe(20_185_088);
    expect(loraParams(arch("qwen2.5-7b"), 16, ["q_proj", "v_proj"])).toBe(28 * 16 * (3584 + 3584 + 3584 + 512));
    expect(loraParams(arch("qwen2.5-7b"), 8, ["embed_tokens"])).toBe(0);
    expect(adapterBytes(arch("qwen2.5-7b"), 8, "all-linear")).toBe(20_185_088 * 4 + 4096);
  });
});

describe("serving memory", () => {
  const base = { arch: arch("qwen2.5-7b"), params: paramCount(arch("qwen2.5-7b")), tensorParallel: 1, maxModelLen: 8192, maxLoras: 4, maxLoraRank: 8, gpuMemoryUtilization: 0.9, gpuMemoryGiB: 24 };

  it("KV cache = 2 × layers × kvHeads × headDim × 2 bytes × maxModelLen × sequences", () => {
    const s = servingMemory(base);
    expect(s.kvPerTokenBytes).toBe(2 * 28 * 4 * 128 * 2);
    expect(s.kvCacheGiB).toBeCloseTo((57_344 * 8192) / GIB, 10);
    expect(servingMemory({ ...base, concurrentSequences: 3 }).kvCacheGiB).toBeCloseTo(3 * s.kvCacheGiB, 10);
    expect(s.budgetGiB).toBeCloseTo(21.6, 10);
    expect(s.requiredGiB).toBeCloseTo(s.weightsGiB + s.kvCacheGiB + s.loraSlotsGiB + s.runtimeGiB, 10);
  });

  it("tensor parallelism splits weights, KV heads and LoRA slots", () => {
    const one = servingMemory(base);
    const two = servingMemory({ ...base, tensorParallel: 2 });
    expect(two.weightsGiB).toBeCloseTo(one.weightsGiB / 2, 10);
    expect(two.kvPerTokenBytes).toBe(one.kvPerTokenBytes / 2);
    expect(two.loraSlotsGiB).toBeCloseTo(one.loraSlotsGiB / 2, 10);
    // 4 KV heads cannot split 8 ways: each GPU keeps at least one head
    expect(servingMemory({ ...base, tensorParallel: 8 }).kvPerTokenBytes).toBe(2 * 28 * 1 * 128 * 2);
  });

  it("LoRA slots scale with max-loras × max-rank; concurrency counts what the budget leaves", () => {
    expect(servingMemory({ ...base, maxLoras: 8 }).loraSlotsGiB).toBeCloseTo(2 * servingMemory(base).loraSlotsGiB, 10);
    expect(servingMemory({ ...base, maxLoras: 0, maxLoraRank: 0 }).loraSlotsGiB).toBe(0);
    const s = servingMemory(base);
    expect(s.maxConcurrentSequences).toBe(Math.floor(((s.budgetGiB - s.weightsGiB - s.runtimeGiB - s.loraSlotsGiB) * GIB) / (s.kvPerTokenBytes * 8192)));
    expect(servingMemory({ ...base, params: 40e9 }).maxConcurrentSequences).toBe(0);
  });
});

describe("DPO training memory (policy + reference)", () => {
  const sft = trainingMemory(lora("qwen2.5-7b"));
  it("activations are those of the chosen and the rejected sequence; a shared reference adds no weights", () => {
    const shared = trainingMemory(lora("qwen2.5-7b", { reference: "shared" }));
    expect(shared.activationsGiB).toBeCloseTo(2 * sft.activationsGiB, 6);
    expect(shared.referenceGiB).toBe(0);
    expect(shared.weightsGiB).toBe(sft.weightsGiB);
    expect(trainingMemory(lora("qwen2.5-7b", { reference: "none" })).activationsGiB).toBeCloseTo(2 * sft.activationsGiB, 6);
  });

  it("LLaMA-Factory continuing an SFT adapter holds a second copy of the base; ms-swift only a second adapter", () => {
    const copy = trainingMemory(lora("qwen2.5-7b", { reference: "copy" }));
    const adapter = trainingMemory(lora("qwen2.5-7b", { reference: "adapter" }));
    expect(copy.referenceGiB).toBe(copy.weightsGiB);
    expect(adapter.referenceGiB).toBeCloseTo((loraParams(arch("qwen2.5-7b"), 8, "all-linear") * 4) / GIB, 9);
    expect(copy.totalGiB - adapter.totalGiB).toBeCloseTo((copy.weightsGiB - adapter.referenceGiB) * 1.1, 6);
  });

  it("referenceHolding: none for orpo/simpo, the base from the base, per engine when chained", async () => {
    const { referenceHolding } = await import("./memory.ts");
    expect(referenceHolding("llamafactory", "orpo", true)).toBe("none");
    expect(referenceHolding("llamafactory", "simpo", false)).toBe("none");
    expect(referenceHolding("ms-swift", "sigmoid", false)).toBe("shared");
    expect(referenceHolding("llamafactory", "sigmoid", false)).toBe("shared");
    expect(referenceHolding("llamafactory", "ipo", true)).toBe("copy");
    expect(referenceHolding("ms-swift", "hinge", true)).toBe("adapter");
  });
});

describe("DPO fit check", () => {
  it("a LLaMA-Factory DPO run continuing an SFT adapter counts the reference copy and suggests ms-swift's reference adapter", async () => {
    const { fineTuneFit } = await import("./fit.ts");
    const { resolveFineTune } = await import("../components/training/defaults.ts");
    const { contract, dpoChained, qwen7b } = await import("../components/training/__fixtures__/specs.ts");
    const pool = { ...contract.pools[0]!, gpuMemoryGiB: 40 };
    const lf = fineTuneFit(resolveFineTune(dpoChained), qwen7b, pool);
    expect(lf.estimate!.referenceGiB).toBeCloseTo(lf.estimate!.weightsGiB, 9);
    expect(lf.errors).toHaveLength(1);
    expect(lf.errors[0]).toMatch(/^does not fit pool "training-l40s": needs ~42\.7 GiB per GPU \(weights 14\.2 GiB, adapter \+ Adam 0\.3 GiB, DPO reference model \(a second copy of the base: with the SFT adapter merged when chained, for the held-out evaluation from the base\) 14\.2 GiB, activations .* × micro-batch 1 × 2 \(chosen \+ rejected\), .*try .*engine: ms-swift, which holds the SFT reference as a second adapter on the same base \(~27\.2 GiB\)/);
    expect(fineTuneFit(resolveFineTune({ ...dpoChained, engine: "ms-swift", template: "qwen2_5" }), qwen7b, pool).errors).toEqual([]);
  });

  it("LLaMA-Factory DPO from the base counts a second copy of the base when its held-out evaluation runs (components/training/evaluation.ts)", async () => {
    const { fineTuneFit } = await import("./fit.ts");
    const { resolveFineTune } = await import("../components/training/defaults.ts");
    const { contract, dpoLf, qwen7b } = await import("../components/training/__fixtures__/specs.ts");
    const pool = contract.pools[0]!;
    const reference = (spec: typeof dpoLf) => fineTuneFit(resolveFineTune(spec), qwen7b, pool).estimate!;
    const evaluated = reference(dpoLf);
    expect(evaluated.referenceGiB).toBeCloseTo(evaluated.weightsGiB, 9);
    expect(reference({ ...dpoLf, training: { valRatio: 0 } }).referenceGiB).toBe(0);
    expect(reference({ ...dpoLf, engine: "ms-swift", template: "qwen2_5" }).referenceGiB).toBe(0);
  });
});
