/**
 * The shell scripts pods run, read once at module load and shipped in ConfigMaps. They live as
 * real files in scripts/ so they can be linted and run on their own.
 */
import { readFileSync } from "node:fs";

const read = (file: string): string => readFileSync(new URL(`./scripts/${file}`, import.meta.url), "utf8");

/** Sourced by the others: `require`, `object_exists`, `put_marker`, exit code 3 for configuration errors. */
const store = read("store.sh");

export const MIRROR_SCRIPTS = {
  "store.sh": store,
  "mirror-check.sh": read("mirror-check.sh"),
  "mirror-download.sh": read("mirror-download.sh"),
  "mirror-upload.sh": read("mirror-upload.sh"),
} as const;

export const TRAINING_SCRIPTS = {
  "store.sh": store,
  "restore.sh": read("restore.sh"),
  "checkpoint-sync.sh": read("checkpoint-sync.sh"),
  "train.sh": read("train.sh"),
  "dataset-columns.py": read("dataset-columns.py"),
  "lineage.py": read("lineage.py"),
  "publish.sh": read("publish.sh"),
} as const;

/** Stage dpo on ms-swift only: the preference files in ms-swift's format (./ms-swift.ts). */
export const SWIFT_PREFERENCE_SCRIPTS = { "preference-data.py": read("preference-data.py") } as const;

/** The held-out evaluation after training (./evaluation.ts), with valRatio > 0. */
export const EVAL_SCRIPTS = { "eval-heldout.py": read("eval-heldout.py") } as const;
/** Evaluation suites (./evaluation.ts): their rows and their scores. */
export const SUITE_SCRIPTS = { "eval-suite.py": read("eval-suite.py") } as const;

/** Follow-up Jobs of a run (merge.ts, gguf.ts): one script each, the step is its argument. */
export const MERGE_SCRIPTS = { "store.sh": store, "merge.sh": read("merge.sh") } as const;
export const GGUF_SCRIPTS = { "store.sh": store, "gguf.sh": read("gguf.sh") } as const;
