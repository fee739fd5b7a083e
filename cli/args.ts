/**
 * Shared argv parsing for the CLIs: node:util parseArgs, strict (unknown flags and positionals
 * are errors), every error carrying the CLI's usage line.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Bad command line: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string, usage: string) {
    super(`${message}\n${usage}`);
    this.name = "UsageError";
  }
}

export function parseCliArgs<O extends Options>(argv: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

/** A required string option. */
export function required(value: string | boolean | (string | boolean)[] | undefined, flag: string, usage: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(`${flag} is required`, usage);
  return value;
}

/** As parseCliArgs, for commands that also take positional arguments (`llmkit logs <fine-tune>`). */
export function parseCliCommand<O extends Options>(argv: readonly string[], options: O, usage: string) {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { values, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}
