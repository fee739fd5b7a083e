/**
 * Per-environment enforcement levels: `policies/enforcement/<env>.yaml` maps every policy to a
 * level. The environment comes from `LLMKIT_POLICY_ENV` (a stack's `llmkit:env`; `local` uses dev,
 * unset means prod, the strictest). Overrides use Pulumi's `--policy-pack-config` format
 * (`{"<policy>": "advisory"}` or `{"<policy>": {"enforcementLevel": "advisory"}}`) and come from the
 * JSON file named by `LLMKIT_POLICY_CONFIG`; `pulumi preview --policy-pack-config` applies on top.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { EnforcementLevel } from "./types.ts";

export const ENFORCEMENT_DIR = join(import.meta.dirname, "..", "enforcement");
export const POLICY_ENVS = ["dev", "staging", "prod"] as const;
export type PolicyEnv = (typeof POLICY_ENVS)[number];
export const LEVELS: readonly EnforcementLevel[] = ["mandatory", "advisory", "remediate", "disabled"];

export type Levels = Record<string, EnforcementLevel>;
export type Overrides = Record<string, EnforcementLevel | { enforcementLevel?: EnforcementLevel; [key: string]: unknown }>;

/** The enforcement file a stack's `llmkit:env` selects. */
export function policyEnv(env: string | undefined): PolicyEnv {
  if (env === undefined || env === "") return "prod";
  if (env === "local") return "dev";
  if ((POLICY_ENVS as readonly string[]).includes(env)) return env as PolicyEnv;
  throw new Error(`unknown policy environment "${env}": expected local, ${POLICY_ENVS.join(", ")}`);
}

function isLevel(v: unknown): v is EnforcementLevel {
  return typeof v === "string" && (LEVELS as readonly string[]).includes(v);
}

/** Reads and checks one enforcement file: exactly one valid level for every policy name. */
export function loadLevels(env: PolicyEnv, policyNames: readonly string[], dir = ENFORCEMENT_DIR): Levels {
  const file = join(dir, `${env}.yaml`);
  const raw: unknown = parseYaml(readFileSync(file, "utf8"));
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${file}: expected a map of policy name to enforcement level`);
  const problems: string[] = [];
  const levels: Levels = {};
  for (const [name, level] of Object.entries(raw)) {
    if (!policyNames.includes(name)) problems.push(`unknown policy "${name}"`);
    else if (!isLevel(level)) problems.push(`${name}: "${String(level)}" is not one of ${LEVELS.join(", ")}`);
    else levels[name] = level;
  }
  for (const name of policyNames) if (!(name in raw)) problems.push(`${name}: no enforcement level`);
  if (problems.length > 0) throw new Error(`${file}: ${problems.join("; ")}`);
  return levels;
}

/** Applies overrides in `--policy-pack-config` form; unknown policies and levels are errors. */
export function applyOverrides(levels: Levels, overrides: Overrides = {}): Levels {
  const out = { ...levels };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(overrides)) {
    if (name === "all") {
      const level = typeof value === "string" ? value : value.enforcementLevel;
      if (!isLevel(level)) problems.push(`all: "${String(level)}" is not an enforcement level`);
      else for (const k of Object.keys(out)) out[k] = level;
      continue;
    }
    if (!(name in levels)) {
      problems.push(`unknown policy "${name}"`);
      continue;
    }
    const level = typeof value === "string" ? value : value.enforcementLevel;
    if (level === undefined) continue;
    if (!isLevel(level)) problems.push(`${name}: "${String(level)}" is not an enforcement level`);
    else out[name] = level;
  }
  if (problems.length > 0) throw new Error(`policy config: ${problems.join("; ")}`);
  return out;
}

/** Levels for an environment with overrides applied. */
export function resolveLevels(env: PolicyEnv, policyNames: readonly string[], overrides?: Overrides, dir?: string): Levels {
  return applyOverrides(loadLevels(env, policyNames, dir), overrides);
}

/** Environment and overrides from the process: LLMKIT_POLICY_ENV and LLMKIT_POLICY_CONFIG. */
export function levelsFromProcess(policyNames: readonly string[], vars: NodeJS.ProcessEnv = process.env): { env: PolicyEnv; levels: Levels } {
  const env = policyEnv(vars.LLMKIT_POLICY_ENV);
  const configFile = vars.LLMKIT_POLICY_CONFIG;
  const overrides = configFile !== undefined && configFile !== "" ? (JSON.parse(readFileSync(configFile, "utf8")) as Overrides) : {};
  return { env, levels: resolveLevels(env, policyNames, overrides) };
}
