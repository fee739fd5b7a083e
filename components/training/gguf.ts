/**
 * GGUF export of a merged run (`export.gguf`): a Job `<name>-gguf-<runId>` that waits for
 * merged/<name>/<runId>/_SUCCESS, converts the merged weights with llama.cpp's
 * convert_hf_to_gguf.py and publishes gguf/<name>/<runId>/<name>-<quantization>.gguf, then
 * `_SUCCESS`. One script, three steps:
 *   init `restore` (aws-cli): that file and `_SUCCESS` already there? then every step skips; else
 *     wait for the merged `_SUCCESS` and fetch the merged weights;
 *   init `convert` (llama.cpp `full` image): `python3 convert_hf_to_gguf.py … --outtype <q>`;
 *   main `upload` (aws-cli): the file, then `_SUCCESS`.
 * Conversion runs on CPU (lazy, tensor by tensor).
 */
import { recommendedLabels } from "../lib/labels.ts";
import { containerSecurityContext, podSecurityContext } from "../lib/pod-security.ts";
import { placement } from "../lib/scheduling.ts";
import { storeEnv } from "../lib/store-env.ts";
import { ggufPrefix, mergedPrefix, s3Uri } from "../lib/store.ts";
import { GGUF_OUTTYPES, imageRef, images } from "../lib/versions.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { FineTuneConfig } from "./inputs.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import type { EffectiveFineTune } from "./defaults.ts";
import { CONFIG_MOUNT, awsCliContainer, configVolume, scriptCommand, type EnvVar } from "./job.ts";
import { WORK_DIR, gi } from "./layout.ts";
import { MERGE_WORK_SECONDS, dtypeFactor, followUpGpus, followUpJob, planMerge, resolveMerge, type EffectiveMerge } from "./merge.ts";
import { GGUF_SCRIPTS } from "./scripts.ts";
import { RUN_ID_LABEL } from "./train-job.ts";

export type GgufOuttype = (typeof GGUF_OUTTYPES)[number];

export interface EffectiveGguf {
  readonly quantization: GgufOuttype;
}

/** The image has a `ubuntu` user (uid 1000, ubuntu:24.04 base); nothing in the pod needs root. */
export const GGUF_UID = 1000;
/** @default 2 — like training: a crash is retried twice; preemptions do not count. */
export const GGUF_BACKOFF_LIMIT = 2;
/** @default 2 h after the merged model exists — fetch, convert and upload of a 70B-class model. */
export const GGUF_WORK_SECONDS = 2 * 3600;
/**
 * Converter resources: lazy conversion holds a few tensors at a time; 16 GiB covers the largest
 * (an f32 copy of a 150k-token embedding matrix of a 70B-class model is ~5 GiB) with room for
 * q8_0 quantisation, which is single-threaded numpy per tensor, so 2 CPUs suffice.
 */
export const GGUF_RESOURCES = { cpu: "2", memory: "16Gi" } as const;
/** Where convert_hf_to_gguf.py lives in the `full` image (.devops/cpu.Dockerfile: /app). */
export const CONVERT_SCRIPT = "/app/convert_hf_to_gguf.py";

export const GGUF_DIRS = {
  merged: `${WORK_DIR}/merged`,
  out: `${WORK_DIR}/gguf`,
  done: `${WORK_DIR}/.exported`,
} as const;

/** GGUF size relative to the 16-bit checkpoint: q8_0 stores 34 bytes per 32 weights. */
const OUT_FACTOR: Record<GgufOuttype, number> = { f32: 2, f16: 1, bf16: 1, q8_0: 34 / 64 };

export function ggufFile(ft: EffectiveFineTune, gguf: EffectiveGguf): string {
  return `${ft.name}-${gguf.quantization}.gguf`;
}

/** `null` when the fine-tune exports no GGUF. */
export function resolveGguf(spec: FineTuneConfig): EffectiveGguf | null {
  const g = spec.export?.gguf;
  return g === undefined ? null : { quantization: g.quantization };
}

/** Merged weights + the GGUF file, +10%, + 2 GiB for temp files. */
export function ggufScratchGiB(model: ModelConfig, merge: EffectiveMerge, gguf: EffectiveGguf): number {
  return Math.ceil(model.sizeGiB * (dtypeFactor(merge.dtype) + OUT_FACTOR[gguf.quantization]) * 1.1) + 2;
}

export function ggufNames(ft: EffectiveFineTune, runId: string) {
  return { config: `${ft.name}-gguf-${runId}`, job: `${ft.name}-gguf-${runId}` };
}

function labels(ft: EffectiveFineTune, runId: string) {
  return {
    ...recommendedLabels({ name: "llama-cpp", instance: ft.name, component: "gguf-export", version: images.llamaCpp.version }),
    [RUN_ID_LABEL]: runId,
  };
}

export function renderGgufConfig(ft: EffectiveFineTune, contract: PlatformContract, runId: string) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: ggufNames(ft, runId).config, namespace: contract.namespace, labels: labels(ft, runId) },
    immutable: true,
    data: { ...GGUF_SCRIPTS },
  };
}

