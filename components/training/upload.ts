/**
 * Datasets a stack uploads from its own project (`datasets[].upload`): the files travel in an
 * immutable ConfigMap `<name>-data-<runId>` and an `upload-datasets` init container (aws-cli
 * image, first in the training pod) copies each one to its content-addressed store key
 * (components/lib/store.ts `uploadedDatasetKey`) before restore reads it like any dataset.
 *
 * Why an init container of the training pod rather than a Job of its own: the pod that reads the
 * file is the one that writes it, so there is no ordering between Jobs to wait for, nothing runs
 * when the run is already published, and the ConfigMap lives exactly as long as the run's Job.
 * Why a ConfigMap: it is the one way to hand a pod a file of the deployer's machine without
 * another service; Kubernetes caps a ConfigMap at 1 MiB (api/core/v1 ConfigMap: "The total size
 * of the data cannot exceed 1 MiB"), hence UPLOAD_MAX_BYTES per fine-tune.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { adapterPrefix, uploadedDatasetKey } from "../lib/store.ts";
import type { EffectiveFineTune } from "./defaults.ts";
import type { FineTuneConfig, UploadedFile } from "./inputs.ts";
import { awsCliContainer, type EnvVar, type VolumeMount } from "./job.ts";
import { localDatasetFile } from "./layout.ts";

export const UPLOAD_SCRIPT = "upload-datasets.sh";
const script = readFileSync(new URL(`./scripts/${UPLOAD_SCRIPT}`, import.meta.url), "utf8");
/** The list upload-datasets.sh reads from the train ConfigMap: "<file in UPLOAD_DIR> <store key>" per line. */
export const UPLOADS_LIST = "uploads.txt";
/** Where the data ConfigMap is mounted in the upload-datasets container. */
export const UPLOAD_DIR = "/uploads";
/** @default 900 KiB — below the 1 MiB ConfigMap cap, leaving room for keys and metadata. */
export const UPLOAD_MAX_BYTES = 900 * 1024;

/** A dataset entry for a project file: its store key is derived from the content (a program's own spec can use this too). */
export function uploadedDataset(file: string, content: string): { path: string; uploadFile: UploadedFile } {
  const sha = createHash("sha256").update(content, "utf8").digest("hex");
  return { path: uploadedDatasetKey(sha, file.slice(file.lastIndexOf("/") + 1)), uploadFile: { file, content } };
}

/** The uploaded datasets of a spec, with their index (which names their file in the pod). */
export function uploads(spec: FineTuneConfig): { index: number; path: string; upload: UploadedFile }[] {
  return spec.datasets.flatMap((d, index) => (d.uploadFile === undefined ? [] : [{ index, path: d.path, upload: d.uploadFile }]));
}

/** Why the spec's uploads cannot be rendered (a key that is not the content's, too large), or undefined. */
export function uploadProblem(spec: FineTuneConfig): string | undefined {
  const list = uploads(spec);
  for (const u of list) {
    const expected = uploadedDataset(u.upload.file, u.upload.content).path;
    if (u.path !== expected) return `datasets[${u.index}]: path "${u.path}" is not the content-addressed key of ${u.upload.file} (${expected}): build the entry with uploadedDataset()`;
  }
  const bytes = list.reduce((n, u) => n + Buffer.byteLength(u.upload.content, "utf8"), 0);
  if (bytes > UPLOAD_MAX_BYTES) return `uploads ${bytes} bytes, more than the ${UPLOAD_MAX_BYTES} bytes one ConfigMap carries: put the larger files into the store yourself and name their keys in path`;
  return undefined;
}

export function uploadNames(name: string, runId: string) {
  return { config: `${name}-data-${runId}` };
}

/** The train ConfigMap's entries for the upload step: the script and the list (empty without uploads). */
export function uploadConfigData(ft: EffectiveFineTune): Record<string, string> {
  const list = ft.datasets.flatMap((d, i) => (d.uploaded === true ? [`${localDatasetFile(i, d.path)} ${d.path}\n`] : []));
  return list.length === 0 ? {} : { [UPLOAD_SCRIPT]: script, [UPLOADS_LIST]: list.join("") };
}

/** The immutable ConfigMap holding the files, or null without uploads. */
export function renderUploadConfig(spec: FineTuneConfig, ft: EffectiveFineTune, namespace: string, runId: string, labels: Record<string, string>) {
  const list = uploads(spec);
  if (list.length === 0) return null;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: uploadNames(ft.name, runId).config, namespace, labels },
    immutable: true,
    data: Object.fromEntries(list.map((u) => [localDatasetFile(u.index, u.path), u.upload.content])),
  };
}

export const UPLOAD_VOLUME = "uploads";

export function uploadVolumes(ft: EffectiveFineTune, runId: string) {
  return ft.datasets.some((d) => d.uploaded === true) ? [{ name: UPLOAD_VOLUME, configMap: { name: uploadNames(ft.name, runId).config, defaultMode: 0o444 } }] : [];
}

export function uploadContainers(ft: EffectiveFineTune, runId: string, image: string, store: readonly EnvVar[], volumeMounts: readonly VolumeMount[]) {
  if (!ft.datasets.some((d) => d.uploaded === true)) return [];
  return [
    awsCliContainer({
      name: "upload-datasets",
      image,
      script: UPLOAD_SCRIPT,
      env: [...store, { name: "ADAPTER_PREFIX", value: adapterPrefix(ft.name, runId) }, { name: "UPLOAD_DIR", value: UPLOAD_DIR }],
      volumeMounts: [...volumeMounts, { name: UPLOAD_VOLUME, mountPath: UPLOAD_DIR, readOnly: true }],
    }),
  ];
}
