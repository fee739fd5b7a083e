/**
 * The rendered objects of one fine-tune run: a ConfigMap (engine config, dataset list, manifest,
 * scripts) and a Job whose pod runs restore → train → publish in sequence:
 *   init `restore` (aws-cli): base model, datasets and the newest complete checkpoint from the store;
 *   native sidecar `checkpoint-sync` (aws-cli): uploads each complete checkpoint while training runs;
 *   init `train` (engine image): LLaMA-Factory or ms-swift, then the smoke prompts (if any) with
 *     the new adapter, then stage the adapter and manifest;
 *   main `publish` (aws-cli): adapter files, manifest.json, `_SUCCESS` last.
 * If the run's adapter is already published, restore leaves a marker and every step skips.
 * All share one scratch volume (/work).
 */
import { recommendedLabels } from "../lib/labels.ts";
import { placement } from "../lib/scheduling.ts";
import { containerSecurityContext, podSecurityContext } from "../lib/pod-security.ts";
import { storeEnv } from "../lib/store-env.ts";
import { adapterPrefix, checkpointPrefix, modelPrefix, s3Uri } from "../lib/store.ts";
import { engineImageRef, imageRef, images, type PinnedImage } from "../lib/versions.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import type { EffectiveFineTune } from "./defaults.ts";
import { CONFIG_MOUNT, TTL_AFTER_FINISHED_SECONDS, awsCliContainer, configVolume, podFailurePolicy, scriptCommand, type EnvVar } from "./job.ts";
import { CONFIG_DIR, DATA_DIR, DONE_MARKER, FROM_DIR, LINEAGE_DIR, MODEL_DIR, OUTPUT_DIR, WORK_DIR, gi, localDatasetFile } from "./layout.ts";
import { llamaFactoryPredictYaml, llamaFactoryYaml, renderDatasetInfo } from "./llamafactory.ts";
import { renderManifest } from "./manifest.ts";
import { EVAL_DIR, evaluationData, suiteDownloadLines } from "./evaluation.ts";
import { datasetWaitConfigData, datasetWaitContainers } from "./dataset-wait.ts";
import { identityConfigData, identityDownloadLine, identityInitContainers } from "./identity.ts";
import { MIRROR_DEADLINE_SECONDS } from "./mirror.ts";
import {
  SWIFT_PREFERENCE_LIST,
  SWIFT_RLHF_ARGS_FILE,
  SWIFT_SFT_ARGS_FILE,
  renderSwiftArgs,
  renderSwiftInferArgs,
  requireSwiftModelType,
  swiftPreferenceList,
} from "./ms-swift.ts";
import { capacitySelector, kueueLabels } from "./queueing.ts";
import { SMOKE_DIR, smokePromptsData } from "./smoke.ts";
import { SWIFT_PREFERENCE_SCRIPTS, TRAINING_SCRIPTS } from "./scripts.ts";
import { uploadConfigData, uploadContainers, uploadVolumes } from "./upload.ts";

export const ENGINE_IMAGES: Record<EffectiveFineTune["engine"], PinnedImage> = {
  llamafactory: images.llamafactory,
  "ms-swift": images.msSwift,
};

/** A run's engine image: the fine-tune's `image` override or the pinned one, and the engine version it runs. */
export function engineImage(ft: EffectiveFineTune): { ref: string; version: string } {
  const pinned = ENGINE_IMAGES[ft.engine];
  return { ref: engineImageRef(pinned, ft.image), version: pinned.version };
}

export const RUN_ID_LABEL = "llmkit.dev/run-id";
/** Where train.sh stages the final adapter files for publish.sh. */
export const ADAPTER_DIR = `${WORK_DIR}/adapter`;
/** @default 2 — a crash (not a preemption: those are ignored) is retried twice, then someone should look. */
export const TRAIN_BACKOFF_LIMIT = 2;
/**
 * @default 60 — how often checkpoint-sync scans /work/output. A checkpoint is uploaded once its files
 * were unchanged for one interval, so a preempted run loses at most save-steps + ~2 minutes of work.
 */
