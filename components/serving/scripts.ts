/**
 * The pod scripts, read once at module load and shipped in the `${name}-scripts` ConfigMap. They
 * live as real files in scripts/ so they can be linted and run on their own (scripts.test.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export const FETCH_SCRIPT = "fetch.sh";
/** The `adapter-follow` container's loop (env local: adapters that follow their fine-tune's current run). */
export const FOLLOW_SCRIPT = "adapter-follow.sh";
const read = (file: string): string => readFileSync(new URL(`./scripts/${file}`, import.meta.url), "utf8");

export const SERVING_SCRIPTS = {
  [FETCH_SCRIPT]: read(FETCH_SCRIPT),
  [FOLLOW_SCRIPT]: read(FOLLOW_SCRIPT),
  // sourced by both: the store listing and the adapter checks
  "adapter-check.sh": read("adapter-check.sh"),
} as const;

/** Pod-template annotation value: a changed script rolls the pods that run it. */
export const SCRIPTS_SHA256 = createHash("sha256").update(JSON.stringify(SERVING_SCRIPTS)).digest("hex");
