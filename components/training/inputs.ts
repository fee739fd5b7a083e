/**
 * The training area's inputs: hub datasets mirrored into the store, and fine-tunes. Exported for
 * users' own programs; the kit's stack schema composes them as llmkit:datasets and llmkit:fineTunes.
 */
import { z } from "zod";
import { DNS_LABEL } from "../lib/naming.ts";
import { GGUF_OUTTYPES } from "../lib/versions.ts";
import { extraArgsSchema } from "../lib/extra-args.ts";
import { hubRepo, imageOverrideSchema, k8sSecretRef, positiveInt, refusePinlessRevision, resourceName } from "../lib/inputs.ts";
import { trainingExtraArgProblems } from "./extra-args.ts";
import {
  FROM_ADAPTER,
  PREFERENCE_FORMATS,
  PREFERENCE_LOSSES,
  PREFERENCE_LOSS_NAMES,
  PREFERENCE_LOSS_SOURCES,
  SFT_FORMATS,
  isPreferenceFormat,
} from "./preference.ts";

export const hubDatasetSchema = z
  .strictObject({
    name: resourceName.describe("how fine-tune datasets refer to this mirrored dataset"),
    hub: z.enum(["huggingface", "modelscope"]).default("huggingface"),
    repo: hubRepo,
    revision: z.string().min(1).describe("required pinned commit (40-hex on Hugging Face) or tag; never a branch"),
    include: z
      .array(z.string().regex(/^[^\s]+$/, "must be a glob pattern without spaces, e.g. data/*.jsonl"))
      .min(1)
      .optional()
      .describe("mirror only files matching these glob patterns; every file when absent"),
    sizeGiB: z.number().positive().default(5).describe("size of the mirrored files; sizes the mirror's scratch volume"),
    tokenSecret: k8sSecretRef.optional().describe("hub token for gated datasets"),
  })
  .superRefine(refusePinlessRevision);

// ---------------------------------------------------------------- fine-tunes

const storeDatasetKey = z
  .string()
  .regex(/^datasets\/[\w.\/-]+$/, 'must be a key under the store\'s "datasets/" prefix, e.g. datasets/support/train.jsonl')
  .refine((k) => !k.split("/").includes(".."), { message: 'must not contain ".." (keys are literal, never resolved)' });
const sftFormat = z.enum(SFT_FORMATS);
/** A path inside the project (a dataset's `upload`): relative, no "..". config/uploads.ts reads only what passes it. */
export const projectFilePath = z
  .string()
  .regex(/^[\w.-]+(\/[\w.-]+)*$/, "must be a file path relative to the project root (the folder holding stacks/), e.g. data/support/train.jsonl")
  .refine((f) => !f.split("/").includes(".."), { message: 'must not contain "..": the file must be inside the project' });
const datasetFormat = z.enum([...SFT_FORMATS, ...PREFERENCE_FORMATS]);

export const datasetSchema = z.strictObject({
  path: storeDatasetKey.optional().describe("a store key; or name a mirrored dataset with dataset + file"),
  dataset: resourceName.optional().describe("a name from llmkit:datasets (mirrored from a hub)"),
  file: z
    .string()
    .regex(/^[\w.-]+(\/[\w.-]+)*$/, 'must be a file path inside the mirrored dataset, e.g. data/train.jsonl')
    .refine((f) => !f.split("/").includes(".."), { message: 'must not contain ".."' })
    .optional()
    .describe("with dataset: the file inside it"),
  upload: projectFilePath
    .optional()
    .describe("a file of this project (path relative to the folder holding stacks/) that `up` copies into the store before training; text, at most 900 KiB per fine-tune"),
  format: datasetFormat,
  purpose: z.enum(["domain", "general"]).default("domain"),
  samples: positiveInt.optional().describe("rows to draw; all rows when absent"),
});

/** A Kueue LocalQueue / WorkloadPriorityClass name: an object name that is also a label value. */
const kueueName = z
  .string()
  .max(63, "must be at most 63 characters (it is a label value)")
  .regex(DNS_LABEL, "must be lower-case letters, digits and '-', starting and ending with a letter or digit");

export const MAX_SMOKE_PROMPTS = 8;

/** Formats of an evaluation suite: prompts with one reference answer each (./evaluation.ts). */
export const SUITE_FORMATS = ["alpaca", "sharegpt", "openai"] as const;
/** @default 200 — enough rows for a stable exact-match/ROUGE-L figure, few enough that two generation passes take minutes. */
export const SUITE_MAX_SAMPLES_DEFAULT = 200;
export const MAX_SUITES = 8;

