/**
 * Memory estimators (issue 7): pure functions of a catalog architecture and the effective settings.
 * Every constant below is either arithmetic (bytes per parameter) or was fitted to the GPU
 * measurements in planner/calibration/measured.json (H100, transformers + PEFT, see README.md).
 * Sizes are bytes internally; the `*GiB` fields are GiB (2^30).
 */
import { linearShapes, type ModelArchitecture } from "./models.ts";

export const GIB = 2 ** 30;

export type Precision = "bf16" | "fp16" | "fp32";
export const PRECISION_BYTES: Readonly<Record<Precision, number>> = { bf16: 2, fp16: 2, fp32: 4 };

/**
 * bitsandbytes storage per quantised parameter. NF4 with double quantisation (QLoRA's default and
 * LLaMA-Factory's): 4 bits + an 8-bit absmax per 64-block + an fp32 second-level scale per 256 blocks
 * = 0.5 + 1/64 + 4/(64·256) ≈ 0.516 bytes. LLM.int8: 1 byte + an fp32 scale per row (negligible).
 * Embeddings, the LM head and norms stay in 16 bits (bitsandbytes quantises nn.Linear inside the layers only).
 */
export const QUANT_BYTES: Readonly<Record<4 | 8, number>> = { 4: 0.5 + 1 / 64 + 4 / (64 * 256), 8: 1 };

/**
 * Bytes of 16-bit activations kept per token by one decoder layer for the backward pass, with
 * LoRA on every linear layer and SDPA attention (no seq² score matrix): ACT_PER_HIDDEN·hidden +
 * ACT_PER_INTERMEDIATE·intermediate. Least-squares fit over Qwen2.5 0.5B/1.5B/3B/7B and Qwen3 1.7B
 * (measured.json; every model within 2%). The PEFT path keeps fp32 copies of layer inputs for the
 * fp32 adapter weights, which is why the hidden term is large.
 */
export const ACT_PER_HIDDEN = 43;
export const ACT_PER_INTERMEDIATE = 5;
/**
 * Bytes per token per vocabulary entry for the loss: bf16 logits, their fp32 upcast, the fp32
 * log-softmax and its gradient (transformers ForCausalLMLoss). Measured 12.5–13.6 across the five models.
 */
export const LOGIT_BYTES_PER_VOCAB = 13;
/** Adapter weight + gradient + Adam m + v, all fp32 (LLaMA-Factory and ms-swift upcast trainable params). */
export const BYTES_PER_TRAINABLE = 16;
/**
 * Outside PyTorch's peak tensor memory: the caching allocator's fragmentation (reserved/allocated was
 * 1.07–1.28 in the measurements; 10% is the middle for the large runs that matter) and the CUDA
 * context + cuBLAS workspaces (~1 GiB, not counted by torch.cuda.max_memory_allocated).
 */
export const ALLOCATOR_OVERHEAD = 0.1;
export const CUDA_CONTEXT_GIB = 1;

export const ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] as const;

/** Target module names that exist in the architecture (`all-linear` = all seven; unknown names match nothing). */
export function targetModules(m: ModelArchitecture, targets: "all-linear" | readonly string[]): string[] {
  const shapes = linearShapes(m);
  return targets === "all-linear" ? [...ALL_LINEAR] : targets.filter((t) => t in shapes);
}

/** LoRA parameters: layers × Σ over targets of rank × (in + out)  (A is r×in, B is out×r). */
export function loraParams(m: ModelArchitecture, rank: number, targets: "all-linear" | readonly string[]): number {
  const shapes = linearShapes(m);
  return m.layers * targetModules(m, targets).reduce((s, t) => s + rank * (shapes[t]![0] + shapes[t]![1]), 0);
}

/** Parameters inside the decoder layers' linear projections (what bitsandbytes quantises). */
export function linearParams(m: ModelArchitecture): number {
  return m.layers * Object.values(linearShapes(m)).reduce((s, [i, o]) => s + i * o, 0);
}

/**
 * Adapter size on disk: LoRA params × bytes (fp32 by default: both engines train and save adapters
 * in fp32) + ~4 KiB of adapter_config.json and safetensors header.
 */
export function adapterBytes(m: ModelArchitecture, rank: number, targets: "all-linear" | readonly string[], bytesPerParam = 4): number {
  return loraParams(m, rank, targets) * bytesPerParam + 4096;
}

/**
 * Whether a DPO loss compares the policy with a reference model: LLaMA-Factory's use_ref_model is
 * `stage == "dpo" and pref_loss not in ["orpo", "simpo"]` (hiyouga/LLaMA-Factory@v0.9.5
 * src/llamafactory/hparams/finetuning_args.py __post_init__); the ms-swift DPO losses the kit
 * offers (sigmoid, hinge, ipo) all use one.
 */
export function usesReference(loss: string): boolean {
  return loss !== "orpo" && loss !== "simpo";
}

