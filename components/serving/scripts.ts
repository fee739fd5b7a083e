/**
 * The pod script, read once at module load and shipped in the `${name}-scripts` ConfigMap. It
 * lives as a real file in scripts/ so it can be linted and run on its own (scripts.test.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export const FETCH_SCRIPT = "fetch.sh";

export const SERVING_SCRIPTS = {
  [FETCH_SCRIPT]: readFileSync(new URL(`./scripts/${FETCH_SCRIPT}`, import.meta.url), "utf8"),
} as const;

/** Pod-template annotation value: a changed script rolls the pods that run it. */
export const SCRIPTS_SHA256 = createHash("sha256").update(JSON.stringify(SERVING_SCRIPTS)).digest("hex");
