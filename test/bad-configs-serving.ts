/** Bad serving configs (see bad-configs.ts): each a shipped stack with one thing changed. */
import { change, local, workloadsDev, type BadCase } from "./stack-edits.ts";

const RERANKER = {
  name: "reranker",
  runtime: { type: "custom", image: "ghcr.io/acme/reranker:1.4.2", port: 8080, healthPath: "/healthz", apiKeyEnv: "RERANKER_API_KEY" },
  replicas: { min: 1, max: 1 },
  pool: "serving-l4",
  gpus: 1,
  resources: { cpu: 4, memoryGiB: 16 },
};

export const SERVING_CASES: BadCase[] = [
  ["CPU vLLM memory leaves no KV cache", change(local(), (r) => (r.serving[0].resources.memoryGiB = 5)), [
    "llmkit:serving[0].resources.memoryGiB: (5) leaves 0 GiB for vLLM's CPU KV cache (VLLM_CPU_KVCACHE_SPACE = 5 GiB limit − 1 GiB /dev/shm − 1 GiB weights − 3 GiB runtime, in whole GiB); it must be at least 1 GiB and must hold one engine.maxModelLen (2048) sequence, 0.02 GiB: raise resources.memoryGiB to 6",
  ]],
  ["maxModelLen above the model's context", change(local(), (r) => (r.serving[0].engine.maxModelLen = 65536)), [
    "llmkit:serving[0].engine.maxModelLen: 65536 exceeds Qwen/Qwen2.5-0.5B-Instruct's context of 32768 tokens (max_position_embeddings in its config.json, https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct/blob/main/config.json); vLLM refuses it without RoPE scaling, which llmkit does not configure: set engine.maxModelLen ≤ 32768",
  ]],
  // the local stack's CPU service, on a cluster whose "cpu" pool has GPUs
  ["CPU backend on a GPU pool", change(local(), (r) => (r.platform = {
    provider: "existing",
    store: { bucket: "llmkit", endpoint: "http://store.llmkit.svc:9000", credentialsSecret: "store-credentials" },
    pools: [{ name: "cpu", nodeSelector: { pool: "gpu" }, gpu: { perNode: 1, memoryGiB: 24 } }],
  })), [
    'llmkit:serving[0].engine.device: is cpu but pool "cpu" is a GPU pool (1 GPU(s) per node): the CPU backend is for CPU pools of local or existing clusters; set device: gpu with gpus ≥ 1, or use a CPU pool',
  ]],
  ["JWT issuer over plain http", change(workloadsDev(), (r) => (r.serving[0].auth = { type: "jwt", issuer: "http://login.example.com/", audiences: ["llmkit"], jwksUri: "https://login.example.com/jwks" })), [
    "llmkit:serving[0].auth.issuer: must be an https:// URL equal to the tokens' iss claim (OIDC issuers use https)",
  ]],
  ["exposed without auth outside local", change(workloadsDev(), (r) => (r.serving[0].auth = { type: "none" })), [
    'llmkit:serving[0].auth: is "none" on an exposed service in env "dev": anyone reaching the gateway could use it; use type: api-key with clients, or jwt',
  ]],
  ["credentials as plain env values", change(workloadsDev(), (r) => r.serving.push({ ...RERANKER, runtime: { ...RERANKER.runtime, env: { HF_TOKEN: "x", UPSTREAM: "sk-live-abc", LOG_LEVEL: "info" } } })), [
    "llmkit:serving[1].runtime.env.HF_TOKEN: is a plain value but its name says it is a credential: put it in a Secret and write HF_TOKEN: {secretKeyRef: {name: <secret>, key: <key>}}",
    "llmkit:serving[1].runtime.env.UPSTREAM: is a plain value but its value looks like a credential: put it in a Secret and write UPSTREAM: {secretKeyRef: {name: <secret>, key: <key>}}",
  ]],
];