/**
 * How the engine holds the DPO reference model with LoRA, i.e. what it adds to the policy's memory:
 *   none     no reference (LLaMA-Factory orpo/simpo);
 *   shared   the policy itself with its adapter switched off, i.e. the base: from the base on both
 *            engines (LLaMA-Factory@v0.9.5 train/trainer_utils.py create_ref_model returns None for
 *            LoRA and train/dpo/trainer.py compute_reference_log_probs then runs the model under
 *            `disable_adapter()`; ms-swift leaves ref_model unset for LoRA, swift/arguments/rlhf_args.py
 *            __post_init__, and TRL's DPOTrainer disables the PEFT adapter for the reference pass);
 *   adapter  the SFT adapter loaded a second time as adapter `ref_adapter` on the same base weights
 *            (ms-swift@v4.5.3 --ref_adapters, swift/pipelines/train/rlhf.py): + the adapter's weights;
 *   copy     a second, frozen model: the base with the SFT adapter merged into it (LLaMA-Factory
 *            ref_model + ref_model_adapters: create_ref_model loads it with is_trainable=False, which
 *            merges the adapter): + the base weights again.
 * A run that continues an SFT adapter compares with that SFT policy (DPO's π_ref).
 */
export type ReferenceHolding = "none" | "shared" | "adapter" | "copy";

export function referenceHolding(engine: "llamafactory" | "ms-swift", loss: string, chained: boolean): ReferenceHolding {
  if (!usesReference(loss)) return "none";
  if (!chained) return "shared";
  return engine === "ms-swift" ? "adapter" : "copy";
}

export interface TrainingMemoryInput {
  readonly arch: ModelArchitecture;
  /** Parameters of the base; default: the catalog's published count. */
  readonly params: number;
  readonly method: "lora" | "qlora";
  readonly quantBits: 4 | 8 | null;
  readonly precision: Precision;
  readonly rank: number;
  readonly targets: "all-linear" | readonly string[];
  readonly maxLength: number;
  readonly microBatchSize: number;
  readonly gradientCheckpointing: boolean;
  /**
   * Stage dpo: how the engine holds the reference model (referenceHolding). Each sample is a chosen
   * and a rejected sequence, run through the model together (LLaMA-Factory's and TRL's
   * concatenated_forward), so activations are those of 2 × micro-batch sequences; the reference pass
   * runs without gradients and keeps no activations. Absent: SFT.
   */
  readonly reference?: ReferenceHolding;
}

export interface TrainingMemory {
  readonly weightsGiB: number;
  readonly trainableParams: number;
  /** Adapter weights, gradients and Adam states. */
  readonly adapterStatesGiB: number;
  /** Stage dpo: the reference model's weights beyond the policy's (0 when it shares them). */
  readonly referenceGiB: number;
  readonly activationsGiB: number;
  /** weights + adapter states + activations: what torch.cuda.max_memory_allocated reports. */
  readonly peakAllocatedGiB: number;
  /** Allocator fragmentation + CUDA context. */
  readonly runtimeGiB: number;
  /** Per GPU (data parallel: every GPU holds the whole model). Compared with the GPU's memory. */
  readonly totalGiB: number;
}

/**
 * Training memory per GPU:
 *   weights     = P × bytes(precision)                               (LoRA)
 *               = P_linear × QUANT_BYTES[bits] + (P − P_linear) × 2  (QLoRA)
 *   adapter     = T × 16                      (T = loraParams; fp32 weight, grad, Adam m, v)
 *   activations = tokens × (L × a + 13 × V)                  without gradient checkpointing
 *               = tokens × (L × 2h + a + 13 × V)             with it (layer inputs kept, one layer recomputed)
 *                 where tokens = maxLength × microBatch, a = 43·h + 5·I bytes; ×2 for fp32 training
 *   reference   = 0 | weights (LLaMA-Factory, DPO from an SFT adapter) | T × 4 (ms-swift, idem)   (stage dpo)
 *   total       = (weights + adapter + reference + activations) × 1.1 + 1 GiB
 *   DPO: tokens counts the chosen and the rejected sequence of each sample (× 2)
 * Multi-GPU fine-tunes are data parallel (both engines' default without DeepSpeed/FSDP), so the
 * per-GPU figure does not shrink with more GPUs.
 */
