/**
 * `llmkit logs <fine-tune> --stack <name> [--run <id>] [--container <name>] [--follow] [--dry-run]
 *   [--kubeconfig <file>] [--context <name>] [--stacks-dir <dir>]`
 *
 * The pod logs of a fine-tune's current run (the run id the stack's spec hashes to, computed offline
 * as the program does), or of `--run <id>`. The pod is the newest of the run's training Job
 * (`<fine-tune>-train-<runId>`, selected by the Job controller's `batch.kubernetes.io/job-name`
 * label); earlier attempts are named on stderr. Without --container every container that started
 * is printed in start order (restore, checkpoint-sync, train, publish), each under a
 * `==> <pod>/<container> <==` header; --follow follows one container: --container, else the one
 * running now. --dry-run prints which pod and containers would be read and reads no log.
 * Exit codes: 0 ok; 2 bad usage, unknown stack or fine-tune, config errors, no kube context or an
 * unknown container; 1 no pod for the run, or the logs could not be read.
 */
import type { Writable } from "node:stream";
import { trainJobName } from "../ops/targets.ts";
import { parseCliCommand, required, UsageError } from "./args.ts";
import { connectCluster, EXIT, KUBE_HELP, STACK_OPTIONS, KUBE_USAGE, loadTargets } from "./ops-common.ts";

export const USAGE = [
  `usage: npm run logs -- <fine-tune> --stack <name> [--run <id>] [--container <name>] [--follow] [--dry-run] ${KUBE_USAGE} [--stacks-dir <dir>]`,
  "",
  "The current run's pod logs (the run id is computed from the stack file as `up` computes it); --run picks another run.",
  "--dry-run names the pod and containers without reading logs.",
  KUBE_HELP,
].join("\n");

const OPTIONS = {
  run: { type: "string" },
  container: { type: "string", short: "c" },
  follow: { type: "boolean", short: "f" },
  "dry-run": { type: "boolean" },
  ...STACK_OPTIONS,
} as const;

/** The container --follow follows without --container: the one running now, else the last that ran. */
export function followTarget(containers: readonly { name: string; state: string }[]): string | undefined {
  // checkpoint-sync is a sidecar that runs as long as train does: the step is what matters
  const steps = containers.filter((c) => c.name !== "checkpoint-sync");
  return (steps.find((c) => c.state === "running") ?? [...steps].reverse().find((c) => c.state === "terminated") ?? steps[0])?.name;
}

export async function cli(
  argv: readonly string[],
  print: (line: string) => void = console.log,
  printErr: (line: string) => void = console.error,
  out: Writable = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let values: ReturnType<typeof parseCliCommand<typeof OPTIONS>>["values"];
  let fineTune: string;
  let stack: string;
  try {
    const parsed = parseCliCommand(argv, OPTIONS, USAGE);
    values = parsed.values;
    stack = required(values.stack, "--stack", USAGE);
    if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? "name the fine-tune: llmkit logs <fine-tune> --stack <name>" : `one fine-tune at a time (got ${parsed.positionals.join(", ")})`, USAGE);
    fineTune = parsed.positionals[0]!;
    if (values.run !== undefined && !/^[0-9a-f]{12}$/.test(values.run)) throw new UsageError(`--run ${values.run}: a run id is 12 lowercase hex characters`, USAGE);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printErr(err.message);
    return EXIT.usage;
  }
  const targets = loadTargets(stack, values["stacks-dir"], printErr);
  if (typeof targets === "number") return targets;
  const trained = targets.adapters.filter((a) => a.currentRunId !== undefined);
  const target = trained.find((a) => a.name === fineTune);
  if (target === undefined) {
    printErr(`unknown fine-tune "${fineTune}" in stack ${stack} (fine-tunes: ${trained.map((a) => a.name).join(", ") || "none"})`);
    return EXIT.usage;
  }
  const runId = values.run ?? target.currentRunId!;
  const job = trainJobName(fineTune, runId);

  const cluster = await connectCluster(values, env, printErr);
  if (typeof cluster === "number") return cluster;
  try {
    const pods = await cluster.jobPods(targets.namespace, job);
    const pod = pods[pods.length - 1];
    if (pod === undefined) {
      printErr(
        `no pod of Job ${targets.namespace}/${job} (run ${runId}): the run has not started (llmkit up), or it finished and its Job was cleaned up; llmkit status --stack ${stack} shows its state in the store`,
      );
      return EXIT.failed;
    }
    if (pods.length > 1) printErr(`note: ${pods.length - 1} earlier attempt(s) of run ${runId}: ${pods.slice(0, -1).map((p) => p.name).join(", ")}; showing ${pod.name}`);
    const names = pod.containers.map((c) => c.name);
    if (values.container !== undefined && !names.includes(values.container)) {
      printErr(`pod ${pod.name} has no container "${values.container}" (containers: ${names.join(", ")})`);
      return EXIT.usage;
    }
    const started = pod.containers.filter((c) => c.state === "running" || c.state === "terminated").map((c) => c.name);
    const follow = values.follow === true;
    const chosen = values.container !== undefined ? [values.container] : follow ? [followTarget(pod.containers)!] : started;
    if (values["dry-run"] === true) {
      print(`run ${runId}: Job ${targets.namespace}/${job}, pod ${pod.name} (${pod.phase})`);
      print(`containers: ${pod.containers.map((c) => `${c.name} (${c.state})`).join(", ")}`);
      print(`dry run: would ${follow ? "follow" : "print"} ${chosen.length > 0 ? chosen.join(", ") : "nothing (no container has started)"}`);
      return EXIT.ok;
    }
    if (chosen.length === 0) {
      printErr(`pod ${pod.name} (${pod.phase}): no container has started yet; try again, or --follow`);
      return EXIT.failed;
    }
    for (const c of chosen) {
      if (chosen.length > 1 || values.container === undefined) print(`==> ${pod.name}/${c} <==`);
      await cluster.logs(targets.namespace, pod.name, c, out, follow);
    }
    return EXIT.ok;
  } catch (err) {
    printErr(`llmkit logs failed: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.failed;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