export const CHECKPOINT_SYNC_INTERVAL_SECONDS = 60;
/**
 * @default 120 — the pod's termination grace: time for checkpoint-sync's final upload after
 * SIGTERM. LoRA checkpoints (adapter + optimizer state) are tens to hundreds of MiB; more would
 * not help on spot capacity, whose interruption notice is two minutes
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html).
 */
export const TRAIN_TERMINATION_GRACE_SECONDS = 120;

/** Weights (+25%) plus 20 GiB for datasets, checkpoints and the datasets cache. */
export function trainScratchGiB(model: ModelConfig): number {
  return Math.ceil(model.sizeGiB * 1.25) + 20;
}

/** /dev/shm for data-loader workers and NCCL: a quarter of the trainer's memory (it counts against it). */
export function shmGiB(ft: EffectiveFineTune): number {
  return Math.max(1, Math.floor(ft.resources.memoryGiB / 4));
}

/**
 * Kubernetes names of a run's objects. The ConfigMap is per run (and immutable) like the Job:
 * a shared, updated ConfigMap would hand a still-running or retried pod of the previous run the
 * next run's config, and it would publish that under the previous run id.
 */
export function trainNames(ft: EffectiveFineTune, runId: string) {
  return { config: `${ft.name}-train-${runId}`, job: `${ft.name}-train-${runId}` };
}

export function adapterUri(ft: EffectiveFineTune, runId: string, contract: PlatformContract): string {
  return s3Uri(contract.store.bucket, adapterPrefix(ft.name, runId));
}

export function labels(ft: EffectiveFineTune, runId: string) {
  return {
    ...recommendedLabels({ name: ft.engine, instance: ft.name, component: "training", version: engineImage(ft).version }),
    [RUN_ID_LABEL]: runId,
  };
}

/**
 * One training process per GPU (data parallel), so the manifest's global batch (manifest.ts) is
 * what the engines run. `swift sft` starts torchrun only when NPROC_PER_NODE (or NNODES) is set
 * and otherwise runs one process over every GPU, splitting the model across them
 * (modelscope/ms-swift@v4.5.2 swift/cli/main.py:30-35 use_torchrun, :74-83). llamafactory-cli
 * starts torchrun by itself with one process per visible GPU (hiyouga/LLaMA-Factory@v0.9.5
 * src/llamafactory/launcher.py:60-66), so it needs nothing.
 */
export function dataParallelEnv(ft: EffectiveFineTune): EnvVar[] {
  return ft.engine === "ms-swift" && ft.gpus > 1 ? [{ name: "NPROC_PER_NODE", value: String(ft.gpus) }] : [];
}

/** The training config and, with smoke prompts, the engine's predict/infer config next to it (./smoke.ts). */
function engineConfig(ft: EffectiveFineTune, model: ModelConfig): Record<string, string> {
  const smoke = ft.smokePrompts !== undefined;
  if (ft.engine === "llamafactory") {
    return {
      "train.yaml": llamaFactoryYaml(ft),
      "dataset_info.json": `${JSON.stringify(renderDatasetInfo(ft), null, 2)}\n`,
      ...(smoke ? { "smoke-predict.yaml": llamaFactoryPredictYaml(ft) } : {}),
    };
  }
  const modelType = requireSwiftModelType(model);
  const dpo = ft.stage === "dpo";
  return {
    [dpo ? SWIFT_RLHF_ARGS_FILE : SWIFT_SFT_ARGS_FILE]: `${renderSwiftArgs(ft, modelType).join("\n")}\n`,
    ...(dpo ? { [SWIFT_PREFERENCE_LIST]: swiftPreferenceList(ft), ...SWIFT_PREFERENCE_SCRIPTS } : {}),
    ...(smoke ? { "smoke-infer-args.txt": `${renderSwiftInferArgs(ft, modelType).join("\n")}\n` } : {}),
  };
}

/**
 * Stage dpo with `from`: restore.sh copies the published adapter adapters/<name>/<runId>/ to FROM_DIR,
 * waiting for its `_SUCCESS` (the SFT run may train in the same `pulumi up`) as long as this Job may
 * run; a run never published is a configuration error (exit 3).
 */
