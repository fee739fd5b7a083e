/**
 * `llmkit status --stack <name> [--store-endpoint <url>] [--kubeconfig <file>] [--context <name>] [--stacks-dir <dir>]`
 *
 * Read-only. Per adapter (each fine-tune, and each adapter `llmkit:release` pins): its runs in the
 * store with state, eval loss, publish time and smoke outputs, the stack's current run and the
 * pinned one, each run's training Job state from the cluster (by the run-id label). Per service:
 * ready/desired replicas, endpoint and gateway URL, and for vLLM the pinned run of each adapter
 * next to the run every live pod was started with (its `--lora-modules`), so a rollout still
 * pending shows. Exit codes: 0 ok; 2 bad usage, unknown stack, config errors or no kube context;
 * 1 the store or the cluster could not be read (what could be read is printed).
 */
import { STORE_ENDPOINT_ENV } from "../gitops/promote-store.ts";
import { anyFailed, formatStatus, type AdapterObservation, type Observed, type ServiceObservation } from "../ops/status.ts";
import { storeRuns } from "../ops/store-runs.ts";
import { parseCliArgs, required, UsageError } from "./args.ts";
import { connectCluster, defaultStoreClient, EXIT, KUBE_HELP, STACK_OPTIONS, KUBE_USAGE, loadTargets, storeErrorMessage, type StoreClientFactory } from "./ops-common.ts";

export const USAGE = [
  `usage: npm run status -- --stack <name> [--store-endpoint <url>] ${KUBE_USAGE} [--stacks-dir <dir>]`,
  "",
  "Read-only: nothing is changed, so there is no --dry-run. The store is read with the AWS credential chain",
  `(env, profile, SSO); --store-endpoint (or ${STORE_ENDPOINT_ENV}) replaces the platform's store address, e.g. a`,
  "port-forward to the local platform's in-cluster store.",
  KUBE_HELP,
].join("\n");

const OPTIONS = { "store-endpoint": { type: "string" }, ...STACK_OPTIONS } as const;

async function observe<T>(fn: () => Promise<T>, describe: (err: unknown) => string): Promise<Observed<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
}

export interface StatusDeps {
  readonly storeClient?: StoreClientFactory;
  readonly env?: NodeJS.ProcessEnv;
}

export async function cli(argv: readonly string[], print: (line: string) => void = console.log, printErr: (line: string) => void = console.error, deps: StatusDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  let values: ReturnType<typeof parseCliArgs<typeof OPTIONS>>;
  let stack: string;
  try {
    values = parseCliArgs(argv, OPTIONS, USAGE);
    stack = required(values.stack, "--stack", USAGE);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printErr(err.message);
    return EXIT.usage;
  }
  const targets = loadTargets(stack, values["stacks-dir"], printErr);
  if (typeof targets === "number") return targets;

  const cluster = await connectCluster(values, env, printErr);
  if (typeof cluster === "number") return cluster;
  const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

  const endpoint = values["store-endpoint"] ?? env[STORE_ENDPOINT_ENV];
  const s3 = (deps.storeClient ?? defaultStoreClient)(targets.store, endpoint);
  const effectiveEndpoint = endpoint ?? targets.store.endpoint;
  let adapters: AdapterObservation[];
  try {
    adapters = await Promise.all(
      targets.adapters.map(async (target) => ({
        target,
        store: await observe(
          () => storeRuns(s3, targets.store.bucket, target.name),
          (err) => storeErrorMessage(err, targets.store, effectiveEndpoint),
        ),
        jobs: await observe(() => cluster.runJobs(targets.namespace, target.name), message),
      })),
    );
  } finally {
    s3.destroy();
  }
  const services: ServiceObservation[] = await Promise.all(
    targets.services.map(async (target) => ({
      target,
      deployment: await observe(() => cluster.deployment(target.namespace, target.workload), message),
      pods: await observe(() => cluster.servicePods(target.namespace, target.selector), message),
    })),
  );
  for (const line of formatStatus(targets, adapters, services)) print(line);
  return anyFailed(adapters, services) ? EXIT.failed : EXIT.ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
