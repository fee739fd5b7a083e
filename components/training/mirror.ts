/**
 * ModelMirror: copies one pinned revision of a base model (or, with `kind: "dataset"`, of a hub
 * dataset) from its hub into the store at models/<repo>/<revision>/ (datasets/<repo>/<revision>/)
 * (docs/architecture.md §1: nothing pulls a hub at run time). The Job is idempotent: a complete copy
 * (`_SUCCESS` present) is detected first and nothing is downloaded.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { recommendedLabels } from "../lib/labels.ts";
import { DNS_LABEL_MAX, childName } from "../lib/naming.ts";
import { podSecurityContext, containerSecurityContext } from "../lib/pod-security.ts";
import { storeEnv } from "../lib/store-env.ts";
import { hubDatasetPrefix, modelPrefix } from "../lib/store.ts";
import { hubMirrorPackages, imageRef, images } from "../lib/versions.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { HubDatasetConfig } from "./inputs.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import { CONFIG_MOUNT, TTL_AFTER_FINISHED_SECONDS, awsCliContainer, configVolume, podFailurePolicy, scriptCommand } from "./job.ts";
import { gi } from "./layout.ts";
import { MIRROR_SCRIPTS } from "./scripts.ts";

/** Both images run as this uid (neither needs root); HOME points at writable scratch. */
export const MIRROR_UID = 1000;
/** @default 3 retries — hub downloads fail transiently (rate limits, resets); each retry resumes nothing but costs little. */
export const MIRROR_BACKOFF_LIMIT = 3;
/** @default 6 h — a 150 GiB model at ~10 MiB/s takes about 4 h; past that something is stuck. */
export const MIRROR_DEADLINE_SECONDS = 6 * 3600;

const WORK = "/work";
const ENV = {
  MODEL_DIR: `${WORK}/model`,
  TOOLS_DIR: `${WORK}/tools`,
  PRESENT_MARKER: `${WORK}/.present`,
};

/** What a mirror copies: a base model, or a hub dataset (which may name glob patterns to include). */
export type MirrorKind = "model" | "dataset";
export type MirrorSource = ModelConfig | HubDatasetConfig;

/** Scratch for the files (+25% for download temp files) plus 5 GiB for the hub tools and their cache. */
export function mirrorScratchGiB(model: MirrorSource): number {
  return Math.ceil(model.sizeGiB * 1.25) + 5;
}

/** A dataset and a model may share a name: dataset mirrors carry a `-dataset` infix. */
export function mirrorNames(model: MirrorSource, kind: MirrorKind = "model") {
  const role = kind === "model" ? "mirror" : "dataset-mirror";
  return { job: childName(model.name, role), scripts: childName(model.name, `${role}-scripts`) };
}

export function mirrorPrefix(model: MirrorSource, kind: MirrorKind = "model"): string {
  return kind === "model" ? modelPrefix(model.repo, model.revision) : hubDatasetPrefix(model.repo, model.revision);
}

function labels(model: MirrorSource, kind: MirrorKind) {
  const role = `${kind}-mirror`;
  return recommendedLabels({ name: role, instance: model.name, component: role });
}

/** Glob patterns for the download step (hf --include, modelscope --include); absent = every file. */
function includeEnv(model: MirrorSource) {
  const include = "include" in model ? model.include : undefined;
  return include === undefined ? [] : [{ name: "INCLUDE", value: include.join(" ") }];
}

/** Hub token from the model's Secret, under the variable each hub client reads. */
function tokenEnv(model: MirrorSource) {
  if (model.tokenSecret === undefined) return [];
  const name = model.hub === "huggingface" ? "HF_TOKEN" : "MODELSCOPE_API_TOKEN";
  return [{ name, valueFrom: { secretKeyRef: { name: model.tokenSecret.name, key: model.tokenSecret.key } } }];
}

export function renderMirrorScripts(model: MirrorSource, contract: PlatformContract, kind: MirrorKind = "model") {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: mirrorNames(model, kind).scripts, namespace: contract.namespace, labels: labels(model, kind) },
    data: { ...MIRROR_SCRIPTS },
  };
}