export function renderGgufJob(ft: EffectiveFineTune, merge: EffectiveMerge, gguf: EffectiveGguf, model: ModelConfig, contract: PlatformContract, runId: string) {
  const pool = contract.pools.find((p) => p.name === ft.pool);
  if (pool === undefined) throw new Error(`fine-tune "${ft.name}": pool "${ft.pool}" is not in the platform contract`);
  const place = placement(pool, followUpGpus(pool));
  const names = ggufNames(ft, runId);
  const awsImage = imageRef(images.awsCli);
  const mounts = [{ name: "work", mountPath: WORK_DIR }, CONFIG_MOUNT];
  // HOME: both images run as uid 1000 here; USER: Python's getpass reads it first
  const home: EnvVar[] = [{ name: "HOME", value: "/tmp" }];
  const common: EnvVar[] = [
    { name: "GGUF_PREFIX", value: ggufPrefix(ft.name, runId) },
    { name: "GGUF_FILE", value: ggufFile(ft, gguf) },
    { name: "DONE_MARKER", value: GGUF_DIRS.done },
  ];
  const store: EnvVar[] = [...storeEnv(contract.store), { name: "STORE_BUCKET", value: contract.store.bucket }, ...common, ...home];
  const mergeDeadline = Math.round(ft.maxRuntimeHours * 3600) + MERGE_WORK_SECONDS;
  const resources = { ...GGUF_RESOURCES, ...place.gpuLimits };
  return followUpJob(ft, contract, {
    name: names.job,
    labels: labels(ft, runId),
    backoffLimit: GGUF_BACKOFF_LIMIT,
    // training and merging of the same `pulumi up` may run up to their deadlines first
    activeDeadlineSeconds: mergeDeadline + GGUF_WORK_SECONDS,
    securityContext: podSecurityContext({ uid: GGUF_UID }),
    place,
    pod: {
      initContainers: [
        {
          ...awsCliContainer({
            name: "restore",
            image: awsImage,
            script: "gguf.sh",
            env: [
              ...store,
              { name: "MERGED_PREFIX", value: mergedPrefix(ft.name, runId) },
              { name: "MERGED_DIR", value: GGUF_DIRS.merged },
              { name: "MERGED_WAIT_SECONDS", value: String(mergeDeadline) },
            ],
            volumeMounts: mounts,
          }),
          args: ["restore"],
        },
        {
          name: "convert",
          image: imageRef(images.llamaCpp),
          command: scriptCommand("gguf.sh"),
          args: ["convert"],
          env: [
            ...common,
            ...home,
            { name: "USER", value: "ubuntu" },
            { name: "MERGED_DIR", value: GGUF_DIRS.merged },
            { name: "OUT_DIR", value: GGUF_DIRS.out },
            { name: "OUTTYPE", value: gguf.quantization },
            { name: "CONVERT_SCRIPT", value: CONVERT_SCRIPT },
          ],
          resources: { requests: resources, limits: resources },
          securityContext: containerSecurityContext(),
          volumeMounts: mounts,
        },
      ],
      containers: [
        {
          ...awsCliContainer({ name: "upload", image: awsImage, script: "gguf.sh", env: [...store, { name: "OUT_DIR", value: GGUF_DIRS.out }], volumeMounts: mounts }),
          args: ["upload"],
        },
      ],
      volumes: [{ name: "work", emptyDir: { sizeLimit: gi(ggufScratchGiB(model, merge, gguf)) } }, configVolume(names.config)],
    },
  });
}

export function planGguf(ft: EffectiveFineTune, merge: EffectiveMerge | null, gguf: EffectiveGguf, model: ModelConfig, contract: PlatformContract, runId: string) {
  const problems: string[] = [];
  if (merge === null) problems.push("export.gguf: is converted from the merged model: set merge: true, or remove export.gguf");
  if (!(GGUF_OUTTYPES as readonly string[]).includes(gguf.quantization)) {
    problems.push(`export.gguf.quantization: "${gguf.quantization}" is not one of ${GGUF_OUTTYPES.join(", ")} (convert_hf_to_gguf.py --outtype)`);
  }
  if (merge === null || problems.length > 0) throw new Error(`fine-tune "${ft.name}" is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return {
    effective: gguf,
    uri: s3Uri(contract.store.bucket, `${ggufPrefix(ft.name, runId)}${ggufFile(ft, gguf)}`),
    config: renderGgufConfig(ft, contract, runId),
    job: renderGgufJob(ft, merge, gguf, model, contract, runId),
  };
}

/** The follow-up Jobs a fine-tune asks for (`merge`, `export.gguf`); `null` for each it does not. */
export function planFollowUps(spec: FineTuneConfig, ft: EffectiveFineTune, model: ModelConfig, contract: PlatformContract, runId: string) {
  const merge = resolveMerge(spec, ft);
  const gguf = resolveGguf(spec);
  return {
    merge: merge === null ? null : planMerge(ft, merge, model, contract, runId),
    gguf: gguf === null ? null : planGguf(ft, merge, gguf, model, contract, runId),
  };
}