export const suiteSchema = z.strictObject({
  name: z
    .string()
    .max(40, "must be at most 40 characters")
    .regex(DNS_LABEL, "must be lower-case letters, digits and '-', starting and ending with a letter or digit (it names the metrics suite.<name>.exactMatch and suite.<name>.rougeL)"),
  path: storeDatasetKey.describe("a store key under datasets/, uploaded like a training dataset"),
  format: z.enum(SUITE_FORMATS, {
    error: `must be one of ${SUITE_FORMATS.join(", ")}: a suite is prompts with one reference answer each (preference data has no single answer to score)`,
  }),
  maxSamples: positiveInt.default(SUITE_MAX_SAMPLES_DEFAULT).describe("the suite's first rows to evaluate"),
});

/** Suites: unique names, and no suite is a file the run trains on (it would score memorised answers). */
function suiteRules(f: { datasets: { path?: string }[]; identity?: { path: string }; evaluation?: { suites: { name: string; path: string }[] } }, ctx: z.RefinementCtx): void {
  const suites = f.evaluation?.suites ?? [];
  suites.forEach((s, i) => {
    const first = suites.findIndex((o) => o.name === s.name);
    if (first < i) ctx.addIssue({ code: "custom", path: ["evaluation", "suites", i, "name"], message: `"${s.name}" is already used by evaluation.suites[${first}]: suite names must be unique` });
    const trained = f.datasets.findIndex((d) => d.path === s.path);
    if (trained >= 0) {
      ctx.addIssue({ code: "custom", path: ["evaluation", "suites", i, "path"], message: `is datasets[${trained}].path, which the run trains on: evaluate on held-out rows in a file of their own` });
    } else if (f.identity?.path === s.path) {
      ctx.addIssue({ code: "custom", path: ["evaluation", "suites", i, "path"], message: "is identity.path, which the run trains on: evaluate on held-out rows in a file of their own" });
    }
  });
}

/** Merge and export need a full-precision LoRA run; GGUF is converted from the merged model. */
function followUpRules(f: { method: string; merge?: boolean | { enabled: boolean }; export?: { gguf?: unknown } }, ctx: z.RefinementCtx): void {
  const merging = f.merge === true || (typeof f.merge === "object" && f.merge.enabled);
  if (merging && f.method === "qlora") {
    ctx.addIssue({
      code: "custom",
      path: ["merge"],
      message:
        "cannot merge a QLoRA adapter: it was trained against the quantised base, and LLaMA-Factory refuses merging into a quantised model (tuner.py export_model): serve the adapter with vLLM, or train with method: lora",
    });
  }
  if (f.export?.gguf !== undefined && !merging) {
    ctx.addIssue({ code: "custom", path: ["export", "gguf"], message: "is converted from the merged model: set merge: true, or remove export.gguf" });
  }
}

/**
 * What stage dpo needs of one entry (rules across entries, e.g. what `from` names: config/fine-tune-rules.ts).
 * The engines refuse the same at run time: LLaMA-Factory "The dataset is not applicable in the current
 * training stage" for a ranking dataset in sft or an instruction dataset in dpo (hiyouga/LLaMA-Factory@v0.9.5
 * src/llamafactory/data/loader.py get_merged_dataset).
 */
function stageRules(
  f: { stage: string; engine: string; preference?: { loss?: string }; from?: string; lora?: unknown; identity?: unknown; datasets: { format: string }[] },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if (f.stage === "sft") {
    if (f.preference !== undefined) issue(["preference"], "applies only to stage: dpo: remove it, or set stage: dpo");
    if (f.from !== undefined) issue(["from"], "applies only to stage: dpo (an SFT run always starts from the base): remove it, or set stage: dpo");
    f.datasets.forEach((d, j) => {
      if (isPreferenceFormat(d.format)) issue(["datasets", j, "format"], `${d.format} is preference data (chosen/rejected) for stage: dpo; an SFT run needs one of ${SFT_FORMATS.join(", ")}`);
    });
    return;
  }
  f.datasets.forEach((d, j) => {
    if (!isPreferenceFormat(d.format)) {
      issue(["datasets", j, "format"], `is ${d.format}, which has no chosen/rejected answers: stage dpo needs preference data, one of ${PREFERENCE_FORMATS.join(", ")}`);
    }
  });
  const loss = f.preference?.loss;
  const allowed = PREFERENCE_LOSSES[f.engine as keyof typeof PREFERENCE_LOSSES];
  if (loss !== undefined && allowed !== undefined && !(allowed as readonly string[]).includes(loss)) {
    issue(["preference", "loss"], `${loss} is not a loss ${f.engine} offers with DPO (${PREFERENCE_LOSS_SOURCES[f.engine as keyof typeof PREFERENCE_LOSSES]}): use one of ${allowed.join(", ")}${f.engine === "ms-swift" ? ", or engine: llamafactory" : ""}`);
  }
  if (f.identity !== undefined) issue(["identity"], "is instruction data (self-cognition rows without chosen/rejected): train it in the SFT run this DPO run starts from");
  if (f.from !== undefined && f.lora !== undefined) {
    issue(["lora"], `does not apply with from: the run keeps training ${f.from.split("@")[0]}'s adapter, whose rank, alpha, dropout and targets are fixed in its adapter_config.json; remove lora`);
  }
}

