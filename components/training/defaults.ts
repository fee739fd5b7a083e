/**
 * Technical defaults of a fine-tune, all written out (docs/architecture.md §4, §8). LLaMA-Factory and ms-swift
 * disagree on several defaults (LoRA alpha 16 vs 32, cutoff 1024 vs max_length from the model,
 * fp16 vs bf16), so nothing is left to an engine: the effective spec names every value, the
 * renderers emit every key, and the run id hashes the whole of it.
 */
import type { ExtraArgs } from "../lib/extra-args.ts";
import type { ImageOverride } from "../lib/inputs.ts";
import type { FineTuneConfig } from "./inputs.ts";
import { parseFrom, type DatasetFormat, type FromAdapter, type PreferenceLoss } from "./preference.ts";

export type Precision = "bf16" | "fp16" | "fp32";

export interface EffectiveLora {
  readonly rank: number;
  readonly alpha: number;
  readonly dropout: number;
  /** `"all-linear"` or explicit module names (e.g. `q_proj`). */
  readonly targets: "all-linear" | readonly string[];
}

export interface EffectiveDataset {
  readonly path: string;
  readonly format: DatasetFormat;
  readonly purpose: "domain" | "general";
  /** Rows to draw; `null` = every row. */
  readonly samples: number | null;
  /** Store prefix of the hub mirror the file comes from (llmkit:datasets); absent for uploaded files. */
  readonly mirror?: string;
  /** The file is uploaded from the project by the pod's upload-datasets step (./upload.ts); `path` is content-addressed. */
  readonly uploaded?: true;
}

export interface EffectiveTraining {
  readonly epochs: number;
  readonly learningRate: number;
  readonly microBatchSize: number;
  readonly gradientAccumulation: number;
  readonly maxLength: number;
  readonly lrScheduler: "cosine";
  readonly warmupRatio: number;
  readonly valRatio: number;
  readonly saveSteps: number;
  readonly keepCheckpoints: number;
  readonly precision: Precision;
  readonly gradientCheckpointing: boolean;
  /** Optimizer steps after which training stops (overrides epochs); absent = every epoch, so older run ids stay. */
  readonly maxSteps?: number;
}

/** Self-cognition rows whose name/author placeholders the pod fills before training (./identity.ts). */
export interface EffectiveIdentity {
  readonly name: string;
  readonly author: string;
  readonly path: string;
  readonly format: "alpaca" | "sharegpt" | "openai" | "query-response";
  readonly samples: number | null;
}

/** A user dataset the adapter and the base answer after training, scored exact-match and ROUGE-L. */
export interface EffectiveSuite {
  readonly name: string;
  readonly path: string;
  readonly format: "alpaca" | "sharegpt" | "openai";
  readonly maxSamples: number;
}

/** Stage dpo (./preference.ts). */
export interface EffectivePreference {
  /** LLaMA-Factory pref_beta, ms-swift --beta. */
  readonly beta: number;
  readonly loss: PreferenceLoss;
}

/**
 * A fine-tune with every default resolved: the input of validation, rendering and the run id.
 * The optional fields are absent unless configured, so adding them left existing run ids alone
 * (canonicalJson skips absent keys); once set, each one changes the Job or its data, so it is hashed.
 */
export interface EffectiveFineTune {
  readonly name: string;
  readonly baseModel: string;
  readonly engine: "llamafactory" | "ms-swift";
  readonly method: "lora" | "qlora";
  /** `null` for plain LoRA. */
  readonly quantBits: 4 | 8 | null;
  readonly template: string;
  readonly lora: EffectiveLora;
  readonly datasets: readonly EffectiveDataset[];
  readonly training: EffectiveTraining;
  readonly pool: string;
  readonly gpus: number;
  readonly resources: { readonly cpu: number; readonly memoryGiB: number };
  readonly maxRuntimeHours: number;
  readonly identity?: EffectiveIdentity;
  /** Kueue LocalQueue; the Job is then admitted (unsuspended) by Kueue. */
  readonly queue?: string;
  /** Kueue WorkloadPriorityClass. */
  readonly priority?: string;
  /** true: spot nodes only, false: on-demand only. */
  readonly spot?: boolean;
  readonly smokePrompts?: readonly string[];
  /** Evaluation suites (./evaluation.ts): what the run scores, so hashed like the smoke prompts. */
  readonly suites?: readonly EffectiveSuite[];
  /** Present only for stage dpo (an SFT run's effective spec, and so its run id, is as before). */
  readonly stage?: "dpo";
  readonly preference?: EffectivePreference;
  /** The published adapter a DPO run continues; absent: a new adapter on the base. Hashed into the run id. */
  readonly from?: FromAdapter;
  /** The engine image override; absent: the pinned image (train-job.ts engineImage). Hashed into the run id. */
  readonly image?: ImageOverride;
  /** Further engine arguments (./extra-args.ts), absent when none. Hashed into the run id. */
  readonly extraArgs?: ExtraArgs;
}

