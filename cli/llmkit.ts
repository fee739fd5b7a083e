/**
 * `llmkit <render|plan|up|promote|status|logs|chat> [options]`: the package's one command (package.json
 * `bin`), dispatching to the same entry points `npm run <command>` runs. `llmkit <command>
 * --help` prints the command's usage.
 *
 * Run outside this repository (the package installed into a project), every command reads the
 * stack files in `./stacks` of the working directory when there is one and no `--stacks-dir` was
 * given; render writes to `./out/<stack>` of the working directory by default.
 */
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";

interface Command {
  readonly summary: string;
  load(): Promise<{ USAGE: string; cli(argv: readonly string[]): number | Promise<number> }>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  render: { summary: "render a stack offline under mocks into manifests and resources.json", load: () => import("./render.ts") },
  plan: { summary: "estimate memory, fit and cost of a stack's fine-tunes and services", load: () => import("./plan.ts") },
  up: { summary: "deploy (or --preview / --destroy) a stack with the Pulumi Automation API", load: () => import("./up.ts") },
  promote: { summary: "copy llmkit:release entries from one stack file to the next", load: () => import("./promote.ts") },
  status: { summary: "runs in the store and their state, pins, and what each service's pods loaded", load: () => import("./status.ts") },
  logs: { summary: "pod logs of a fine-tune's current run", load: () => import("./logs.ts") },
  chat: { summary: "send a prompt to a service (port-forward or gateway URL) and stream the answer", load: () => import("./chat.ts") },
};

export const USAGE = [
  "usage: llmkit <command> [options]   (llmkit <command> --help for its options)",
  "",
  "commands:",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`),
].join("\n");

/** `./stacks` of the working directory, when it holds stack files. */
function cwdStacksDir(): string | undefined {
  const dir = resolve("stacks");
  return existsSync(dir) && readdirSync(dir).some((f) => /^Pulumi\..+\.yaml$/.test(f)) ? dir : undefined;
}

export async function main(argv: readonly string[], print: (text: string) => void = console.log, printErr: (text: string) => void = console.error): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? printErr : print)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    printErr(`unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  const mod = await command.load();
  const usage = mod.USAGE.replace(/npm run (\w+) --/, "llmkit $1");
  if (rest.includes("--help") || rest.includes("-h")) {
    print(`${command.summary}\n${usage}`);
    return 0;
  }
  const args = [...rest];
  const hasFlag = (flag: string) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  const stacks = cwdStacksDir();
  if (stacks !== undefined && !hasFlag("--stacks-dir")) args.push("--stacks-dir", stacks);
  return await mod.cli(args);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
