/** Specs shared by this folder's tests: the shipped dev and local services and a test contract. */
import type { PlatformContract } from "../../platform/contract.ts";
import { SERVICE_ACCOUNTS } from "../../platform/contract.ts";
import type { ModelConfig } from "../../lib/inputs.ts";
import type { ServingConfig } from "../inputs.ts";
import type { AdapterRef } from "../defaults.ts";

export const qwen7b: ModelConfig = {
  name: "qwen2-5-7b",
  hub: "huggingface",
  repo: "Qwen/Qwen2.5-7B-Instruct",
  revision: "a09a35458c702b33eeacc393d103063234e8bc28",
  sizeGiB: 15.3,
};

export const qwen05b: ModelConfig = {
  name: "qwen2-5-0-5b",
  hub: "huggingface",
  repo: "Qwen/Qwen2.5-0.5B-Instruct",
  revision: "7ae557604adf67be50417f59c2c2f167def9a775",
  sizeGiB: 1,
};

/** As in stacks/Pulumi.workloads-dev.yaml. */
export const chat: ServingConfig = {
  name: "chat",
  runtime: "vllm",
  baseModel: "qwen2-5-7b",
  adapters: ["support-bot"],
  replicas: { min: 2, max: 2 },
  pool: "serving-l4",
  gpus: 1,
  engine: { maxModelLen: 8192, gpuMemoryUtilization: 0.9, maxLoras: 4 },
  auth: { type: "api-key" },
};

export const supportBot: AdapterRef = { name: "support-bot", runId: "c2f47069e7bc", baseModel: "qwen2-5-7b" };

/** As in stacks/Pulumi.local.yaml: vLLM's CPU backend on a CPU pool. */
export const localChat: ServingConfig = {
  name: "chat",
  runtime: "vllm",
  baseModel: "qwen2-5-0-5b",
  adapters: ["support-bot"],
  replicas: { min: 1, max: 1 },
  pool: "cpu",
  gpus: 0,
  engine: { device: "cpu", maxModelLen: 2048, maxLoras: 1 },
  resources: { cpu: 4, memoryGiB: 8 },
  auth: { type: "api-key" },
};

export const localSupportBot: AdapterRef = { name: "support-bot", runId: "4b78589955b6", baseModel: "qwen2-5-0-5b" };

export const contract: PlatformContract = {
  namespace: "llmkit",
  pools: [
    {
      name: "serving-l4",
      nodeSelector: { "llmkit.dev/pool": "serving-l4" },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
      gpuResource: "nvidia.com/gpu",
      gpusPerNode: 4,
      gpuMemoryGiB: 24,
    },
    { name: "cpu", nodeSelector: {}, tolerations: [], gpusPerNode: 0, gpuMemoryGiB: 0 },
  ],
  store: { bucket: "acme-llmkit-dev-models", region: "us-west-2" },
  serviceAccounts: SERVICE_ACCOUNTS,
  addons: { gatewayClassName: "llmkit", prometheusUrl: "http://llmkit-prometheus.monitoring.svc.cluster.local:9090", keda: true },
  networkPolicyEnforced: true,
};

/** The recommended labels every object of the `chat` service carries (pinned vLLM 0.21.0). */
export const chatLabels = {
  "app.kubernetes.io/name": "vllm",
  "app.kubernetes.io/instance": "chat",
  "app.kubernetes.io/component": "serving",
  "app.kubernetes.io/part-of": "llmkit",
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/version": "0.21.0",
};
