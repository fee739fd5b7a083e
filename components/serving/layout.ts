/**
 * Where things live inside a serving pod. fetch.sh and the vLLM arguments agree on these paths
 * through environment variables and arguments set from this file.
 */

/** emptyDir holding the restored base model and adapters. */
export const MODELS_DIR = "/models";
/** `models/<repo>/<revision>/` from the store lands here. */
export const BASE_MODEL_DIR = `${MODELS_DIR}/base`;
/** Writable HOME for vLLM, torch and triton caches (the image user may have none). */
export const CACHE_DIR = "/cache";
/** ConfigMap mount with fetch.sh. */
export const SCRIPTS_DIR = "/scripts";

/** `adapters/<name>/<runId>/` from the store lands at `/models/adapters/<name>/<runId>`. */
export function adapterDir(prefix: string): string {
  return `${MODELS_DIR}/${prefix.replace(/\/$/, "")}`;
}

/** Gibibytes as a Kubernetes quantity. */
export function gi(n: number): string {
  return `${n}Gi`;
}
