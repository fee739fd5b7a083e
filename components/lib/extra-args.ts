/**
 * `extraArgs`: engine flags (vLLM, ms-swift) or config keys (LLaMA-Factory) the kit does not set
 * itself, passed to the pinned engine as written. Each name is checked against the list shipped
 * next to the component (generated from the pinned upstream by test/contract-lists.ts), so a typo
 * fails at `render` instead of in a pod on a GPU node: the engines refuse unknown names too
 * (vLLM's argparse; LLaMA-Factory's HfArgumentParser "Some specified arguments are not used";
 * ms-swift's `remaining_argv`). Names the kit sets itself point at the config key to use, and
 * credentials are refused: a stack file is committed and the args end up in the pod spec.
 */
import { z } from "zod";
import { closest } from "./did-you-mean.ts";

const listItem = z.union([z.string(), z.number()]);
const extraArgValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(listItem).min(1),
  z.record(z.string(), z.unknown()).describe("passed as one JSON string"),
], { error: "must be a string, number, boolean, a list of strings or numbers, or an object (passed as one JSON string)" });

export const extraArgsSchema = z.record(z.string().min(1), extraArgValue);
export type ExtraArgs = z.output<typeof extraArgsSchema>;
export type ExtraArgValue = ExtraArgs[string];

export interface ExtraArgRules {
  /** What a name must be, e.g. "vLLM 0.21.0 `vllm serve` flag". */
  readonly what: string;
  /** The shipped list, for messages. */
  readonly listFile: string;
  readonly accepted: ReadonlySet<string>;
  /** Names the kit sets itself, with the config key (or the reason) that decides them. */
  readonly kitSets: Readonly<Record<string, string>>;
  /** Names refused outright, with why. */
  readonly refused: Readonly<Record<string, string>>;
  /** A spelling the engine takes but the kit writes differently (e.g. `--foo`, `foo_bar`): the name to write. */
  readonly respell?: (name: string) => string | undefined;
  /** The name a kit-set or refused check looks up (e.g. `no-enable-lora` → `enable-lora`). */
  readonly base?: (name: string) => string;
  /** Problems of a value, given the name (e.g. `false` for a flag without a `--no-` form). */
  readonly valueProblem?: (name: string, value: ExtraArgValue, all: ExtraArgs) => string | undefined;
}

/** Credentials by name: tokens, API keys, secrets, passwords, webhook URLs (which embed their secret). */
const CREDENTIAL = /(^|[-_])(token|api[-_]key|secret|password|webhook[-_]url)$/i;

/** One message per bad name, keyed by the name (the config path's last segment). */
export function extraArgProblems(args: ExtraArgs, rules: ExtraArgRules): { name: string; message: string }[] {
  const problems: { name: string; message: string }[] = [];
  for (const [name, value] of Object.entries(args)) {
    const message = nameProblem(name, rules) ?? lineProblem(value) ?? rules.valueProblem?.(name, value, args);
    if (message !== undefined) problems.push({ name, message });
  }
  return problems;
}

/** ms-swift's args file holds one word per line (components/training/scripts/train.sh). */
function lineProblem(value: ExtraArgValue): string | undefined {
  const words = Array.isArray(value) ? value : [value];
  return words.some((w) => typeof w === "string" && /[\r\n]/.test(w)) ? "must be on one line: a line break would split the argument" : undefined;
}

function nameProblem(name: string, rules: ExtraArgRules): string | undefined {
  const respelled = rules.respell?.(name);
  if (respelled !== undefined) return `write it as "${respelled}"`;
  const base = rules.base?.(name) ?? name;
  const kit = rules.kitSets[base];
  if (kit !== undefined) return `is set by llmkit: ${kit}`;
  const refused = rules.refused[base];
  if (refused !== undefined) return `is refused: ${refused}`;
  if (CREDENTIAL.test(base)) {
    return "is a credential: a value here would be committed with the stack file and written into the pod spec; llmkit passes credentials only from Kubernetes Secrets, and this one is not needed by a run";
  }
  if (!rules.accepted.has(name)) {
    const hint = closest(name, [...rules.accepted]);
    return `is not a ${rules.what}${hint === undefined ? ` (the accepted names are in ${rules.listFile})` : `: did you mean "${hint}"?`}`;
  }
  return undefined;
}

/** A value as one command-line word: lists are several words (see `cliWords`), objects one JSON string. */
function word(value: string | number | boolean | Record<string, unknown>): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** `--name value…` words of one extra arg; booleans are passed by the caller's own rule. */
export function cliWords(flag: string, value: ExtraArgValue): string[] {
  return Array.isArray(value) ? [flag, ...value.map(String)] : [flag, word(value)];
}