export const LORA_DEFAULTS = {
  /** @default 8 — the common LoRA starting point (PEFT, ms-swift); small adapters load fast in vLLM. */
  rank: 8,
  /** @default 32 — ms-swift's default; LLaMA-Factory would use 2×rank (16). alpha/rank = 4 scales updates. */
  alpha: 32,
  /** @default 0.05 — light regularisation, ms-swift's default (LLaMA-Factory's is 0). */
  dropout: 0.05,
  /** @default "all-linear" — adapting every linear layer beats attention-only at the same rank (QLoRA paper). */
  targets: "all-linear",
} as const satisfies EffectiveLora;

export const TRAINING_DEFAULTS = {
  /** @default 3 — enough passes for a small instruction set without heavy over-fitting. */
  epochs: 3,
  /** @default 1e-4 — the usual LoRA rate; full fine-tuning would use ~1e-5. */
  learningRate: 1e-4,
  /** @default 1 — fits long sequences on one GPU; throughput comes from accumulation. */
  microBatchSize: 1,
  /** @default 16 — effective batch 16 per GPU, stable gradients at micro batch 1. */
  gradientAccumulation: 16,
  /** @default 2048 — LLaMA-Factory's cutoff_len default is 1024, ms-swift's follows the model: pin one. */
  maxLength: 2048,
  /** @default "cosine" — both engines' examples use it; decays smoothly to 0 at the end of training. */
  lrScheduler: "cosine",
  /** @default 0.05 — a short warm-up keeps the first steps of a fresh adapter from diverging. */
  warmupRatio: 0.05,
  /** @default 0.1 — hold out 10% to watch eval loss for over-fitting. */
  valRatio: 0.1,
  /** @default 50 — a spot preemption loses at most 50 optimizer steps. */
  saveSteps: 50,
  /** @default 2 — the newest checkpoint plus one in case the newest is incomplete. */
  keepCheckpoints: 2,
  /** @default "bf16" — fp16's range overflows on modern LLMs; every supported training GPU has bf16. */
  precision: "bf16",
  /** @default true — trades ~20% speed for far less activation memory, so long sequences fit. */
  gradientCheckpointing: true,
} as const satisfies EffectiveTraining;

/**
 * Trainer container resources when `resources` is absent.
 * GPU jobs: 8 CPUs feed tokenisation and data loading for one node's GPUs; 64 GiB of host memory
 * holds the full bf16 weights of a ~14B model while they load (~28 GiB) plus data workers and
 * /dev/shm. CPU-only jobs (local clusters, tiny models): 4 CPUs and 16 GiB fit a laptop.
 */
export const RESOURCE_DEFAULTS = {
  gpu: { cpu: 8, memoryGiB: 64 },
  cpuOnly: { cpu: 4, memoryGiB: 16 },
} as const;

export const PREFERENCE_DEFAULTS = {
  /**
   * @default 0.1 — both engines' default (LLaMA-Factory pref_beta, ms-swift beta for dpo) and the DPO
   * paper's usual value: larger keeps the adapter closer to the reference.
   */
  beta: 0.1,
  /** @default "sigmoid" — the DPO paper's loss; both engines' default. */
  loss: "sigmoid",
} as const satisfies EffectivePreference;

