/**
 * Bad stack configs, each starting from a shipped stack (`local`, layer all, or `workloads-dev`)
 * with one thing changed, and the exact problems the loader must report. Shared by the loader
 * tests and the end-to-end refusal tests (CLI exit code, nothing registered).
 */
import { readStackFile } from "../stacks/load.ts";

export type Raw = Record<string, any>;
export const local = () => structuredClone(readStackFile("local")) as Raw;
export const workloadsDev = () => structuredClone(readStackFile("workloads-dev")) as Raw;

export function change<T extends Raw>(raw: T, edit: (r: T) => void): T {
  edit(raw);
  return raw;
}

const SECOND_MODEL = {
  name: "llama-8b",
  repo: "meta-llama/Llama-3.1-8B-Instruct",
  revision: "0e9e39f249a16976918f6564b8830bc894c89659",
  sizeGiB: 16,
};

export interface BadConfig {
  readonly name: string;
  /** The shipped stack the case starts from. */
  readonly stack: "local" | "workloads-dev";
  readonly raw: Raw;
  readonly problems: string[];
}

const cases: [string, Raw, string[]][] = [
  ["typo in a top-level key", change(local(), (r) => ((r.fineTune = r.fineTunes), delete r.fineTunes)), [
    'llmkit: unknown key "fineTune": did you mean "fineTunes"?',
  ]],
  ["typo in a nested key", change(local(), (r) => (r.fineTunes[0].lora = { rnak: 8 })), [
    'llmkit:fineTunes[0].lora: unknown key "rnak": did you mean "rank"?',
  ]],
  ["wrong type", change(local(), (r) => (r.serving[0].replicas.min = "two")), [
    'llmkit:serving[0].replicas.min: must be a number, got string "two"',
  ]],
  ["unknown enum value", change(local(), (r) => (r.layer = "both")), [
    'llmkit:layer: must be one of "platform", "workloads", "all", got string "both"',
  ]],
  ["unknown base model", change(local(), (r) => (r.fineTunes[0].baseModel = "llama")), [
    'llmkit:fineTunes[0].baseModel: unknown model "llama": use one of llmkit:models (qwen2-5-0-5b)',
    'llmkit:release.adapters.support-bot.baseModel: is "qwen2-5-0-5b" but fine-tune "support-bot" trains on "llama": make them match',
  ]],
  ["unpinned revision", change(local(), (r) => (r.models[0].revision = "main")), [
    'llmkit:models[0].revision: "main" is not a pinned revision: use the 40-character commit sha from the hub\'s history',
  ]],
  ["LoRA rank 0", change(local(), (r) => (r.fineTunes[0].lora = { rank: 0 })), [
    "llmkit:fineTunes[0].lora.rank: must be > 0, got number 0",
  ]],
  ["LoRA alpha ≤ 0", change(local(), (r) => (r.fineTunes[0].lora = { alpha: -16 })), [
    "llmkit:fineTunes[0].lora.alpha: must be > 0, got number -16",
  ]],
  ["bad resource name", change(local(), (r) => (r.serving[0].name = "Chat_Bot")), [
    "llmkit:serving[0].name: must be lower-case letters, digits and '-', starting and ending with a letter or digit",
  ]],
  ["missing required field", change(local(), (r) => delete r.models[0].repo), [
    "llmkit:models[0].repo: is required: add a string value",
  ]],
  ["adapter missing from release", change(local(), (r) => (r.release.adapters = {})), [
    'llmkit:serving[0].adapters[0]: adapter "support-bot" is not pinned in llmkit:release.adapters: add support-bot: {runId, baseModel}',
  ]],
  ["adapter trained on another base", change(local(), (r) => {
    r.models.push(SECOND_MODEL);
    r.serving[0].baseModel = "llama-8b";
  }), [
    'llmkit:serving[0].adapters[0]: adapter "support-bot" was trained on base "qwen2-5-0-5b" but this service serves "llama-8b"',
  ]],
  ["QLoRA without bits", change(local(), (r) => Object.assign(r.fineTunes[0], { method: "qlora", gpus: 1 })), [
    "llmkit:fineTunes[0].quantBits: is required for method qlora: set 4 or 8",
    'llmkit:fineTunes[0].gpus: requests 1 GPU(s) but pool "cpu" has no GPUs: lower gpus or pick a larger pool',
  ]],
  ["unknown pool", change(local(), (r) => (r.serving[0].pool = "gpu")), [
    'llmkit:serving[0].pool: unknown pool "gpu": use one of platform\'s pools (cpu)',
  ]],
  ["dataset outside the store", change(local(), (r) => (r.fineTunes[0].datasets[0].path = "s3://elsewhere/train.jsonl")), [
    'llmkit:fineTunes[0].datasets[0].path: must be a key under the store\'s "datasets/" prefix, e.g. datasets/support/train.jsonl',
  ]],
  ["negative sample count", change(local(), (r) => (r.fineTunes[0].datasets[0].samples = -5)), [
    "llmkit:fineTunes[0].datasets[0].samples: must be > 0, got number -5",
  ]],
  ["unquoted run id", change(local(), (r) => (r.release.adapters["support-bot"].runId = 123456789012)), [
    'llmkit:release.adapters.support-bot.runId: must be a quoted string ("…"): YAML read it as the number 123456789012',
  ]],
  ["duplicate names", change(local(), (r) => r.fineTunes.push(structuredClone(r.fineTunes[0]))), [
    'llmkit:fineTunes[1].name: "support-bot" is already used by fineTunes[0]: names must be unique',
  ]],
  ["maxCpuLoras below maxLoras", change(local(), (r) => Object.assign(r.serving[0].engine, { maxLoras: 4, maxCpuLoras: 2 })), [
    "llmkit:serving[0].engine.maxCpuLoras: (2) must be ≥ engine.maxLoras (4) as vLLM requires",
  ]],
  ["unknown platform provider", change(local(), (r) => (r.platform.provider = "gcp")), [
    "llmkit:platform.provider: must be one of \"local\", \"existing\", \"aws\", got string \"gcp\"",
  ]],
  ["secure value in llmkit config", change(local(), (r) => (r.platform.store.bucket = { secure: "AAABAJ…" })), [
    "llmkit:platform.store.bucket: is a secure value, but llmkit config is never secret: keep secrets in a Kubernetes Secret or ESC and reference it by name",
  ]],
  ["prod on a local platform with one open replica", change(local(), (r) => {
    r.env = "prod";
    r.serving[0].auth = { type: "none" };
  }), [
    "llmkit:serving[0].replicas.min: is 1 but prod needs at least 2 replicas (no scale to zero, survives a node loss)",
    'llmkit:serving[0].auth: is "none" but prod endpoints must authenticate: use type: api-key',
    'llmkit:platform.provider: is "local" but prod needs durable, retained storage: use aws or existing',
  ]],
  ["workloads layer without a platform stack", change(workloadsDev(), (r) => delete r.platformStack), [
    'llmkit:platformStack: is required when layer is "workloads": name the platform stack, e.g. platform-dev',
  ]],
  ["platform block in a workloads stack", change(workloadsDev(), (r) => (r.platform = { provider: "local" })), [
    'llmkit:platform: must not be set when layer is "workloads": it belongs to the platform stack',
    'llmkit:fineTunes[0].pool: unknown pool "training-l40s": use one of platform\'s pools (cpu)',
    'llmkit:fineTunes[1].pool: unknown pool "training-l40s": use one of platform\'s pools (cpu)',
    'llmkit:serving[0].pool: unknown pool "serving-l4": use one of platform\'s pools (cpu)',
  ]],
];

/** Every case, tagged with the shipped stack it was built from. */
export const BAD_CONFIGS: BadConfig[] = cases.map(([name, raw, problems]) => ({
  name,
  stack: raw.layer === "workloads" ? "workloads-dev" : "local",
  raw,
  problems,
}));
