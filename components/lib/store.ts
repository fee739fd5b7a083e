/**
 * The object-store layout every area agrees on (docs/architecture.md §1). Keys never start with '/'; every
 * prefix ends with '/'. Adapters are immutable once `_SUCCESS` exists under their prefix.
 */
export const STORE_PREFIXES = ["models/", "datasets/", "checkpoints/", "adapters/", "merged/", "gguf/"] as const;
export type StorePrefix = (typeof STORE_PREFIXES)[number];

/** Marker written last under a run's prefix; its presence means every other file is complete. */
export const SUCCESS_MARKER = "_SUCCESS";
export const MANIFEST_FILE = "manifest.json";

/** Where an S3-compatible store is and how pods authenticate to it. */
export interface StoreRef {
  readonly bucket: string;
  readonly region: string;
  /** Endpoint URL for S3-compatible stores; absent on AWS S3. */
  readonly endpoint?: string;
  /**
   * Secret (in the workloads namespace) with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, for stores
   * without workload identity. Absent on AWS, where Pod Identity supplies credentials.
   */
  readonly credentialsSecret?: string;
}

/** `models/<hub repo>/<revision>/`: one immutable copy of a base model per pinned revision. */
export function modelPrefix(repo: string, revision: string): string {
  return `models/${repo}/${revision}/`;
}

export function adapterPrefix(name: string, runId: string): string {
  return `adapters/${name}/${runId}/`;
}

/** `datasets/<hub repo>/<revision>/`: one immutable copy of a hub dataset per pinned revision. */
export function hubDatasetPrefix(repo: string, revision: string): string {
  return `datasets/${repo}/${revision}/`;
}

/** `merged/<name>/<runId>/`: the adapter merged into its base (a fine-tune's optional merge Job). */
export function mergedPrefix(name: string, runId: string): string {
  return `merged/${name}/${runId}/`;
}

/** `gguf/<name>/<runId>/`: llama.cpp GGUF files converted from the merged model. */
export function ggufPrefix(name: string, runId: string): string {
  return `gguf/${name}/${runId}/`;
}

/**
 * `datasets/uploads/<sha256[:16]>/<file name>`: a file a stack uploads from the project (a fine-tune
 * dataset's `upload`). Content-addressed, so a changed file is a new key (and a new run id, which
 * hashes the key), and a key, once written, never changes under a run that read it.
 */
export function uploadedDatasetKey(sha256: string, fileName: string): string {
  return `datasets/uploads/${sha256.slice(0, 16)}/${fileName}`;
}

export function checkpointPrefix(name: string, runId: string): string {
  return `checkpoints/${name}/${runId}/`;
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