/** @default 24 — a bounded runtime (docs/architecture.md §6): a hung run stops paying for GPUs after a day. */
export const MAX_RUNTIME_HOURS_DEFAULT = 24;

export function resolveFineTune(spec: FineTuneConfig): EffectiveFineTune {
  const lora = spec.lora ?? {};
  const t = spec.training ?? {};
  return {
    name: spec.name,
    baseModel: spec.baseModel,
    engine: spec.engine,
    method: spec.method,
    quantBits: spec.quantBits ?? null,
    template: spec.template,
    lora: {
      rank: lora.rank ?? LORA_DEFAULTS.rank,
      alpha: lora.alpha ?? LORA_DEFAULTS.alpha,
      dropout: lora.dropout ?? LORA_DEFAULTS.dropout,
      targets: lora.targets === undefined ? LORA_DEFAULTS.targets : typeof lora.targets === "string" ? lora.targets : [...lora.targets],
    },
    datasets: spec.datasets.map((d) => ({
      path: d.path,
      format: d.format,
      purpose: d.purpose,
      samples: d.samples ?? null,
      ...("mirror" in d && d.mirror !== undefined ? { mirror: d.mirror } : {}),
      ...(d.uploadFile !== undefined ? { uploaded: true as const } : {}),
    })),
    training: {
      epochs: t.epochs ?? TRAINING_DEFAULTS.epochs,
      learningRate: t.learningRate ?? TRAINING_DEFAULTS.learningRate,
      microBatchSize: t.microBatchSize ?? TRAINING_DEFAULTS.microBatchSize,
      gradientAccumulation: t.gradientAccumulation ?? TRAINING_DEFAULTS.gradientAccumulation,
      maxLength: t.maxLength ?? TRAINING_DEFAULTS.maxLength,
      lrScheduler: TRAINING_DEFAULTS.lrScheduler,
      warmupRatio: t.warmupRatio ?? TRAINING_DEFAULTS.warmupRatio,
      valRatio: t.valRatio ?? TRAINING_DEFAULTS.valRatio,
      saveSteps: t.saveSteps ?? TRAINING_DEFAULTS.saveSteps,
      keepCheckpoints: t.keepCheckpoints ?? TRAINING_DEFAULTS.keepCheckpoints,
      precision: t.precision ?? TRAINING_DEFAULTS.precision,
      gradientCheckpointing: TRAINING_DEFAULTS.gradientCheckpointing,
      ...(t.maxSteps !== undefined ? { maxSteps: t.maxSteps } : {}),
    },
    pool: spec.pool,
    gpus: spec.gpus,
    resources: { ...(spec.resources ?? (spec.gpus > 0 ? RESOURCE_DEFAULTS.gpu : RESOURCE_DEFAULTS.cpuOnly)) },
    maxRuntimeHours: spec.maxRuntimeHours ?? MAX_RUNTIME_HOURS_DEFAULT,
    ...(spec.identity !== undefined ? { identity: { ...spec.identity, samples: spec.identity.samples ?? null } } : {}),
    ...(spec.queue !== undefined ? { queue: spec.queue } : {}),
    ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
    ...(spec.spot !== undefined ? { spot: spec.spot } : {}),
    ...(spec.smokePrompts !== undefined && spec.smokePrompts.length > 0 ? { smokePrompts: [...spec.smokePrompts] } : {}),
    ...(spec.evaluation !== undefined ? { suites: spec.evaluation.suites.map((s) => ({ name: s.name, path: s.path, format: s.format, maxSamples: s.maxSamples })) } : {}),
    ...(spec.stage === "dpo"
      ? {
          stage: "dpo" as const,
          preference: { beta: spec.preference?.beta ?? PREFERENCE_DEFAULTS.beta, loss: spec.preference?.loss ?? PREFERENCE_DEFAULTS.loss },
          ...(spec.from !== undefined ? { from: parseFrom(spec.from) } : {}),
        }
      : {}),
    ...(spec.image !== undefined ? { image: { ...spec.image } } : {}),
    ...(spec.extraArgs !== undefined && Object.keys(spec.extraArgs).length > 0 ? { extraArgs: { ...spec.extraArgs } } : {}),
  };
}
