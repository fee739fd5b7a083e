/**
 * Turns zod issues into one line each: `llmkit:<path>: <what is wrong>: <how to fix it>`.
 */
import type { z } from "zod";
import { closest } from "../components/lib/did-you-mean.ts";

/** `["serving", 0, "adapters", 1]` → `llmkit:serving[0].adapters[1]`. */
export function configPath(path: readonly PropertyKey[]): string {
  let out = "llmkit";
  path.forEach((seg, i) => {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (!/^[\w-]+$/.test(String(seg))) out += `[${JSON.stringify(String(seg))}]`;
    else out += i === 0 ? `:${String(seg)}` : `.${String(seg)}`;
  });
  return out;
}

function describeInput(input: unknown): string {
  if (input === undefined) return "missing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  return typeof input === "object" ? "an object" : `${typeof input} ${JSON.stringify(input)}`;
}

/** Per-parse error customizer: messages that say what to do, not just what failed. */
export const explainIssue: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case "unrecognized_keys": {
      const shape = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      const allowed = shape ? Object.keys(shape) : [];
      return iss.keys
        .map((k) => {
          const hint = closest(k, allowed);
          const list = allowed.length ? ` (allowed: ${allowed.join(", ")})` : "";
          return hint ? `unknown key "${k}": did you mean "${hint}"?` : `unknown key "${k}"${list}: remove it`;
        })
        .join("; ");
    }
    case "invalid_type":
      if (iss.input === undefined) return `is required: add a ${iss.expected} value`;
      return `must be ${article(iss.expected)} ${iss.expected}, got ${describeInput(iss.input)}`;
    case "invalid_value":
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeInput(iss.input)}`;
    case "invalid_union":
      if (iss.note === "No matching discriminator" && iss.discriminator !== undefined) {
        const values = discriminatorValues(iss.inst, iss.discriminator);
        const got = (iss.input as Record<string, unknown> | undefined)?.[iss.discriminator];
        return `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeInput(got)}`;
      }
      return undefined;
    case "invalid_key":
      return `key ${describeInput(iss.input)} ${iss.issues.map((i) => i.message).join("; ")}`;
    case "too_small":
      if (iss.origin === "array") return `needs at least ${String(iss.minimum)} item(s)`;
      if (iss.origin === "string") return `must be at least ${String(iss.minimum)} characters`;
      return `must be ${iss.inclusive === false ? ">" : "≥"} ${String(iss.minimum)}, got ${describeInput(iss.input)}`;
    case "too_big":
      if (iss.origin === "string") return `must be at most ${String(iss.maximum)} characters`;
      return `must be ${iss.inclusive === false ? "<" : "≤"} ${String(iss.maximum)}, got ${describeInput(iss.input)}`;
    default:
      return undefined;
  }
};

/** The literal values a discriminated union accepts for its discriminator. */
function discriminatorValues(inst: unknown, key: string): unknown[] {
  type Literal = { _zod?: { def?: { values?: unknown[] } } };
  type Option = { _zod?: { def?: { shape?: Record<string, Literal> } } };
  const options = (inst as { _zod?: { def?: { options?: Option[] } } } | undefined)?._zod?.def?.options ?? [];
  return options.flatMap((o) => o._zod?.def?.shape?.[key]?._zod?.def?.values ?? []);
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${configPath(i.path)}: ${i.message}`);
}