export const fineTuneSchema = z.strictObject({
  name: resourceName,
  baseModel: resourceName.describe("a name from llmkit:models"),
  engine: z
    .enum(["llamafactory", "ms-swift"], { error: 'must be "llamafactory" or "ms-swift" (the engine\'s own arguments go in extraArgs, its image in image)' })
    .default("llamafactory"),
  extraArgs: extraArgsSchema
    .optional()
    .describe("further training arguments by field name: LLaMA-Factory YAML keys or ms-swift flags without --, e.g. {neftune_noise_alpha: 5}; checked against the pinned engine's (components/training/*-keys.json); part of the run id"),
  image: imageOverrideSchema
    .optional()
    .describe("train (and merge) with this image, a mirror or patched build of the pinned engine release, instead of the pinned one; part of the run id"),
  stage: z
    .enum(["sft", "dpo"])
    .default("sft")
    .describe("sft: supervised fine-tuning on instruction data; dpo: direct preference optimisation on chosen/rejected pairs"),
  preference: z
    .strictObject({
      beta: z.number().positive().optional().describe("LLaMA-Factory pref_beta / ms-swift --beta; default 0.1"),
      loss: z
        .enum(PREFERENCE_LOSS_NAMES)
        .optional()
        .describe("LLaMA-Factory pref_loss (all six) / ms-swift --loss_type (sigmoid, hinge, ipo); default sigmoid"),
    })
    .optional()
    .describe("stage dpo only"),
  from: z
    .string()
    .regex(FROM_ADAPTER, "must be <fine-tune name>@<12-character run id>, e.g. support-bot@0123456789ab")
    .optional()
    .describe("stage dpo: continue this published SFT adapter of the same base (its LoRA shape is kept; method must be the same); absent: a new adapter on the base"),
  method: z.enum(["lora", "qlora"]).default("lora"),
  quantBits: z.union([z.literal(4), z.literal(8)]).optional().describe("QLoRA only"),
  template: z.string().min(1).describe("the engine's chat template for the base model, e.g. qwen"),
  lora: z
    .strictObject({
      rank: positiveInt.optional(),
      alpha: z.number().positive().optional(),
      dropout: z.number().min(0).lt(1).optional(),
      targets: z.union([z.literal("all-linear"), z.array(z.string().min(1)).min(1)]).optional(),
    })
    .optional(),
  datasets: z.array(datasetSchema).min(1),
  training: z
    .strictObject({
      epochs: z.number().positive().optional(),
      learningRate: z.number().positive().optional(),
      microBatchSize: positiveInt.optional(),
      gradientAccumulation: positiveInt.optional(),
      maxLength: positiveInt.optional(),
      warmupRatio: z.number().min(0).lt(1).optional(),
      valRatio: z.number().min(0).lt(1).optional(),
      saveSteps: positiveInt.optional(),
      keepCheckpoints: positiveInt.optional(),
      maxSteps: positiveInt.optional().describe("stop after this many optimizer steps (engines' max_steps, overrides epochs); all epochs when absent"),
      precision: z.enum(["bf16", "fp16", "fp32"]).optional(),
    })
    .optional(),
  pool: resourceName.describe("a pool from the platform's scheduling contract"),
  gpus: z.number().int().min(0).default(1),
  resources: z
    .strictObject({ cpu: z.number().positive(), memoryGiB: positiveInt })
    .optional()
    .describe("CPU and memory for the trainer container"),
  maxRuntimeHours: z.number().positive().max(168).optional(),
  // follow-up Jobs of the run (components/training/merge.ts, gguf.ts); not part of the run id
  merge: z
    .union([
      z.boolean(),
      z.strictObject({
        enabled: z.boolean().default(true),
        dtype: z.enum(["bfloat16", "float16", "float32"]).optional().describe("default: the training precision"),
      }),
    ], { error: 'must be true, false or { enabled: true, dtype: "bfloat16" | "float16" | "float32" }' })
    .optional()
    .describe("merge the adapter into the base model after training, into merged/<name>/<runId>/ (LoRA only)"),
  export: z
    .strictObject({
      gguf: z
        .strictObject({ quantization: z.enum(GGUF_OUTTYPES).describe("convert_hf_to_gguf.py --outtype") })
        .optional()
        .describe("llama.cpp/Ollama file gguf/<name>/<runId>/<name>-<quantization>.gguf, converted from the merged model"),
    })
    .optional(),
  identity: z
    .strictObject({
      name: z.string().trim().min(1, "must not be empty").describe("what the model calls itself"),
      author: z.string().trim().min(1, "must not be empty").describe("who the model says made it"),
      path: storeDatasetKey.describe("self-cognition rows with {{name}}/{{author}} (LLaMA-Factory) or {{NAME}}/{{AUTHOR}} (ms-swift) placeholders"),
      format: sftFormat.default("alpaca"),
      samples: positiveInt.optional(),
    })
    .optional()
    .describe("teach the adapter who it is: placeholders are filled in the pod, then the rows are trained on"),
  queue: kueueName.optional().describe("Kueue LocalQueue in the workloads namespace; Kueue admits the Job when quota allows"),
  priority: kueueName.optional().describe("Kueue WorkloadPriorityClass (needs queue)"),
  spot: z.boolean().optional().describe("true: spot nodes only; false: on-demand only; absent: whatever the pool offers (Karpenter pools)"),
  smokePrompts: z
    .array(z.string().trim().min(1, "must not be empty").max(4000, "must be at most 4000 characters"))
    .max(MAX_SMOKE_PROMPTS, `must list at most ${MAX_SMOKE_PROMPTS} prompts (each one is a generation after training)`)
    .optional()
    .describe("prompts the train step answers with the new adapter (greedy); the outputs go into manifest.json"),
  evaluation: z
    .strictObject({
      suites: z
        .array(suiteSchema)
        .min(1, "must list at least one suite, or leave evaluation out")
        .max(MAX_SUITES, `must list at most ${MAX_SUITES} suites (each one is two generation passes after training)`)
        .describe("user datasets the adapter and the base answer (greedy, engine predict step); scored exact-match and ROUGE-L into manifest.json"),
    })
    .optional()
    .describe("evaluation beyond the held-out split (valRatio), recorded in manifest.json as adapter vs base"),
}).superRefine((f, ctx) => {
  followUpRules(f, ctx);
  stageRules(f, ctx);
  for (const p of trainingExtraArgProblems(f.engine, f.extraArgs ?? {})) ctx.addIssue({ code: "custom", path: ["extraArgs", p.name], message: p.message });
  suiteRules(f, ctx);
});


