/**
 * The static part of a run's manifest.json (schema: components/lib/adapter-manifest.ts), shipped in
 * the run's ConfigMap. The pod adds what only the run knows: dataset and suite ETags and row counts
 * (restore), steps, eval loss, GPU type, evaluation and smoke outputs (train, scripts/lineage.py), restarts, wall time and
 * createdAt (publish).
 */
import { ADAPTER_MANIFEST_VERSION, type AdapterManifestTemplate } from "../lib/adapter-manifest.ts";
import { adapterPrefix, s3Uri } from "../lib/store.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import type { EffectiveFineTune } from "./defaults.ts";
import { specHash } from "./run-id.ts";

/**
 * Global batch: micro-batch × accumulation × data-parallel processes. Both engines run one
 * process per GPU (train-job.ts dataParallelEnv: torchrun from llamafactory-cli, NPROC_PER_NODE
 * for ms-swift); CPU runs are one process.
 */
function globalBatch(ft: EffectiveFineTune): number {
  return ft.training.microBatchSize * ft.training.gradientAccumulation * Math.max(1, ft.gpus);
}

export function renderManifest(ft: EffectiveFineTune, model: ModelConfig, runId: string, engine: { ref: string; version: string }, bucket: string): AdapterManifestTemplate {
  const engineImage = engine.ref;
  return {
    schemaVersion: ADAPTER_MANIFEST_VERSION,
    name: ft.name,
    runId,
    specHash: specHash(ft, model, engineImage),
    engine: ft.engine,
    engineImage,
    engineVersion: engine.version,
    // before datasets: serving's fetch.sh takes the first "revision" in the file as the base's
    baseModel: { name: model.name, hub: model.hub, repo: model.repo, revision: model.revision },
    datasets: ft.datasets.map((d) => ({ path: d.path, uri: s3Uri(bucket, d.path), format: d.format, purpose: d.purpose, samples: d.samples })),
    ...(ft.suites !== undefined ? { suites: ft.suites.map((x) => ({ name: x.name, path: x.path, uri: s3Uri(bucket, x.path), format: x.format, maxSamples: x.maxSamples })) } : {}),
    lora: { rank: ft.lora.rank, alpha: ft.lora.alpha, dropout: ft.lora.dropout, targets: ft.lora.targets === "all-linear" ? "all-linear" : [...ft.lora.targets] },
    // stage dpo only, so an SFT run's manifest is unchanged
    ...(ft.stage === "dpo" ? { stage: ft.stage } : {}),
    ...(ft.preference !== undefined ? { preference: { ...ft.preference } } : {}),
    ...(ft.from !== undefined ? { from: { name: ft.from.name, runId: ft.from.runId, uri: s3Uri(bucket, adapterPrefix(ft.from.name, ft.from.runId)) } } : {}),
    batch: {
      microBatchSize: ft.training.microBatchSize,
      gradientAccumulation: ft.training.gradientAccumulation,
      gpus: ft.gpus,
      global: globalBatch(ft),
    },
  };
}
