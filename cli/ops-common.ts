/**
 * What `llmkit status|logs|chat` share: loading the stack's targets offline with the same refusals
 * as render and plan (unknown stack, config errors: exit 2), the kube-context flags, and the store
 * client (gitops/promote-store.ts, endpoint override as for `promote --check-store`).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { StoreRef } from "../components/lib/store.ts";
import { ConfigError, loadStackFile, stackFilePath, STACKS_DIR } from "../config/load.ts";
import { storeClient } from "../gitops/promote-store.ts";
import { Cluster, KubeConfigError } from "../ops/kube.ts";
import { stackTargets, type StackTargets } from "../ops/targets.ts";
import { listStacks } from "../render/stack-config.ts";

/** The flags every one of these commands takes: the stack, where stack files are, the kube context. */
export const STACK_OPTIONS = {
  stack: { type: "string", short: "s" },
  "stacks-dir": { type: "string" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
} as const;

export const KUBE_USAGE = "[--kubeconfig <file>] [--context <name>]";

/** How the kube context is chosen, for --help. */
export const KUBE_HELP =
  "The cluster is the current context of KUBECONFIG or ~/.kube/config (--kubeconfig and --context override it); for an aws platform run `aws eks update-kubeconfig --name <cluster>` first: the platform stack's kubeconfig output is not read.";

/** Exit codes of these commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The stack's targets, or the exit code after printing why not. */
export function loadTargets(stack: string, stacksDirFlag: string | undefined, printErr: (line: string) => void): StackTargets | number {
  const stacksDir = resolve(stacksDirFlag ?? STACKS_DIR);
  if (!existsSync(stackFilePath(stack, stacksDir))) {
    printErr(`unknown stack "${stack}": ${stackFilePath(stack, stacksDir)} does not exist (stacks: ${listStacks(stacksDir).join(", ") || "none"})`);
    return EXIT.usage;
  }
  try {
    return stackTargets(loadStackFile(stack, stacksDir));
  } catch (err) {
    if (err instanceof ConfigError) {
      printErr(`stack "${err.stackName}" has ${err.problems.length} config error(s):`);
      for (const p of err.problems) printErr(`  - ${p}`);
      return EXIT.usage;
    }
    throw err;
  }
}

/** Makes the store's S3 client; tests pass their own (test/s3-server.ts). */
export type StoreClientFactory = (store: StoreRef, endpointOverride: string | undefined) => S3Client;
export const defaultStoreClient: StoreClientFactory = (store, endpoint) => storeClient(store, endpoint);

/** A store error as one line, with the fix when the endpoint only resolves inside the cluster. */
export function storeErrorMessage(err: unknown, store: StoreRef, endpoint: string | undefined): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const where = `s3://${store.bucket}${endpoint !== undefined ? ` at ${endpoint}` : ""}`;
  const what = `${e.name ?? "Error"}: ${e.message || e.code || e.cause?.code || String(err)}`;
  // an in-cluster address (the local platform's store): name the port-forward that reaches it
  const url = endpoint !== undefined ? URL.parse(endpoint) : null;
  const [svc, ns] = url?.hostname.split(".") ?? [];
  const hint =
    url !== null && /\.svc(\.cluster\.local)?$/.test(url.hostname)
      ? `: that address resolves only inside the cluster: run \`kubectl -n ${ns} port-forward svc/${svc} ${url.port || 80}\` and pass --store-endpoint http://127.0.0.1:${url.port || 80}`
      : "";
  return `cannot read ${where} (${what})${hint}`;
}

/** The cluster of the kube context the flags pick, or exit 2 after printing why there is none. */
export async function connectCluster(values: { kubeconfig?: string; context?: string }, env: NodeJS.ProcessEnv, printErr: (line: string) => void): Promise<Cluster | number> {
  try {
    return await Cluster.connect({ kubeconfig: values.kubeconfig, context: values.context }, env);
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    printErr(err.message);
    return EXIT.usage;
  }
}
