/**
 * A training run's identity (docs/architecture.md §1): the first 12 hex characters of the sha256 of the
 * effective spec, the base model's pinned location and the engine image. An unchanged spec gives
 * the same id (a no-op on `pulumi up`); any change gives a new id and so a new store prefix.
 */
import { createHash } from "node:crypto";
import type { ModelConfig } from "../lib/inputs.ts";
import type { EffectiveFineTune } from "./defaults.ts";
import { swiftModelType } from "./ms-swift.ts";

/** JSON with object keys sorted at every level, so key order never changes the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`cannot hash non-finite number ${value}`);
    if (value === undefined) throw new Error("cannot hash undefined: resolve defaults first");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * The full sha256 of a run's identity (effective spec, base model location, engine image):
 * manifest.json's `specHash`. ms-swift runs also hash the `--model_type` they load the base as
 * (./ms-swift.ts swiftModelType): an override in llmkit:models changes the Job, so it is a new run.
 */
export function specHash(effective: EffectiveFineTune, model: ModelConfig, engineImage: string): string {
  const identity = {
    spec: effective,
    model: {
      hub: model.hub,
      repo: model.repo,
      revision: model.revision,
      ...(effective.engine === "ms-swift" ? { msSwiftModelType: swiftModelType(model) } : {}),
    },
    engineImage,
  };
  return createHash("sha256").update(canonicalJson(identity)).digest("hex");
}

export function runId(effective: EffectiveFineTune, model: ModelConfig, engineImage: string): string {
  return specHash(effective, model, engineImage).slice(0, 12);
}
