/**
 * The stack configuration: one zod schema, the single source of truth for the program, the CLIs,
 * the tests and the generated docs (docs/architecture.md §4). Objects are strict, so a typo fails. Each area's
 * shape is owned by its component (components/<area>/inputs.ts) and composed here; cross-field
 * rules live in ./rules.ts; technical defaults live in the components.
 * Environment policy (prod needs replicas, auth and retained storage) is enforced in ./rules.ts.
 */
import { z } from "zod";
import { METRIC_NAME } from "../components/lib/adapter-manifest.ts";
import { hubDatasetPrefix } from "../components/lib/store.ts";
import { parseFrom } from "../components/training/preference.ts";
import { modelSchema, quotedString, resourceName, positiveInt, type ModelConfig } from "../components/lib/inputs.ts";
import { platformSchema, type PlatformConfig } from "../components/platform/inputs.ts";
import { fineTuneSchema, hubDatasetSchema, MAX_SMOKE_PROMPTS, type FineTuneConfig, type HubDatasetConfig } from "../components/training/inputs.ts";
import { servingSchema, type ServingConfig } from "../components/serving/inputs.ts";
import { chatUiSchema, type ChatUiConfig } from "../components/chat-ui/inputs.ts";
import { crossFieldRules } from "./rules.ts";
import { uploadProblems, uploadReader, type UploadRead } from "./uploads.ts";

export { chatUiSchema, fineTuneSchema, hubDatasetSchema, MAX_SMOKE_PROMPTS, modelSchema, platformSchema, resourceName, servingSchema };
export type { ChatUiConfig, FineTuneConfig, HubDatasetConfig, ModelConfig, PlatformConfig, ServingConfig };

// ---------------------------------------------------------------- release

/** A run id is the first 12 hex characters of the sha256 of a fine-tune's effective spec. */
export const RUN_ID = /^[0-9a-f]{12}$/;

const tolerance = (versus: string, note = "") =>
  z
    .number()
    .min(0, "is a tolerance in metric units, measured in the metric's worse direction: use a number ≥ 0 (0: no regression at all)")
    .optional()
    .describe(`the most the new run may score worse than ${versus}, in metric units (≥ 0)${note}`);

/**
 * An evaluation gate `promote --check-store` applies to every run promoted into this stack
 * (gitops/gates.ts): bounds on one metric of the run's manifest `evaluation`.
 */
export const gateSchema = z.strictObject({
  metric: z
    .string()
    .regex(METRIC_NAME, "is not a metric llmkit records: use heldout.loss, heldout.rewardAccuracy, heldout.rewardMargin, suite.<name>.exactMatch or suite.<name>.rougeL")
    .describe("a key of the manifest's evaluation, e.g. heldout.loss or suite.<name>.exactMatch"),
  adapters: z.array(resourceName).min(1, "lists no adapter: name at least one, or remove adapters to gate every pinned adapter").optional().describe("the adapters it applies to; default every adapter pinned in llmkit:release.adapters"),
  min: z.number().optional().describe("the new run's score must be ≥ min"),
  max: z.number().optional().describe("the new run's score must be ≤ max"),
  maxRegression: z
    .strictObject({ vsPinned: tolerance("the run it replaces", "; not checked when nothing is pinned or the pinned run records no such metric"), vsBase: tolerance("the base model") })
    .optional()
    .describe("bounds relative to the run it replaces and to the base model, in the direction the manifest says is worse"),
});

export const releaseSchema = z.strictObject({
  adapters: z
    .record(
      resourceName,
      z.strictObject({
        runId: quotedString().regex(RUN_ID, "must be a 12-character run id as printed by render/up"),
        baseModel: resourceName.describe("the base the adapter was trained on"),
        rank: positiveInt
          .optional()
          .describe("LoRA rank, sizes vLLM's --max-lora-rank; taken from the fine-tune when it is in this stack, else 16"),
      }),
    )
    .default({}),
  gates: z.array(gateSchema).default([]).describe("evaluation gates: promote --check-store refuses a run that fails one (stacks/README.md)"),
});

// ---------------------------------------------------------------- the stack

