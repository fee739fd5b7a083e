/**
 * Merge follow-up of a fine-tune run (`merge: true`): a Job `<name>-merge-<runId>` that waits for
 * the run's adapter, merges it into the base model with the engine's own exporter and publishes
 * full weights at merged/<name>/<runId>/ (`_SUCCESS` last). One script, three steps:
 *   init `restore` (aws-cli): merged `_SUCCESS` already there? then every step skips; else wait
 *     for the adapter's `_SUCCESS`, fetch the base model and the adapter;
 *   init `merge` (engine image): `llamafactory-cli export` or `swift export --merge_lora true`;
 *   main `upload` (aws-cli): merged weights, `_SUCCESS` last.
 * Merge options are not part of the run id: a run is merged once (delete the prefix to redo it).
 */
import { llamaFactoryYamlText } from "./llamafactory.ts";
import { recommendedLabels } from "../lib/labels.ts";
import { containerSecurityContext, podSecurityContext } from "../lib/pod-security.ts";
import { placement, type PoolContract } from "../lib/scheduling.ts";
import { storeEnv } from "../lib/store-env.ts";
import { adapterPrefix, mergedPrefix, modelPrefix, s3Uri } from "../lib/store.ts";
import { imageRef, images } from "../lib/versions.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { FineTuneConfig } from "./inputs.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import type { EffectiveFineTune, Precision } from "./defaults.ts";
import { CONFIG_MOUNT, TTL_AFTER_FINISHED_SECONDS, awsCliContainer, configVolume, podFailurePolicy, scriptCommand, type EnvVar } from "./job.ts";
import { CONFIG_DIR, WORK_DIR, gi } from "./layout.ts";
import { requireSwiftModelType } from "./ms-swift.ts";
import { MERGE_SCRIPTS } from "./scripts.ts";
import { engineImage, RUN_ID_LABEL } from "./train-job.ts";
import { capacitySelector, kueueLabels } from "./queueing.ts";

export type MergeDtype = "bfloat16" | "float16" | "float32";

export interface EffectiveMerge {
  /** dtype of the merged weights (LLaMA-Factory `infer_dtype`, ms-swift `--torch_dtype`). */
  readonly dtype: MergeDtype;
}

/** @default the training precision — the adapter was trained against the base at that precision. */
const DTYPE_OF: Record<Precision, MergeDtype> = { bf16: "bfloat16", fp16: "float16", fp32: "float32" };

/** @default 2 — like training: a crash is retried twice; preemptions do not count. */
export const MERGE_BACKOFF_LIMIT = 2;
/** @default 3 h after the adapter exists — fetch, merge and upload of a 70B-class model on one node. */
export const MERGE_WORK_SECONDS = 3 * 3600;
/** @default 4 CPUs — merging adds low-rank products layer by layer; saving is serialisation-bound. */
export const MERGE_CPU = 4;
/** Shard size of the merged safetensors in GB (both exporters default to 5). */
export const MERGE_SHARD_GB = 5;

export const MERGE_DIRS = {
  model: `${WORK_DIR}/model`,
  adapter: `${WORK_DIR}/adapter`,
  merged: `${WORK_DIR}/merged`,
  done: `${WORK_DIR}/.merged`,
} as const;

/** `null` when the fine-tune does not merge. */
export function resolveMerge(spec: FineTuneConfig, ft: EffectiveFineTune): EffectiveMerge | null {
  const m = spec.merge;
  if (m === undefined || m === false || (typeof m === "object" && !m.enabled)) return null;
  return { dtype: (typeof m === "object" ? m.dtype : undefined) ?? DTYPE_OF[ft.training.precision] };
}

/** Problems only the training area sees; config/schema.ts reports the same ones with their config path. */
export function mergeProblems(ft: EffectiveFineTune): string[] {
  return ft.method === "qlora"
    ? ["merge: cannot merge a QLoRA adapter (trained against the quantised base; LLaMA-Factory tuner.py export_model refuses merging into a quantised model): serve the adapter, or train with method: lora"]
    : [];
}

/** Bytes per parameter relative to the 16-bit checkpoints `model.sizeGiB` describes. */
export function dtypeFactor(dtype: MergeDtype): number {
  return dtype === "float32" ? 2 : 1;
}

/** Base model + merged weights, +10%, + 5 GiB for the adapter and exporter temp files. */
export function mergeScratchGiB(model: ModelConfig, merge: EffectiveMerge): number {
  return Math.ceil(model.sizeGiB * (1 + dtypeFactor(merge.dtype)) * 1.1) + 5;
}

/** The exporter holds the whole model in host memory at the merge dtype (+25%), plus 8 GiB for Python and torch. */
export function mergeMemoryGiB(model: ModelConfig, merge: EffectiveMerge): number {
  return Math.ceil(model.sizeGiB * dtypeFactor(merge.dtype) * 1.25) + 8;
}

