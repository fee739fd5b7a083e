/**
 * A user's own Pulumi program that imports two llmkit components from the package's public entry
 * points (no kit stack files, no llmkit config): a LoRA fine-tune and a vLLM service serving it, on
 * a local cluster's platform contract. The inputs are checked with the components' own schemas.
 *
 *   import { FineTune } from "llmkit/training";
 *   import { VllmService } from "llmkit/serving";
 */
import { platformContract, platformSchema } from "llmkit/platform";
import { VllmService, servingSchema } from "llmkit/serving";
import { FineTune, fineTuneSchema, modelSchema } from "llmkit/training";

export default function program() {
  const contract = platformContract(platformSchema.parse({ provider: "local", pools: [{ name: "cpu" }] }));
  const model = modelSchema.parse({
    name: "qwen2-5-0-5b",
    repo: "Qwen/Qwen2.5-0.5B-Instruct",
    revision: "7ae557604adf67be50417f59c2c2f167def9a775",
    sizeGiB: 1,
  });
  const parsed = fineTuneSchema.parse({
      name: "support-bot",
      baseModel: model.name,
      template: "qwen",
      datasets: [{ path: "datasets/support/train.jsonl", format: "alpaca" }],
      training: { epochs: 1, maxLength: 512, precision: "fp32" },
      pool: "cpu",
      gpus: 0,
      resources: { cpu: 4, memoryGiB: 8 },
  });
  // components take datasets as store keys (the kit's config resolves mirrored-dataset references)
  const datasets = parsed.datasets.map(({ path, ...d }) => {
    if (path === undefined) throw new Error("this example names its datasets by store key");
    return { ...d, path };
  });
  const tune = new FineTune("support-bot", { spec: { ...parsed, datasets }, model, contract });
  const chat = new VllmService("chat", {
    spec: servingSchema.parse({
      name: "chat",
      baseModel: model.name,
      adapters: ["support-bot"],
      replicas: { min: 1, max: 1 },
      pool: "cpu",
      gpus: 0,
      engine: { device: "cpu", maxModelLen: 2048, maxLoras: 1 },
      resources: { cpu: 4, memoryGiB: 8 },
    }),
    model,
    // an adapter a earlier run published (its run id as FineTune.runId printed it)
    adapters: [{ name: "support-bot", runId: "4b78589955b6", baseModel: model.name }],
    contract,
  });
  return { runId: tune.runId, endpoint: chat.endpoint };
}
