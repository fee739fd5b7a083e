/**
 * A stack file's whole `config:` map (every namespace) in the form the Pulumi engine hands a
 * program: `<namespace>:<key>` → string, objects and lists as JSON text. `{secure: ...}` values
 * cannot be decrypted offline: they become a placeholder and are listed as secret keys.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, STACK_YAML_OPTIONS, stackFilePath, STACKS_DIR } from "../config/load.ts";

export interface EngineConfig {
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
}

export const SECURE_PLACEHOLDER = "mock-secure-value";

/** Stack names of every `Pulumi.<stack>.yaml` in a folder, sorted. */
export function listStacks(dir = STACKS_DIR): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

/** Replaces nested secure values; reports whether there was one (the whole key is then secret). */
function replaceSecure(value: unknown): { value: unknown; secret: boolean } {
  if (isSecure(value)) return { value: SECURE_PLACEHOLDER, secret: true };
  if (Array.isArray(value)) {
    const items = value.map(replaceSecure);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, replaceSecure(v)] as const);
    return { value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])), secret: entries.some(([, r]) => r.secret) };
  }
  return { value, secret: false };
}

/** Engine config from a parsed `config:` map. */
export function engineConfig(configMap: Record<string, unknown>): EngineConfig {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, raw] of Object.entries(configMap)) {
    const { value, secret } = replaceSecure(raw);
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) secretKeys.push(key);
  }
  return { config, secretKeys };
}

/** Reads `Pulumi.<stack>.yaml`; a missing or malformed file is a ConfigError, like the loader's. */
export function readEngineConfig(stack: string, dir = STACKS_DIR): EngineConfig {
  const file = stackFilePath(stack, dir);
  if (!existsSync(file)) throw new ConfigError(stack, [`${file}: no such stack file: create it or check the stack name`]);
  let doc: { config?: unknown } | null;
  try {
    doc = parseYaml(readFileSync(file, "utf8"), STACK_YAML_OPTIONS) as { config?: unknown } | null;
  } catch (err) {
    throw new ConfigError(stack, [`${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
  }
  const configMap = doc?.config ?? {};
  if (typeof configMap !== "object" || configMap === null || Array.isArray(configMap)) {
    throw new ConfigError(stack, [`${file}: "config" must be a map of "<namespace>:<key>" entries`]);
  }
  return engineConfig(configMap as Record<string, unknown>);
}