function fromAdapterEnv(ft: EffectiveFineTune): EnvVar[] {
  if (ft.from === undefined) return [];
  return [
    { name: "FROM_PREFIX", value: adapterPrefix(ft.from.name, ft.from.runId) },
    { name: "FROM_DIR", value: FROM_DIR },
    { name: "FROM_WAIT_SECONDS", value: String(Math.round(ft.maxRuntimeHours * 3600)) },
  ];
}

/**
 * The LoRA shape a DPO run with `from` keeps (the adapter's own, ./llamafactory.ts, ./ms-swift.ts):
 * train.sh compares it with the adapter's adapter_config.json, so a pinned run trained with another
 * rank or alpha than the spec says stops (exit 3) instead of publishing a manifest that misstates it.
 */
function fromLoraEnv(ft: EffectiveFineTune): EnvVar[] {
  return ft.from === undefined ? [] : [{ name: "FROM_DIR", value: FROM_DIR }, { name: "FROM_LORA", value: `${ft.lora.rank} ${ft.lora.alpha}` }];
}

export function renderTrainConfig(ft: EffectiveFineTune, model: ModelConfig, contract: PlatformContract, runId: string) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: trainNames(ft, runId).config, namespace: contract.namespace, labels: labels(ft, runId) },
    immutable: true,
    data: {
      ...engineConfig(ft, model),
      "datasets.txt": ft.datasets.map((d, i) => `${d.path} ${localDatasetFile(i, d.path)}\n`).join("") + identityDownloadLine(ft) + suiteDownloadLines(ft),
      "manifest.json": `${JSON.stringify(renderManifest(ft, model, runId, engineImage(ft), contract.store.bucket), null, 2)}\n`,
      ...TRAINING_SCRIPTS,
      ...identityConfigData(ft),
      ...smokePromptsData(ft),
      ...evaluationData(ft, model),
      ...datasetWaitConfigData(ft),
      ...uploadConfigData(ft),
    },
  };
}