/**
 * One accelerator on a GPU pool (pods there must request one: policies/gpu-pod-scheduling.ts),
 * none on a CPU pool. The same count the training run used holds the 16-bit base, so one does for
 * models that fit one GPU; larger ones spill to host memory (device_map auto).
 */
export function followUpGpus(pool: PoolContract): number {
  return pool.gpuResource === undefined ? 0 : 1;
}

export function mergeNames(ft: EffectiveFineTune, runId: string) {
  return { config: `${ft.name}-merge-${runId}`, job: `${ft.name}-merge-${runId}` };
}

export function mergedUri(ft: EffectiveFineTune, runId: string, contract: PlatformContract): string {
  return s3Uri(contract.store.bucket, mergedPrefix(ft.name, runId));
}

/**
 * LLaMA-Factory `llamafactory-cli export` config, keys as in examples/merge_lora/qwen3_lora_sft.yaml
 * and hparams/model_args.py ExportArguments (hiyouga/LLaMA-Factory@v0.9.5); parsed by get_infer_args.
 */
export function renderLlamaFactoryExport(ft: EffectiveFineTune, merge: EffectiveMerge, device: "cpu" | "auto"): Record<string, unknown> {
  return {
    model_name_or_path: MERGE_DIRS.model,
    adapter_name_or_path: MERGE_DIRS.adapter,
    template: ft.template,
    trust_remote_code: false,
    finetuning_type: "lora",
    infer_dtype: merge.dtype,
    export_dir: MERGE_DIRS.merged,
    export_size: MERGE_SHARD_GB,
    export_device: device,
    // safetensors, not pickled .bin
    export_legacy_format: false,
  };
}

/**
 * `swift export` arguments (modelscope/ms-swift@v4.5.2 swift/arguments/{export_args,merge_args}.py,
 * base_args/model_args.py). The published adapter has no args.json, so the base, its model type
 * (./ms-swift.ts swiftModelType) and the template are given explicitly (base_args.py _init_ckpt_dir
 * loads args.json only when present).
 */
export function renderSwiftExportArgs(ft: EffectiveFineTune, merge: EffectiveMerge, device: "cpu" | "auto", modelType: string): string[] {
  return [
    "--model", MERGE_DIRS.model,
    "--model_type", modelType,
    "--adapters", MERGE_DIRS.adapter,
    "--template", ft.template,
    "--merge_lora", "true",
    "--torch_dtype", merge.dtype,
    "--device_map", device,
    "--safe_serialization", "true",
    "--max_shard_size", `${MERGE_SHARD_GB}GB`,
    "--output_dir", MERGE_DIRS.merged,
  ];
}

function labels(ft: EffectiveFineTune, runId: string) {
  return {
    ...recommendedLabels({ name: ft.engine, instance: ft.name, component: "merge", version: engineImage(ft).version }),
    [RUN_ID_LABEL]: runId,
  };
}

function poolOf(ft: EffectiveFineTune, contract: PlatformContract): PoolContract {
  const pool = contract.pools.find((p) => p.name === ft.pool);
  if (pool === undefined) throw new Error(`fine-tune "${ft.name}": pool "${ft.pool}" is not in the platform contract`);
  return pool;
}

export function renderMergeConfig(ft: EffectiveFineTune, merge: EffectiveMerge, model: ModelConfig, contract: PlatformContract, runId: string) {
  const device = followUpGpus(poolOf(ft, contract)) > 0 ? "auto" : "cpu";
  const engine: Record<string, string> =
    ft.engine === "llamafactory"
      ? { "export.yaml": llamaFactoryYamlText(renderLlamaFactoryExport(ft, merge, device)) }
      : { "swift-export-args.txt": `${renderSwiftExportArgs(ft, merge, device, requireSwiftModelType(model)).join("\n")}\n` };
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: mergeNames(ft, runId).config, namespace: contract.namespace, labels: labels(ft, runId) },
    immutable: true,
    data: { ...engine, ...MERGE_SCRIPTS } as Record<string, string>,
  };
}

/**
 * The Job around a follow-up pod (merge, GGUF): the fine-tune's Kueue labels and capacity type (the
 * same GPU quota as training), the trainer role (it writes merged/ and gguf/,
 * components/platform/aws/store-policies.ts), training's failure policy and TTL.
 */
