/**
 * Bad stack configs, each starting from a shipped stack (`local`, layer all, or `workloads-dev`)
 * with one thing changed, and the exact problems the loader must report. Shared by the loader
 * tests and the end-to-end refusal tests (CLI exit code, nothing registered).
 */
import { change, local, platformDev, workloadsDev, type BadCase, type Raw } from "./stack-edits.ts";
import { PLATFORM_CASES } from "./bad-configs-platform.ts";
import { ENGINE_CASES } from "./bad-configs-engine.ts";
import { RELEASE_CASES } from "./bad-configs-release.ts";
import { SERVING_CASES } from "./bad-configs-serving.ts";
import { TRAINING_CASES } from "./bad-configs-training.ts";
import { CHAT_UI_CASES } from "./bad-configs-chat-ui.ts";

export { change, local, platformDev, workloadsDev, type Raw };

const SECOND_MODEL = {
  name: "llama-8b",
  repo: "meta-llama/Llama-3.1-8B-Instruct",
  revision: "0e9e39f249a16976918f6564b8830bc894c89659",
  sizeGiB: 16,
};

export interface BadConfig {
  readonly name: string;
  /** The shipped stack the case starts from. */
  readonly stack: "local" | "workloads-dev" | "platform-dev";
  readonly raw: Raw;
  readonly problems: string[];
}