export function renderMirrorJob(model: MirrorSource, contract: PlatformContract, kind: MirrorKind = "model") {
  const names = mirrorNames(model, kind);
  if (names.job.length > DNS_LABEL_MAX) throw new Error(`${kind} "${model.name}": Job name "${names.job}" exceeds ${DNS_LABEL_MAX} characters`);
  // the scripts call the mirrored files "model" whatever they are: one set of scripts for both kinds
  const common = [
    ...storeEnv(contract.store),
    { name: "STORE_BUCKET", value: contract.store.bucket },
    { name: "MODEL_PREFIX", value: mirrorPrefix(model, kind) },
    { name: "MODEL_DIR", value: ENV.MODEL_DIR },
    { name: "PRESENT_MARKER", value: ENV.PRESENT_MARKER },
    { name: "HOME", value: "/tmp" },
  ];
  const mounts = [{ name: "work", mountPath: WORK }, CONFIG_MOUNT];
  const awsImage = imageRef(images.awsCli);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: names.job,
      namespace: contract.namespace,
      labels: labels(model, kind),
      annotations: { "pulumi.com/skipAwait": "true" },
    },
    spec: {
      backoffLimit: MIRROR_BACKOFF_LIMIT,
      activeDeadlineSeconds: MIRROR_DEADLINE_SECONDS,
      ttlSecondsAfterFinished: TTL_AFTER_FINISHED_SECONDS,
      podFailurePolicy: podFailurePolicy(),
      template: {
        metadata: { labels: labels(model, kind) },
        spec: {
          serviceAccountName: contract.serviceAccounts.mirror,
          restartPolicy: "Never",
          securityContext: podSecurityContext({ uid: MIRROR_UID }),
          initContainers: [
            awsCliContainer({ name: "check", image: awsImage, script: "mirror-check.sh", env: common, volumeMounts: mounts }),
            {
              name: "download",
              image: imageRef(images.hubMirror),
              command: scriptCommand("mirror-download.sh"),
              env: [
                { name: "HUB", value: model.hub },
                { name: "REPO", value: model.repo },
                { name: "REPO_TYPE", value: kind },
                { name: "REVISION", value: model.revision },
                ...includeEnv(model),
                { name: "MODEL_DIR", value: ENV.MODEL_DIR },
                { name: "TOOLS_DIR", value: ENV.TOOLS_DIR },
                { name: "PRESENT_MARKER", value: ENV.PRESENT_MARKER },
                // hub clients cache (xet chunks, locks) under HOME: keep it on the sized scratch
                { name: "HOME", value: `${WORK}/home` },
                { name: "HUGGINGFACE_HUB_VERSION", value: hubMirrorPackages.huggingfaceHub },
                { name: "MODELSCOPE_VERSION", value: hubMirrorPackages.modelscope },
                ...tokenEnv(model),
              ],
              // parallel downloads hash and write large files: two CPUs keep up with ~1 Gbit/s (the
              // limits); the requests are what a download needs to progress, so a short mirror Job
              // does not hold a small node's room while training and serving start beside it
              resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "4Gi" } },
              securityContext: containerSecurityContext(),
              volumeMounts: mounts,
            },
          ],
          containers: [awsCliContainer({ name: "upload", image: awsImage, script: "mirror-upload.sh", env: common, volumeMounts: mounts })],
          volumes: [{ name: "work", emptyDir: { sizeLimit: gi(mirrorScratchGiB(model)) } }, configVolume(names.scripts)],
        },
      },
    },
  };
}

export interface ModelMirrorArgs {
  /** The model, or with kind "dataset" the llmkit:datasets entry, to mirror. */
  readonly model: MirrorSource;
  /** @default "model" */
  readonly kind?: MirrorKind;
  readonly contract: PlatformContract;
}

/**
 * Mirrors `model` into the store; `modelUri` is where readers find it once `_SUCCESS` exists.
 * Name a dataset mirror `<dataset>-dataset` so its children match its Kubernetes object names.
 */
export class ModelMirror extends pulumi.ComponentResource {
  /** s3://<bucket>/models/<repo>/<revision>/ (datasets/… for kind "dataset"). */
  public readonly modelUri: pulumi.Output<string>;

  constructor(name: string, args: ModelMirrorArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("llmkit:training:ModelMirror", name, {}, opts);
    const kind = args.kind ?? "model";
    const scripts = renderMirrorScripts(args.model, args.contract, kind);
    const job = renderMirrorJob(args.model, args.contract, kind);
    const child = { parent: this, provider: opts.provider };
    const configMap = new k8s.core.v1.ConfigMap(childName(name, "mirror-scripts"), { metadata: scripts.metadata, data: scripts.data }, child);
    new k8s.batch.v1.Job(childName(name, "mirror"), { metadata: job.metadata, spec: job.spec }, { ...child, dependsOn: [configMap] });
    this.modelUri = pulumi.output(`s3://${args.contract.store.bucket}/${mirrorPrefix(args.model, kind)}`);
    this.registerOutputs({ modelUri: this.modelUri });
  }
}