export type HubDatasetConfig = z.output<typeof hubDatasetSchema>;
/** A fine-tune as parsed: each dataset is a store key (path) or a mirrored dataset reference (dataset + file). */
export type FineTuneInput = z.output<typeof fineTuneSchema>;
/**
 * A fine-tune with every dataset resolved to a store key: `{dataset, file}` becomes
 * `datasets/<repo>/<revision>/<file>` of the mirrored catalog entry, with `mirror` (that entry's
 * prefix, whose `_SUCCESS` the pod waits for); `{upload}` becomes its content-addressed key with the
 * file's text. Components take this shape.
 */
export type FineTuneConfig = Omit<FineTuneInput, "datasets" | "stage"> & {
  /** @default "sft" (the schema fills it in; a program's own spec may leave it out) */
  stage?: FineTuneInput["stage"];
  datasets: (Omit<FineTuneInput["datasets"][number], "path" | "dataset" | "file" | "upload"> & {
    path: string;
    mirror?: string;
    /** A project file to copy to `path` before training; `path` must be its `uploadedDatasetKey` (./upload.ts `uploadedDataset`). */
    uploadFile?: UploadedFile;
  })[];
};

/** A file read from the project for a dataset's `upload`: its project-relative name and its text. */
export interface UploadedFile {
  readonly file: string;
  readonly content: string;
}