const stackConfigObject = z.strictObject({
    layer: z.enum(["platform", "workloads", "all"]),
    env: z.enum(["local", "dev", "staging", "prod"]),
    platform: platformSchema.optional().describe("required for layers platform and all"),
    platformStack: z
      .string()
      .regex(/^[\w.-]+$/, "must be a stack name of this project, e.g. platform-dev")
      .optional()
      .describe("layer workloads: the stack in stacks/ whose outputs it consumes"),
    models: z.array(modelSchema).default([]),
    datasets: z.array(hubDatasetSchema).default([]).describe("hub datasets mirrored into the store once, for fine-tunes to use"),
    fineTunes: z.array(fineTuneSchema).default([]),
    serving: z.array(servingSchema).default([]),
    release: releaseSchema.prefault({}),
    chatUi: chatUiSchema.optional().describe("Open WebUI in front of one vLLM service: OIDC login at the gateway, or no login on env local"),
});

/** The config as parsed, before `{dataset, file}` references become store keys: what the rules check. */
export type ParsedStackConfig = z.output<typeof stackConfigObject>;

/**
 * A DPO fine-tune with `from` takes the LoRA settings of the SFT fine-tune it names, which its adapter has.
 * Every fine-tune dataset ends up as a store key: `{dataset, file}` becomes
 * `datasets/<repo>/<revision>/<file>` of the mirrored catalog entry, with `mirror` (that entry's
 * prefix, whose `_SUCCESS` the pod waits for), and `{upload}` its content-addressed key with the
 * file's text (./uploads.ts), so components and run ids see one shape. Runs only on a config the
 * rules accepted (zod skips transforms after issues).
 */
function resolveDatasetRefs(cfg: ParsedStackConfig, read: (file: string) => UploadRead) {
  const catalog = new Map(cfg.datasets.map((d) => [d.name, d]));
  const resolve = ({ path, dataset, file, upload, ...rest }: ParsedStackConfig["fineTunes"][number]["datasets"][number]) => {
    if (path !== undefined) return { ...rest, path };
    if (upload !== undefined) {
      const r = read(upload);
      if (!r.ok) throw new Error(`upload "${upload}" survived validation unread`);
      return { ...rest, ...r.entry };
    }
    const hub = dataset === undefined ? undefined : catalog.get(dataset);
    if (hub === undefined || file === undefined) throw new Error(`dataset reference "${dataset}" survived validation unresolved`);
    const mirror = hubDatasetPrefix(hub.repo, hub.revision);
    return { ...rest, path: `${mirror}${file}`, mirror };
  };
  // stage dpo with from: the adapter keeps the SFT fine-tune's LoRA shape (a lora block is refused there)
  const loraOf = new Map(cfg.fineTunes.map((f) => [f.name, f.lora]));
  const lora = (f: ParsedStackConfig["fineTunes"][number]) => (f.from === undefined ? f.lora : loraOf.get(parseFrom(f.from).name));
  return {
    ...cfg,
    fineTunes: cfg.fineTunes.map((f) => ({ ...f, lora: lora(f), datasets: f.datasets.map(resolve) })),
  };
}

/** The stack schema with uploads (`datasets[].upload`) read relative to `projectRoot`. */
export function stackConfigSchemaAt(projectRoot: string) {
  const read = uploadReader(projectRoot);
  return stackConfigObject
    .superRefine(crossFieldRules)
    .superRefine((cfg, ctx) => {
      for (const p of uploadProblems(cfg, read)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
    })
    .transform((cfg) => resolveDatasetRefs(cfg, read));
}

/** The kit's own root (the folder holding its stacks/); only the docs use this schema. */
const KIT_ROOT = new URL("../", import.meta.url).pathname;
/** The schema for docs and types; loading goes through config/load.ts, which passes the project root. */
export const stackConfigSchema = stackConfigSchemaAt(KIT_ROOT);

export type StackConfig = z.output<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ReleaseConfig = z.output<typeof releaseSchema>;
export type GateConfig = z.output<typeof gateSchema>;

/** The keys under the `llmkit:` namespace of a stack file. */
export const CONFIG_KEYS = Object.keys(stackConfigObject.shape) as (keyof StackConfig)[];
