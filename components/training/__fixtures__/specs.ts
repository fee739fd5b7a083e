/** Specs shared by this folder's tests: the shipped workloads-dev fine-tunes and a test contract. */
import type { PlatformContract } from "../../platform/contract.ts";
import { SERVICE_ACCOUNTS } from "../../platform/contract.ts";
import type { FineTuneConfig } from "../inputs.ts";
import type { ModelConfig } from "../../lib/inputs.ts";

export const qwen7b: ModelConfig = {
  name: "qwen2-5-7b",
  hub: "huggingface",
  repo: "Qwen/Qwen2.5-7B-Instruct",
  revision: "a09a35458c702b33eeacc393d103063234e8bc28",
  sizeGiB: 15.3,
};

/** LLaMA-Factory LoRA, as in stacks/Pulumi.workloads-dev.yaml. */
export const seedLora: FineTuneConfig = {
  name: "support-bot",
  baseModel: "qwen2-5-7b",
  engine: "llamafactory",
  method: "lora",
  template: "qwen",
  datasets: [
    { path: "datasets/support/v3/train.jsonl", format: "sharegpt", purpose: "domain" },
    { path: "datasets/general/alpaca-gpt4-en.json", format: "alpaca", purpose: "general", samples: 20000 },
  ],
  pool: "training-l40s",
  gpus: 1,
};

/** ms-swift QLoRA 4-bit, as in stacks/Pulumi.workloads-dev.yaml. */
export const qloraSwift: FineTuneConfig = {
  name: "support-bot-qlora",
  baseModel: "qwen2-5-7b",
  engine: "ms-swift",
  method: "qlora",
  quantBits: 4,
  template: "qwen2_5",
  lora: { rank: 16, alpha: 32 },
  datasets: [{ path: "datasets/support/v3/train.jsonl", format: "sharegpt", purpose: "domain" }],
  pool: "training-l40s",
  gpus: 1,
};

export const contract: PlatformContract = {
  namespace: "llmkit",
  pools: [
    {
      name: "training-l40s",
      nodeSelector: { "llmkit.dev/pool": "training-l40s" },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
      gpuResource: "nvidia.com/gpu",
      gpusPerNode: 1,
      gpuMemoryGiB: 48,
    },
    { name: "cpu", nodeSelector: {}, tolerations: [], gpusPerNode: 0, gpuMemoryGiB: 0 },
  ],
  store: { bucket: "acme-llmkit-dev-models", region: "us-west-2" },
  serviceAccounts: SERVICE_ACCOUNTS,
  addons: { gatewayClassName: "llmkit", prometheusUrl: "http://llmkit-prometheus.monitoring.svc.cluster.local:9090", keda: true },
  networkPolicyEnforced: true,
};

/** Stage dpo from the base on LLaMA-Factory: alpaca- and openai-style preference data. */
export const dpoLf: FineTuneConfig = {
  name: "support-bot-dpo",
  baseModel: "qwen2-5-7b",
  engine: "llamafactory",
  stage: "dpo",
  method: "lora",
  template: "qwen",
  datasets: [
    { path: "datasets/support/prefs.jsonl", format: "alpaca-preference", purpose: "domain" },
    { path: "datasets/support/chat-prefs.jsonl", format: "openai-preference", purpose: "domain", samples: 500 },
  ],
  pool: "training-l40s",
  gpus: 1,
};

/** Stage dpo continuing support-bot's published adapter. */
export const dpoChained: FineTuneConfig = { ...dpoLf, name: "support-bot-dpo2", from: "support-bot@0123456789ab" };
