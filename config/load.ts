/**
 * Loading a stack's config: from a stack file on disk (render, tests, promotion) or from the
 * Pulumi engine (the program). Both paths end in `parseStackConfig`, so they refuse the same input.
 * Nothing is registered before this succeeds.
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { explainIssue, formatIssues, configPath } from "./errors.ts";
import { poolProblems } from "./rules.ts";
import { stackConfigSchemaAt, CONFIG_KEYS, type PlatformConfig, type StackConfig } from "./schema.ts";

export const NAMESPACE = "llmkit";
/**
 * Where stack files are read from: stacks/, or LLMKIT_STACKS_DIR when the stack files live
 * elsewhere (e.g. `pulumi up --config-file <dir>/Pulumi.<stack>.yaml`): a workloads stack reads its
 * platform stack's file from here, in the program as in the CLIs.
 */
export const STACKS_DIR = process.env.LLMKIT_STACKS_DIR ? resolve(process.env.LLMKIT_STACKS_DIR) : new URL("../stacks/", import.meta.url).pathname;

/** The project root `datasets[].upload` paths are relative to: the folder holding the stacks folder. */
export function projectRoot(stacksDir: string = STACKS_DIR): string {
  return dirname(resolve(stacksDir));
}

/**
 * How every reader of a stack file parses it, so the kit reads what the Pulumi engine reads. The
 * engine's loader (pulumi/pulumi sdk/go/common/workspace/loaders.go, projectStackLoader.load →
 * encoding.YAML.Unmarshal, gopkg.in/yaml.v2 in sdk/go/common/encoding/marshal.go) resolves `<<`
 * merge keys, and its round-trip fixtures use them in stack config (sdk/go/common/encoding/internal/
 * anchor.yaml). The `yaml` package follows YAML 1.2, which has no merge keys, unless `merge: true`.
 */
export const STACK_YAML_OPTIONS = { merge: true } as const;

/** All config problems of a stack, one line each. */
export class ConfigError extends Error {
  readonly stackName: string;
  readonly problems: readonly string[];
  constructor(stack: string, problems: readonly string[]) {
    super(`stack "${stack}" has ${problems.length} config error(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.stackName = stack;
    this.problems = problems;
  }
}

export interface LoadedStack {
  readonly stack: string;
  readonly config: StackConfig;
  /** The platform this stack deploys, or for a workloads stack, the one it runs on. */
  readonly platform: PlatformConfig;
}

export function stackFilePath(stack: string, dir = STACKS_DIR): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

/** The `llmkit:`-namespaced entries of a stack file's `config`, with the namespace stripped. */
export function readStackFile(stack: string, dir = STACKS_DIR): Record<string, unknown> {
  return namespaced(readStackConfigMap(stack, dir));
}

/** A stack file's whole `config` map, every namespace. */
export function readStackConfigMap(stack: string, dir = STACKS_DIR): Record<string, unknown> {
  const file = stackFilePath(stack, dir);
  if (!existsSync(file)) throw new ConfigError(stack, [`${file}: no such stack file: create it or check the stack name`]);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"), STACK_YAML_OPTIONS);
  } catch (err) {
    throw new ConfigError(stack, [`${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(stack, [`${file}: "config" must be a map of "<namespace>:<key>" entries`]);
  }
  return config as Record<string, unknown>;
}

/** Keeps `llmkit:<key>` entries (provider config such as `aws:region` is the providers' business). */
export function namespaced(all: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(`${NAMESPACE}:`)) out[key.slice(NAMESPACE.length + 1)] = value;
  }
  return out;
}

function secureValuePaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secureValuePaths(v, [...path, i]));
  if (typeof value !== "object" || value === null) return [];
  if ("secure" in value && Object.keys(value).length === 1) return [path];
  return Object.entries(value).flatMap(([k, v]) => secureValuePaths(v, [...path, k]));
}

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; problems: string[] };

/**
 * Validates raw config (namespace stripped); every problem is reported, not just the first.
 * `root`: where `datasets[].upload` files are read from (projectRoot of the stacks folder).
 */