export function renderTrainJob(ft: EffectiveFineTune, model: ModelConfig, contract: PlatformContract, runId: string) {
  const pool = contract.pools.find((p) => p.name === ft.pool);
  if (pool === undefined) throw new Error(`fine-tune "${ft.name}": pool "${ft.pool}" is not in the platform contract`);
  const place = placement(pool, ft.gpus);
  const names = trainNames(ft, runId);
  const image = engineImage(ft).ref;
  const awsImage = imageRef(images.awsCli);
  const work = { name: "work", mountPath: WORK_DIR };
  const store: EnvVar[] = [...storeEnv(contract.store), { name: "STORE_BUCKET", value: contract.store.bucket }];
  const paths: EnvVar[] = [
    { name: "CONFIG_DIR", value: CONFIG_DIR },
    { name: "WORK_DIR", value: WORK_DIR },
    { name: "DONE_MARKER", value: DONE_MARKER },
    { name: "LINEAGE_DIR", value: LINEAGE_DIR },
  ];
  const trainerResources = { cpu: String(ft.resources.cpu), memory: gi(ft.resources.memoryGiB), ...place.gpuLimits };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: names.job,
      namespace: contract.namespace,
      labels: { ...labels(ft, runId), ...kueueLabels(ft) },
      annotations: { "pulumi.com/skipAwait": "true" },
    },
    spec: {
      backoffLimit: TRAIN_BACKOFF_LIMIT,
      activeDeadlineSeconds: Math.round(ft.maxRuntimeHours * 3600),
      ttlSecondsAfterFinished: TTL_AFTER_FINISHED_SECONDS,
      podFailurePolicy: podFailurePolicy(),
      template: {
        metadata: {
          labels: labels(ft, runId),
          // Karpenter must not consolidate a node away under a running training pod (docs/architecture.md §8)
          annotations: { "karpenter.sh/do-not-disrupt": "true" },
        },
        spec: {
          serviceAccountName: contract.serviceAccounts.trainer,
          restartPolicy: "Never",
          terminationGracePeriodSeconds: TRAIN_TERMINATION_GRACE_SECONDS,
          // The engine images have no non-root user and torch needs a passwd entry for its uid
          // (getpass), so this pod runs as root: no privilege escalation, every capability dropped.
          securityContext: podSecurityContext({}),
          nodeSelector: { ...place.nodeSelector, ...capacitySelector(ft) },
          tolerations: place.tolerations,
          initContainers: [
            ...uploadContainers(ft, runId, awsImage, store, [CONFIG_MOUNT]),
            ...datasetWaitContainers(ft, runId, awsImage, store, [CONFIG_MOUNT]),
            awsCliContainer({
              name: "restore",
              image: awsImage,
              script: "restore.sh",
              env: [
                ...store,
                ...paths,
                { name: "MODEL_PREFIX", value: modelPrefix(model.repo, model.revision) },
                { name: "ADAPTER_PREFIX", value: adapterPrefix(ft.name, runId) },
                { name: "CHECKPOINT_PREFIX", value: checkpointPrefix(ft.name, runId) },
                { name: "MODEL_DIR", value: MODEL_DIR },
                { name: "DATA_DIR", value: DATA_DIR },
                { name: "OUTPUT_DIR", value: OUTPUT_DIR },
                // the mirror Job of the same `pulumi up` may still be copying the base model
                { name: "MODEL_WAIT_SECONDS", value: String(MIRROR_DEADLINE_SECONDS) },
                // names this attempt's counter object (scripts/restore.sh)
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                ...fromAdapterEnv(ft),
              ],
              volumeMounts: [work, CONFIG_MOUNT],
            }),
            {
              // Native sidecar (Kubernetes ≥ 1.29): an init container with restartPolicy Always runs
              // next to the later init containers (train) and stops after the main container exits.
              // https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
              ...awsCliContainer({
                name: "checkpoint-sync",
                image: awsImage,
                script: "checkpoint-sync.sh",
                env: [
                  ...store,
                  ...paths,
                  { name: "CHECKPOINT_PREFIX", value: checkpointPrefix(ft.name, runId) },
                  { name: "OUTPUT_DIR", value: OUTPUT_DIR },
                  { name: "SYNC_INTERVAL_SECONDS", value: String(CHECKPOINT_SYNC_INTERVAL_SECONDS) },
                  // the store keeps as many checkpoints as the engine does (save_total_limit)
                  { name: "KEEP_CHECKPOINTS", value: String(ft.training.keepCheckpoints) },
                ],
                volumeMounts: [work, CONFIG_MOUNT],
              }),
              restartPolicy: "Always",
            },
            ...identityInitContainers(ft, image, [work, CONFIG_MOUNT]),
            {
              name: "train",
              image,
              command: scriptCommand("train.sh"),
              env: [
                ...paths,
                { name: "ENGINE", value: ft.engine },
                { name: "DATA_DIR", value: DATA_DIR },
                { name: "OUTPUT_DIR", value: OUTPUT_DIR },
                { name: "ADAPTER_DIR", value: ADAPTER_DIR },
                { name: "SMOKE_DIR", value: SMOKE_DIR },
                { name: "EVAL_DIR", value: EVAL_DIR },
                // caches on the sized scratch volume; nothing is fetched from a hub at run time
                { name: "HF_HOME", value: `${WORK_DIR}/cache/huggingface` },
                { name: "MODELSCOPE_CACHE", value: `${WORK_DIR}/cache/modelscope` },
                { name: "HF_HUB_OFFLINE", value: "1" },
                ...dataParallelEnv(ft),
                ...fromLoraEnv(ft),
              ],
              resources: { requests: trainerResources, limits: trainerResources },
              securityContext: containerSecurityContext(),
              volumeMounts: [work, CONFIG_MOUNT, { name: "dshm", mountPath: "/dev/shm" }],
            },
          ],
          containers: [
            awsCliContainer({
              name: "publish",
              image: awsImage,
              script: "publish.sh",
              env: [...store, ...paths, { name: "ADAPTER_PREFIX", value: adapterPrefix(ft.name, runId) }, { name: "ADAPTER_DIR", value: ADAPTER_DIR }],
              volumeMounts: [work, CONFIG_MOUNT],
            }),
          ],
          volumes: [
            { name: "work", emptyDir: { sizeLimit: gi(trainScratchGiB(model)) } },
            { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: gi(shmGiB(ft)) } },
            configVolume(names.config),
            ...uploadVolumes(ft, runId),
          ],
        },
      },
    },
  };
}