export function followUpJob<Pod extends object>(
  ft: EffectiveFineTune,
  contract: PlatformContract,
  j: {
    name: string;
    labels: Record<string, string>;
    backoffLimit: number;
    activeDeadlineSeconds: number;
    podAnnotations?: Record<string, string>;
    securityContext: ReturnType<typeof podSecurityContext>;
    place: ReturnType<typeof placement>;
    /** initContainers, containers and volumes */
    pod: Pod;
  },
) {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: j.name, namespace: contract.namespace, labels: { ...j.labels, ...kueueLabels(ft) }, annotations: { "pulumi.com/skipAwait": "true" } },
    spec: {
      backoffLimit: j.backoffLimit,
      activeDeadlineSeconds: j.activeDeadlineSeconds,
      ttlSecondsAfterFinished: TTL_AFTER_FINISHED_SECONDS,
      podFailurePolicy: podFailurePolicy(),
      template: {
        metadata: { labels: j.labels, ...(j.podAnnotations === undefined ? {} : { annotations: j.podAnnotations }) },
        spec: {
          serviceAccountName: contract.serviceAccounts.trainer,
          restartPolicy: "Never",
          securityContext: j.securityContext,
          nodeSelector: { ...j.place.nodeSelector, ...capacitySelector(ft) },
          tolerations: j.place.tolerations,
          ...j.pod,
        },
      },
    },
  };
}

export function renderMergeJob(ft: EffectiveFineTune, merge: EffectiveMerge, model: ModelConfig, contract: PlatformContract, runId: string) {
  const pool = poolOf(ft, contract);
  const place = placement(pool, followUpGpus(pool));
  const names = mergeNames(ft, runId);
  const awsImage = imageRef(images.awsCli);
  const work = { name: "work", mountPath: WORK_DIR };
  const store: EnvVar[] = [...storeEnv(contract.store), { name: "STORE_BUCKET", value: contract.store.bucket }];
  const prefix = { name: "MERGED_PREFIX", value: mergedPrefix(ft.name, runId) };
  const done = { name: "DONE_MARKER", value: MERGE_DIRS.done };
  const resources = { cpu: String(MERGE_CPU), memory: gi(mergeMemoryGiB(model, merge)), ...place.gpuLimits };
  const step = (name: string) => ({ args: [name] });
  return followUpJob(ft, contract, {
    name: names.job,
    labels: labels(ft, runId),
    backoffLimit: MERGE_BACKOFF_LIMIT,
    // the training Job of the same `pulumi up` may run up to its own deadline first
    activeDeadlineSeconds: Math.round(ft.maxRuntimeHours * 3600) + MERGE_WORK_SECONDS,
    podAnnotations: { "karpenter.sh/do-not-disrupt": "true" },
    // engine images: root, as for training (torch's getpass needs a passwd entry)
    securityContext: podSecurityContext({}),
    place,
    pod: {
      initContainers: [
        {
          ...awsCliContainer({
            name: "restore",
            image: awsImage,
            script: "merge.sh",
            env: [
              ...store,
              prefix,
              done,
              { name: "ADAPTER_PREFIX", value: adapterPrefix(ft.name, runId) },
              { name: "MODEL_PREFIX", value: modelPrefix(model.repo, model.revision) },
              { name: "MODEL_DIR", value: MERGE_DIRS.model },
              { name: "ADAPTER_DIR", value: MERGE_DIRS.adapter },
              { name: "ADAPTER_WAIT_SECONDS", value: String(Math.round(ft.maxRuntimeHours * 3600)) },
            ],
            volumeMounts: [work, CONFIG_MOUNT],
          }),
          ...step("restore"),
        },
        {
          name: "merge",
          image: engineImage(ft).ref,
          command: scriptCommand("merge.sh"),
          ...step("merge"),
          env: [
            done,
            { name: "ENGINE", value: ft.engine },
            { name: "CONFIG_DIR", value: CONFIG_DIR },
            { name: "MERGED_DIR", value: MERGE_DIRS.merged },
            { name: "HF_HOME", value: `${WORK_DIR}/cache/huggingface` },
            { name: "MODELSCOPE_CACHE", value: `${WORK_DIR}/cache/modelscope` },
            { name: "HF_HUB_OFFLINE", value: "1" },
          ],
          resources: { requests: resources, limits: resources },
          securityContext: containerSecurityContext(),
          volumeMounts: [work, CONFIG_MOUNT],
        },
      ],
      containers: [
        {
          ...awsCliContainer({ name: "upload", image: awsImage, script: "merge.sh", env: [...store, prefix, done, { name: "MERGED_DIR", value: MERGE_DIRS.merged }], volumeMounts: [work, CONFIG_MOUNT] }),
          ...step("upload"),
        },
      ],
      volumes: [{ name: "work", emptyDir: { sizeLimit: gi(mergeScratchGiB(model, merge)) } }, configVolume(names.config)],
    },
  });
}

export function planMerge(ft: EffectiveFineTune, merge: EffectiveMerge, model: ModelConfig, contract: PlatformContract, runId: string) {
  const problems = mergeProblems(ft);
  if (problems.length > 0) throw new Error(`fine-tune "${ft.name}" is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return {
    effective: merge,
    uri: mergedUri(ft, runId, contract),
    config: renderMergeConfig(ft, merge, model, contract, runId),
    job: renderMergeJob(ft, merge, model, contract, runId),
  };
}