export function parseStackConfig(raw: Record<string, unknown>, root: string = projectRoot()): ParseResult {
  const secure = secureValuePaths(raw).map(
    (p) => `${configPath(p)}: is a secure value, but llmkit config is never secret: keep secrets in a Kubernetes Secret or ESC and reference it by name`,
  );
  if (secure.length > 0) return { ok: false, problems: secure };
  const result = stackConfigSchemaAt(root).safeParse(raw, { error: explainIssue });
  if (!result.success) return { ok: false, problems: formatIssues(result.error.issues) };
  return { ok: true, config: result.data };
}

/**
 * Provider config that must agree with the platform: `aws:region` is where the AWS provider
 * creates everything, `platform.region` is what pool zones, the contract and the workloads'
 * store address use; two regions would split one platform.
 */
export function providerConfigProblems(all: Record<string, unknown>, platform: PlatformConfig | undefined): string[] {
  const region = all["aws:region"];
  if (platform?.provider !== "aws" || region === undefined || region === platform.region) return [];
  const given = typeof region === "string" ? region : JSON.stringify(region);
  return [
    `aws:region: "${given}" differs from llmkit:platform.region "${platform.region}": the AWS provider would build in ${given} ` +
      `what pool zones, the contract and the workloads' store address place in ${platform.region}: set aws:region to ${platform.region}`,
  ];
}

/**
 * Loads and validates a stack. A workloads stack is also checked against the platform stack it
 * names, so an unknown pool is refused offline, before anything is registered. `all`: the whole
 * config map (every namespace), for the provider config checked against the platform.
 */
export function loadStack(stack: string, raw: Record<string, unknown>, dir = STACKS_DIR, all: Record<string, unknown> = {}): LoadedStack {
  const parsed = parseStackConfig(raw, projectRoot(dir));
  if (!parsed.ok) throw new ConfigError(stack, parsed.problems);
  const config = parsed.config;
  const providerProblems = providerConfigProblems(all, config.platform);
  if (providerProblems.length > 0) throw new ConfigError(stack, providerProblems);
  if (config.platform !== undefined) return { stack, config, platform: config.platform };

  const platformStack = config.platformStack!; // the schema requires it for layer workloads
  const platformParsed = parseStackConfig(readStackFile(platformStack, dir), projectRoot(dir));
  if (!platformParsed.ok) {
    throw new ConfigError(stack, [`llmkit:platformStack: stack "${platformStack}" is invalid: ${platformParsed.problems.join("; ")}`]);
  }
  const platform = platformParsed.config.platform;
  if (platformParsed.config.layer !== "platform" || platform === undefined) {
    throw new ConfigError(stack, [`llmkit:platformStack: "${platformStack}" is not a platform stack (its layer is "${platformParsed.config.layer}")`]);
  }
  const problems = poolProblems(config, platform, `platform stack "${platformStack}"`);
  if (problems.length > 0) throw new ConfigError(stack, problems.map((p) => `${configPath(p.path)}: ${p.message}`));
  return { stack, config, platform };
}

/** Convenience for the CLIs and tests: read the file and load it. */
export function loadStackFile(stack: string, dir = STACKS_DIR): LoadedStack {
  const all = readStackConfigMap(stack, dir);
  return loadStack(stack, namespaced(all), dir, all);
}

/**
 * Config as the Pulumi engine hands it to the program: `llmkit:<key>` → string (objects arrive
 * as JSON text, secure values already decrypted). A key the engine marks secret comes back as
 * `{secure}` so the schema refuses it exactly as it does in the stack file, without its value.
 */
export function rawFromEngine(all: Record<string, string>, isSecret: (key: string) => boolean): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(namespaced(all))) {
    raw[key] = isSecret(`${NAMESPACE}:${key}`) ? { secure: "[secret]" } : decodeEngineValue(value as string);
  }
  return raw;
}

function decodeEngineValue(value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  return value;
}

export { CONFIG_KEYS };
