/**
 * manifest.json, published under adapters/<name>/<runId>/ just before `_SUCCESS`: what an adapter
 * is and how it was made (its lineage), so serving, promotion and people can trust it without the
 * stack file. One schema for every reader and writer (docs/architecture.md §2): training renders the static
 * part and types it with this module, the pod fills in what only the run knows, promotion parses it.
 */
import { z } from "zod";

export const ADAPTER_MANIFEST_VERSION = 1;

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`), `must be ${length} lowercase hex characters`);
const count = z.number().int().nonnegative();
/** `null` when the run evaluated nothing (valRatio 0). */
const loss = z.number().nonnegative().nullable();

export const ManifestBaseModelSchema = z.strictObject({
  name: z.string().min(1),
  hub: z.enum(["huggingface", "modelscope"]),
  repo: z.string().min(1),
  revision: z.string().min(1),
});

export const ManifestDatasetSchema = z.strictObject({
  /** Store key under datasets/, as the spec names it. */
  path: z.string().min(1),
  /** `s3://<bucket>/<path>` of the store the run read. */
  uri: z.string().startsWith("s3://"),
  format: z.enum(["alpaca", "sharegpt", "openai", "query-response", "alpaca-preference", "sharegpt-preference", "openai-preference"]),
  purpose: z.enum(["domain", "general"]),
  samples: z.number().int().positive().nullable(),
  /** The object's ETag (without quotes) when the run copied it: which bytes were trained on. */
  etag: z.string().min(1),
  /** Records in the file: non-blank lines of JSON Lines, elements of a JSON array. */
  rows: count,
});

/** An evaluation suite the run scored (components/training/evaluation.ts): which bytes, like a dataset. */
export const ManifestSuiteSchema = z.strictObject({
  name: z.string().min(1),
  path: z.string().min(1),
  uri: z.string().startsWith("s3://"),
  format: z.enum(["alpaca", "sharegpt", "openai"]),
  maxSamples: z.number().int().positive(),
  etag: z.string().min(1),
  /** Records in the file (the suite scored the first maxSamples of them). */
  rows: count,
});

/** `<family>.<measure>`: heldout.loss, heldout.rewardAccuracy, heldout.rewardMargin, suite.<name>.exactMatch, suite.<name>.rougeL */
export const METRIC_NAME = /^(heldout\.(loss|rewardAccuracy|rewardMargin)|suite\.[a-z0-9]([a-z0-9-]*[a-z0-9])?\.(exactMatch|rougeL))$/;
export const ManifestMetricSchema = z.strictObject({
  /** The new adapter's score. */
  adapter: z.number(),
  /** The base model's score measured the same way on the same rows; null where it has no meaning (DPO rewards: the base is the reference). */
  base: z.number().nullable(),
  better: z.enum(["higher", "lower"]),
  /** Rows the metric was measured on. */
  samples: z.number().int().positive(),
});

