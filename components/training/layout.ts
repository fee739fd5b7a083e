/**
 * Where things live inside training and mirror pods. The shell scripts (scripts/*.sh) and the
 * engine renderers agree on these paths through environment variables set from this file.
 */

/** Scratch emptyDir of the train pod: base model, datasets, engine output (checkpoints, adapter). */
export const WORK_DIR = "/work";
export const MODEL_DIR = `${WORK_DIR}/model`;
export const DATA_DIR = `${WORK_DIR}/data`;
export const OUTPUT_DIR = `${WORK_DIR}/output`;
/** Stage dpo with `from`: the published adapter the run continues (restore copies it here). */
export const FROM_DIR = `${WORK_DIR}/from-adapter`;
/** What restore records for the manifest (dataset ETags, attempts, start time); read by train and publish. */
export const LINEAGE_DIR = `${WORK_DIR}/lineage`;
/** Marker file: present when the adapter of this run is already published, so every step skips. */
export const DONE_MARKER = `${WORK_DIR}/.published`;
/** ConfigMap mount: engine config, dataset_info.json, dataset list, manifest, scripts. */
export const CONFIG_DIR = "/config";

/**
 * Exit code the kit's scripts use for a configuration error (missing variable, dataset absent from
 * the store, unknown engine). The Job's podFailurePolicy fails the Job at once on it: retrying a
 * wrong configuration only burns GPU hours.
 */
export const CONFIG_ERROR_EXIT = 3;

/** Local file name of dataset `index`: the index keeps two `train.jsonl` under different keys apart. */
export function localDatasetFile(index: number, key: string): string {
  const base = key.slice(key.lastIndexOf("/") + 1);
  return `${index}-${base}`;
}

/** Gibibytes as a Kubernetes quantity. */
export function gi(n: number): string {
  return `${n}Gi`;
}