const cases: BadCase[] = [
  ["typo in a top-level key", change(local(), (r) => ((r.fineTune = r.fineTunes), delete r.fineTunes)), [
    'llmkit: unknown key "fineTune": did you mean "fineTunes"?',
    // without a fine-tune of its name, the service's unpinned adapter has nothing to follow
    'llmkit:serving[0].adapters[0]: adapter "support-bot" is not pinned in llmkit:release.adapters: add support-bot: {runId, baseModel}',
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
    'llmkit:serving[0].adapters[0]: adapter "support-bot" is trained on base "llama" but this service serves "qwen2-5-0-5b"',
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
  ["adapter missing from release outside env local", change(local(), (r) => (r.env = "dev")), [
    'llmkit:serving[0].adapters[0]: adapter "support-bot" is not pinned in llmkit:release.adapters: add support-bot: {runId, baseModel} (only env: local serves a fine-tune\'s current run without a pin; here pin the run render prints once it is published, or npm run promote one from another stack)',
  ]],
  ["adapter neither pinned nor trained here", change(local(), (r) => (r.serving[0].adapters = ["sql-bot"])), [
    'llmkit:serving[0].adapters[0]: adapter "sql-bot" is not pinned in llmkit:release.adapters: add sql-bot: {runId, baseModel}',
  ]],
  ["adapter trained on another base", change(local(), (r) => {
    r.models.push(SECOND_MODEL);
    r.serving[0].baseModel = "llama-8b";
  }), [
    'llmkit:serving[0].adapters[0]: adapter "support-bot" is trained on base "qwen2-5-0-5b" but this service serves "llama-8b"',
    "llmkit:serving[0].resources.memoryGiB: (6) leaves -14 GiB for vLLM's CPU KV cache (VLLM_CPU_KVCACHE_SPACE = 6 GiB limit − 1 GiB /dev/shm − 16 GiB weights − 3 GiB runtime, in whole GiB); it must be at least 1 GiB and must hold one engine.maxModelLen (2048) sequence, 0.25 GiB: raise resources.memoryGiB to 21",
  ]],
  ["QLoRA without bits", change(local(), (r) => Object.assign(r.fineTunes[0], { method: "qlora", gpus: 1 })), [
    "llmkit:fineTunes[0].quantBits: is required for method qlora: set 4 or 8",
    "llmkit:fineTunes[0].engine: is llamafactory but method is qlora: the pinned LLaMA-Factory image (hiyouga/llamafactory:0.9.5) has no bitsandbytes, which QLoRA quantisation needs; use engine: ms-swift for QLoRA (or method: lora)",
    'llmkit:fineTunes[0].gpus: requests 1 GPU(s) but pool "cpu" has no GPUs: lower gpus or pick a larger pool',
  ]],
  ["unknown pool", change(local(), (r) => (r.serving[0].pool = "gpu")), [
    'llmkit:serving[0].pool: unknown pool "gpu": use one of platform\'s pools (cpu)',
  ]],
  ["dataset outside the store", change(local(), (r) => (r.fineTunes[0].datasets[0] = { path: "s3://elsewhere/train.jsonl", format: "alpaca" })), [
    'llmkit:fineTunes[0].datasets[0].path: must be a key under the store\'s "datasets/" prefix, e.g. datasets/support/train.jsonl',
  ]],
  ["negative sample count", change(local(), (r) => (r.fineTunes[0].datasets[0].samples = -5)), [
    "llmkit:fineTunes[0].datasets[0].samples: must be > 0, got number -5",
  ]],
  ["unquoted run id", change(local(), (r) => (r.release = { adapters: { "support-bot": { runId: 123456789012, baseModel: "qwen2-5-0-5b" } } })), [
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
    'llmkit:serving[0].adapters[0]: adapter "support-bot" is not pinned in llmkit:release.adapters: add support-bot: {runId, baseModel} (only env: local serves a fine-tune\'s current run without a pin; here pin the run render prints once it is published, or npm run promote one from another stack)',
    "llmkit:serving[0].replicas.min: is 1 but prod needs at least 2 replicas (no scale to zero, survives a node loss)",
    'llmkit:serving[0].auth: is "none" but prod endpoints must authenticate: use type: api-key, or jwt behind an exposure',
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
  ["GPU pool without a GPU limit", change(platformDev(), (r) => delete r.platform.gpuPools[0].gpuLimit), [
    "llmkit:platform.gpuPools[0].gpuLimit: is required: add a number value",
  ]],
  ["EFA pool spanning zones", change(platformDev(), (r) => Object.assign(r.platform.gpuPools[1], {
    preset: "training-efa",
    gpu: { name: "h100", count: 8 },
    zones: ["us-west-2a", "us-west-2b"],
  })), [
    "llmkit:platform.gpuPools[1].zones: an EFA pool must sit in exactly one availability zone (EFA traffic does not cross zones): list one zone",
  ]],
  ["EFA preset on GPUs without EFA", change(platformDev(), (r) => Object.assign(r.platform.gpuPools[1], { preset: "training-efa", zones: ["us-west-2a"] })), [
    "llmkit:platform.gpuPools[1].preset: training-efa needs EFA-capable instances, and g6e has none: use a p4d/p5/p5e/p5en GPU",
  ]],
  ["unknown GPU instance family", change(platformDev(), (r) => (r.platform.gpuPools[0].instanceFamilies = ["m7i"])), [
    'llmkit:platform.gpuPools[0].instanceFamilies[0]: "m7i" is not a GPU instance family llmkit knows: use one of g4dn, g5, g6, g6e, p4d, p5, p5e, p5en',
  ]],
  ["instance family with another GPU", change(platformDev(), (r) => (r.platform.gpuPools[0].instanceFamilies = ["g6e"])), [
    'llmkit:platform.gpuPools[0].instanceFamilies[0]: "g6e" carries l40s, not l4: use one of g6',
  ]],
  ["GPU count no instance has", change(platformDev(), (r) => (r.platform.gpuPools[0].gpu.count = 2)), [
    "llmkit:platform.gpuPools[0].gpu.count: no g6 instance has 2 l4 GPU(s): use one of 1, 4, 8",
  ]],
  ["overlapping pool names", change(platformDev(), (r) => (r.platform.gpuPools[1].name = "serving-l4")), [
    'llmkit:platform.gpuPools[1].name: "serving-l4" is already used by gpuPools[0]: pool names must be unique',
  ]],
  ["floating AMI alias", change(platformDev(), (r) => (r.platform.gpuPools[0].ami = "bottlerocket@latest")), [
    "llmkit:platform.gpuPools[0].ami: must pin a version: @latest changes nodes under you at the next launch; use e.g. bottlerocket@v1.50.0",
  ]],
  ["prod store without retention", change(platformDev(), (r) => (r.env = "prod")), [
    "llmkit:platform.store.retainOnDelete: must be true in prod so destroying the stack never deletes models and adapters",
  ]],
  ["zone outside the region", change(platformDev(), (r) => (r.platform.gpuPools[0].zones = ["us-east-1a"])), [
    'llmkit:platform.gpuPools[0].zones[0]: "us-east-1a" is not in region us-west-2',
  ]],
  ["consolidation delay on a training pool", change(platformDev(), (r) => (r.platform.gpuPools[1].consolidateAfter = "5m")), [
    "llmkit:platform.gpuPools[1].consolidateAfter: applies to serving pools only: training-spot pools consolidate only when empty, so running jobs are never moved",
  ]],
  ["GPU limit below one node", change(platformDev(), (r) => Object.assign(r.platform.gpuPools[0], { gpu: { name: "l4", count: 4 }, gpuLimit: 2 })), [
    "llmkit:platform.gpuPools[0].gpuLimit: (2) is below gpu.count (4): not even one node could launch",
  ]],
  ["device plugin switch on aws", change(platformDev(), (r) => (r.platform.addons = { nvidiaDevicePlugin: true })), [
    "llmkit:platform.addons.nvidiaDevicePlugin: is decided per AMI family on aws (Bottlerocket ships its own, AL2023 gets the plugin): remove it",
  ]],
  ["existing VPC with one subnet", change(platformDev(), (r) => (r.platform.network = { mode: "existing", vpcId: "vpc-0a1b2c3d4e5f60718", privateSubnetIds: ["subnet-0a1b2c3d4e5f60001"] })), [
    "llmkit:platform.network.privateSubnetIds: needs private subnets in at least 2 availability zones",
  ]],
  ["GPU add-on on a local cluster", change(local(), (r) => (r.platform.addons = { dcgmExporter: true })), [
    "llmkit:platform.addons.dcgmExporter: local clusters have CPU pools only: remove it",
  ]],
  ["unknown LLaMA-Factory template", change(local(), (r) => (r.fineTunes[0].template = "qwen2_5")), [
    'llmkit:fineTunes[0].template: "qwen2_5" is not a LLaMA-Factory template: use one of qwen, qwen3, qwen3_nothink, qwen2_audio, qwen2_omni, qwen3_omni or the names in components/training/templates.ts (LLaMA-Factory src/llamafactory/data/template.py)',
  ]],
  ["identity without name", change(local(), (r) => (r.fineTunes[0].identity = { author: "Acme", path: "datasets/identity.json" })), [
    "llmkit:fineTunes[0].identity.name: is required: add a string value",
  ]],
  ["invalid Kueue queue name", change(local(), (r) => (r.fineTunes[0].queue = "Team_A")), [
    "llmkit:fineTunes[0].queue: must be lower-case letters, digits and '-', starting and ending with a letter or digit",
  ]],
  ["too many smoke prompts", change(local(), (r) => (r.fineTunes[0].smokePrompts = Array.from({ length: 9 }, (_, i) => `prompt ${i}`))), [
    "llmkit:fineTunes[0].smokePrompts: must list at most 8 prompts (each one is a generation after training)",
  ]],
  ["unpinned hub dataset revision", change(local(), (r) => (r.datasets = [{ name: "ultrachat", repo: "HuggingFaceH4/ultrachat_200k", revision: "main" }])), [
    'llmkit:datasets[0].revision: "main" is not a pinned revision: use the 40-character commit sha from the hub\'s history',
  ]],
  ["unknown mirrored dataset", change(local(), (r) => (r.fineTunes[0].datasets[0] = { dataset: "ultrachat", file: "train.jsonl", format: "openai" })), [
    'llmkit:fineTunes[0].datasets[0].dataset: unknown dataset "ultrachat": use one of llmkit:datasets (none defined)',
  ]],
  ["spot on a local platform", change(local(), (r) => (r.fineTunes[0].spot = true)), [
    'llmkit:fineTunes[0].spot: needs Karpenter capacity types, which platform\'s "local" pools do not promise: remove spot (select nodes with the pool\'s nodeSelector instead)',
  ]],
  ["prod exposure without TLS", change(workloadsDev(), (r) => {
    r.env = "prod";
    r.serving[0].replicas = { min: 2, max: 2 };
    delete r.serving[0].exposure.tls;
  }), [
    "llmkit:serving[0].exposure.tls: is required in prod: API keys and tokens must not cross the network in clear text; set tls.secretName",
  ]],
  ["gateway client with a {name, key} secret", change(workloadsDev(), (r) => (r.serving[0].auth.clients[0].secret = { name: "chat-api-clients", key: "dev-team" })), [
    "llmkit:serving[0].auth.clients[0].secret: must be the name of a Secret whose key named like the client holds its API key (Envoy Gateway apiKeyAuth reads one key per client id)",
  ]],
  ["gateway rate limit of zero", change(workloadsDev(), (r) => (r.serving[0].exposure.rateLimit.requests = 0)), [
    "llmkit:serving[0].exposure.rateLimit.requests: must be > 0, got number 0",
  ]],
  ["merge of a QLoRA run", change(workloadsDev(), (r) => (r.fineTunes[1].merge = true)), [
    "llmkit:fineTunes[1].merge: cannot merge a QLoRA adapter: it was trained against the quantised base, and LLaMA-Factory refuses merging into a quantised model (tuner.py export_model): serve the adapter with vLLM, or train with method: lora",
  ]],
  ["GGUF export without merge", change(workloadsDev(), (r) => delete r.fineTunes[0].merge), [
    "llmkit:fineTunes[0].export.gguf: is converted from the merged model: set merge: true, or remove export.gguf",
  ]],
  ["GGUF quantization llama.cpp's converter does not write", change(workloadsDev(), (r) => (r.fineTunes[0].export.gguf.quantization = "q4_k_m")), [
    'llmkit:fineTunes[0].export.gguf.quantization: must be one of "f32", "f16", "bf16", "q8_0", got string "q4_k_m"',
  ]],
  ["unknown merge dtype", change(workloadsDev(), (r) => (r.fineTunes[0].merge = { dtype: "int8" })), [
    'llmkit:fineTunes[0].merge: must be true, false or { enabled: true, dtype: "bfloat16" | "float16" | "float32" }',
  ]],
  ["custom runtime on a floating tag", change(workloadsDev(), (r) => r.serving.push({
    name: "reranker",
    runtime: { type: "custom", image: "acme/reranker:latest", port: 8080, healthPath: "/healthz", apiKeyEnv: "API_KEY" },
    pool: "serving-l4",
    resources: { cpu: 2, memoryGiB: 4 },
  })), [
    'llmkit:serving[1].runtime.image: "acme/reranker:latest" uses the floating tag "latest": pin a digest or an exact version tag such as 1.4.2',
  ]],
  ["custom runtime with api-key auth but no apiKeyEnv (it would run open)", change(workloadsDev(), (r) => r.serving.push({
    name: "reranker",
    runtime: { type: "custom", image: "acme/reranker:1.4.2", port: 8080, healthPath: "/healthz" },
    pool: "serving-l4",
    resources: { cpu: 2, memoryGiB: 4 },
  })), [
    'llmkit:serving[1].runtime.apiKeyEnv: is required with auth type api-key: name the environment variable the app reads its key from, or set auth: {type: "none"}',
  ]],
  ["scale to zero in prod", change(workloadsDev(), (r) => {
    r.env = "prod";
    r.serving[0].replicas = { min: 0, max: 2 };
  }), [
    "llmkit:serving[0].replicas.min: is 0 but prod needs at least 2 replicas (no scale to zero, survives a node loss)",
  ]],
  ["zero replicas without autoscaling", change(workloadsDev(), (r) => {
    delete r.serving[0].autoscaling;
    r.serving[0].replicas.min = 0;
  }), [
    "llmkit:serving[0].replicas.min: is 0 without autoscaling, so the service would never run: add autoscaling or set min ≥ 1",
  ]],
];

/** Every case, tagged with the shipped stack it was built from. */
export const BAD_CONFIGS: BadConfig[] = [...cases, ...TRAINING_CASES, ...SERVING_CASES, ...PLATFORM_CASES, ...RELEASE_CASES, ...ENGINE_CASES, ...CHAT_UI_CASES].map(([name, raw, problems]) => ({
  name,
  stack: raw.layer === "workloads" ? "workloads-dev" : raw.layer === "platform" ? "platform-dev" : "local",
  raw,
  problems,
}));