const manifestShape = z.strictObject({
  schemaVersion: z.literal(ADAPTER_MANIFEST_VERSION),
  name: z.string().min(1),
  runId: hex(12),
  /** Full sha256 of the run's identity (effective spec, base model pin, engine image); runId is its first 12 characters. */
  specHash: hex(64),
  engine: z.enum(["llamafactory", "ms-swift"]),
  engineImage: z.string().min(1),
  engineVersion: z.string().min(1),
  baseModel: ManifestBaseModelSchema,
  datasets: z.array(ManifestDatasetSchema).min(1),
  lora: z.strictObject({
    rank: z.number().int().positive(),
    alpha: z.number().positive(),
    dropout: z.number().min(0).max(1),
    targets: z.union([z.literal("all-linear"), z.array(z.string().min(1)).min(1)]),
  }),
  /** Evaluation suites, absent when the spec declares none; their scores are in `evaluation`. */
  suites: z.array(ManifestSuiteSchema).min(1).optional(),
  /** Stage dpo only (absent on SFT runs): the preference settings the run trained with. */
  stage: z.literal("dpo").optional(),
  preference: z.strictObject({ beta: z.number().positive(), loss: z.enum(["sigmoid", "hinge", "ipo", "kto_pair", "orpo", "simpo"]) }).optional(),
  /**
   * Stage dpo continuing a published adapter: which one (`name@runId`, its store URI). The run
   * trained that adapter further, so this manifest's adapter includes it; absent: from the base.
   */
  from: z.strictObject({ name: z.string().min(1), runId: hex(12), uri: z.string().startsWith("s3://") }).optional(),
  /** Effective global batch = micro-batch × gradient accumulation × data-parallel GPUs (1 on CPU). */
  batch: z.strictObject({
    microBatchSize: z.number().int().positive(),
    gradientAccumulation: z.number().int().positive(),
    gpus: count,
    global: z.number().int().positive(),
  }),
  /** From the trainer's trainer_state.json: `global_step` and the `eval_loss` entries of `log_history`. */
  result: z.strictObject({ steps: count, finalEvalLoss: loss, bestEvalLoss: loss }),
  /** Pods that started this run before the one that published it (crashes and preemptions alike). */
  restarts: count,
  /** Seconds from the first attempt's start to publishing. */
  wallSeconds: count,
  /** `nvidia-smi --query-gpu=name` of the trainer, `none` on CPU. */
  gpuType: z.string().min(1),
  createdAt: z.iso.datetime(),
  /**
   * One greedy completion per `smokePrompts` entry, in prompt order, by the new adapter right after
   * training (scripts/train.sh); empty when the spec has none. Model output: untrusted text.
   */
  smoke: z.array(z.strictObject({ prompt: z.string().min(1), output: z.string() })),
  /**
   * Adapter vs base per metric, measured by the engine in the train pod after training
   * (scripts/train.sh, scripts/eval-heldout.py); optional so that manifests written before it still parse.
   */
  evaluation: z.record(z.string().regex(METRIC_NAME), ManifestMetricSchema).optional(),
});

export const AdapterManifestSchema = manifestShape
  .refine((m) => m.specHash.startsWith(m.runId), { path: ["specHash"], message: "must start with runId" })
  .refine((m) => m.batch.global === m.batch.microBatchSize * m.batch.gradientAccumulation * Math.max(1, m.batch.gpus), {
    path: ["batch", "global"],
    message: "must be microBatchSize × gradientAccumulation × max(1, gpus)",
  });

export type AdapterManifest = z.infer<typeof AdapterManifestSchema>;
export type ManifestDataset = z.infer<typeof ManifestDatasetSchema>;

/** Fields only the run knows; the rendered template leaves them out and the pod fills them in. */
export type RuntimeManifestField = "result" | "restarts" | "wallSeconds" | "gpuType" | "createdAt" | "smoke" | "evaluation";
export type AdapterManifestTemplate = Omit<AdapterManifest, RuntimeManifestField | "datasets" | "suites"> & {
  readonly datasets: readonly Omit<ManifestDataset, "etag" | "rows">[];
  readonly suites?: readonly Omit<z.infer<typeof ManifestSuiteSchema>, "etag" | "rows">[];
};

/**
 * What promotion relies on (base model, publish time), parsed from the same schema. Unknown keys
 * are allowed so that promotion reads every manifest version that carries these two.
 */
export const ManifestProvenanceSchema = manifestShape.pick({ baseModel: true, createdAt: true }).loose();

/** What `llmkit status` shows of a run (eval loss, evaluation, publish time, smoke outputs), parsed from the same schema, unknown keys allowed. */
export const ManifestSummarySchema = manifestShape.pick({ runId: true, result: true, createdAt: true, evaluation: true, smoke: true }).loose();
export type ManifestSummary = z.infer<typeof ManifestSummarySchema>;

/** What promotion's gates read: the run, its publish time and its evaluation, unknown keys allowed. */
export const ManifestEvaluationSchema = manifestShape.pick({ runId: true, createdAt: true, evaluation: true }).loose();

/** `datasets[0].etag: Invalid input …` lines for an error message. */
export function manifestIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(root)"}: ${i.message}`);
}