export function trainingMemory(x: TrainingMemoryInput): TrainingMemory {
  const m = x.arch;
  const linear = Math.min(linearParams(m), x.params);
  const weights =
    x.method === "qlora" && x.quantBits !== null
      ? linear * QUANT_BYTES[x.quantBits] + (x.params - linear) * 2
      : x.params * PRECISION_BYTES[x.precision];
  const trainable = loraParams(m, x.rank, x.targets);
  const states = trainable * BYTES_PER_TRAINABLE;
  const perLayer = ACT_PER_HIDDEN * m.hiddenSize + ACT_PER_INTERMEDIATE * m.intermediateSize;
  const logits = LOGIT_BYTES_PER_VOCAB * m.vocabSize;
  const perToken = x.gradientCheckpointing ? m.layers * 2 * m.hiddenSize + perLayer + logits : m.layers * perLayer + logits;
  const sequences = x.reference === undefined ? 1 : 2;
  const activations = x.maxLength * x.microBatchSize * sequences * perToken * (x.precision === "fp32" ? 2 : 1);
  // a reference copy is loaded like the policy's base (LLaMA-Factory create_ref_model: the same
  // dtype; ref_model_quantization_bit is not set); a reference adapter is stored in fp32
  const reference = x.reference === "copy" ? weights : x.reference === "adapter" ? trainable * 4 : 0;
  const peak = weights + states + reference + activations;
  const runtime = peak * ALLOCATOR_OVERHEAD + CUDA_CONTEXT_GIB * GIB;
  return {
    weightsGiB: weights / GIB,
    trainableParams: trainable,
    adapterStatesGiB: states / GIB,
    referenceGiB: reference / GIB,
    activationsGiB: activations / GIB,
    peakAllocatedGiB: peak / GIB,
    runtimeGiB: runtime / GIB,
    totalGiB: (peak + runtime) / GIB,
  };
}

/**
 * vLLM's memory outside weights, KV cache and LoRA slots, per GPU: CUDA context (~0.5 GiB), CUDA
 * graphs (~0.5–1 GiB) and the peak activations of the start-up profiling pass. An assumption, not
 * measured here (no vLLM on the GPU machine); vLLM's start-up log prints the real figure.
 */
export const VLLM_RUNTIME_GIB = 2;

export interface ServingMemoryInput {
  readonly arch: ModelArchitecture;
  readonly params: number;
  readonly tensorParallel: number;
  readonly maxModelLen: number;
  /** Max-length sequences whose KV cache must fit at once. @default 1 (vLLM's own start-up check) */
  readonly concurrentSequences?: number;
  readonly maxLoras: number;
  /** `--max-lora-rank`; 0 when LoRA is off. */
  readonly maxLoraRank: number;
  readonly gpuMemoryUtilization: number;
  /** Memory of one GPU; the budget is gpuMemoryUtilization × this. */
  readonly gpuMemoryGiB: number;
  /** KV-cache bytes per element. @default 2 (the model's bf16) */
  readonly kvBytes?: number;
}

export interface ServingMemory {
  readonly weightsGiB: number;
  /** KV cache of one token, per GPU. */
  readonly kvPerTokenBytes: number;
  readonly kvCacheGiB: number;
  readonly loraSlotsGiB: number;
  readonly runtimeGiB: number;
  /** Per GPU: weights + runtime + LoRA slots + KV for the required sequences. */
  readonly requiredGiB: number;
  /** gpuMemoryUtilization × GPU memory. */
  readonly budgetGiB: number;
  /** Max-length sequences the KV budget holds at once (0 when it does not fit). */
  readonly maxConcurrentSequences: number;
}

/**
 * Serving memory per GPU (vLLM, tensor parallel degree tp):
 *   weights  = P × 2 / tp
 *   kv/token = 2 (K and V) × L × max(kvHeads / tp, 1) × headDim × kvBytes
 *   kv       = kv/token × maxModelLen × concurrentSequences
 *   lora     = maxLoras × maxLoraRank × L × Σ_all-linear (in + out) × 2 / tp  (vLLM preallocates A and B
 *              stacks for every supported module at --max-lora-rank, whatever the adapters target)
 *   required = weights + VLLM_RUNTIME_GIB + lora + kv  ≤  budget = gpuMemoryUtilization × GPU memory
 */
export function servingMemory(x: ServingMemoryInput): ServingMemory {
  const m = x.arch;
  const tp = Math.max(1, x.tensorParallel);
  const weights = (x.params * 2) / tp;
  const kvPerToken = 2 * m.layers * Math.max(m.kvHeads / tp, 1) * m.headDim * (x.kvBytes ?? 2);
  const kv = kvPerToken * x.maxModelLen * (x.concurrentSequences ?? 1);
  const shapes = linearShapes(m);
  const inOut = ALL_LINEAR.reduce((s, t) => s + shapes[t]![0] + shapes[t]![1], 0);
  const lora = (x.maxLoras * x.maxLoraRank * m.layers * inOut * 2) / tp;
  const runtime = VLLM_RUNTIME_GIB * GIB;
  const budget = x.gpuMemoryUtilization * x.gpuMemoryGiB * GIB;
  const free = budget - weights - runtime - lora;
  return {
    weightsGiB: weights / GIB,
    kvPerTokenBytes: kvPerToken,
    kvCacheGiB: kv / GIB,
    loraSlotsGiB: lora / GIB,
    runtimeGiB: runtime / GIB,
    requiredGiB: (weights + runtime + lora + kv) / GIB,
    budgetGiB: budget / GIB,
    maxConcurrentSequences: Math.max(0, Math.floor(free / (kvPerToken * x.maxModelLen))),
  };
}
