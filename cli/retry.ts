/**
 * `llmkit up` retries a fine-tune Job that failed. A Job that failed (dataset missing, OOM, deadline)
 * stays Failed, and with an unchanged spec the program declares the same Job, so an update has
 * nothing to do; a Job deleted by hand stays in the Pulumi state, so an update does not recreate it
 * either. Before previewing, `up` reads the stack's state (Automation API `exportStack`), finds the
 * fine-tunes' Jobs by their labels, and asks the cluster about each, through the kubeconfig of the
 * Pulumi provider that created it:
 *   - Failed (condition Failed=True): the preview shows it replaced (`replace`); after the
 *     confirmation a targeted `destroy` deletes it, `up` waits until it is gone from the cluster,
 *     and the update creates it again;
 *   - missing: the preview shows it replaced; after the confirmation a targeted `refresh` drops it
 *     from the state and the update creates it again.
 * Not a plain `replace` in the update: the Job's name is fixed, and the Kubernetes provider only
 * deletes before replacing when its own diff asks for the replacement; a forced one is create-then-
 * delete, which with server-side apply updates the existing Job in place and then deletes it
 * (pulumi-kubernetes provider/v4@v4.0.0-20260115033456-f47bc2d6f199 pkg/provider/provider.go:1510
 * deleteBeforeReplace, pkg/await/await.go:211 "we always upsert the object"); with the Pulumi
 * lane's binaries it left no Job in the cluster and the old uid in the state (e2e/pulumi/README.md).
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { RUN_ID_LABEL } from "../components/training/train-job.ts";
import { PART_OF } from "../components/lib/labels.ts";
import type { KubeOptions, LiveJob } from "../ops/kube.ts";

const JOB_TYPE = "kubernetes:batch/v1:Job";
const PROVIDER_TYPE = "pulumi:providers:kubernetes";

/**
 * The Jobs a FineTune registers, by their `app.kubernetes.io/component` label (training
 * train-job.ts, merge.ts, gguf.ts), named as the messages name them. Mirror Jobs and anything
 * else are never touched.
 */
const FINE_TUNE_COMPONENTS: Readonly<Record<string, string>> = { training: "Job", merge: "merge Job", "gguf-export": "GGUF export Job" };

/** A fine-tune's Job as the Pulumi state has it. */
export interface StateJob {
  readonly urn: string;
  readonly namespace: string;
  readonly name: string;
  /** The fine-tune (label app.kubernetes.io/instance). */
  readonly fineTune: string;
  /** Label app.kubernetes.io/component: training, merge or gguf-export. */
  readonly component: string;
  readonly runId?: string;
  /** Where the Pulumi provider that created it connects to. */
  readonly kube: KubeOptions;
}

/** The parts of `pulumi stack export --show-secrets` read here. */
interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  readonly provider?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
  /** A resource pending deletion (an interrupted replacement): not the live one. */
  readonly delete?: boolean;
}

/** Pulumi's secret signature in serialized state; with --show-secrets the value is JSON in `plaintext`. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

function unsecret(value: unknown): unknown {
  if (typeof value !== "object" || value === null || (value as Record<string, unknown>)[SECRET_SIG] !== SECRET_VALUE) return value;
  const plaintext = (value as { plaintext?: unknown }).plaintext;
  if (typeof plaintext !== "string") throw new Error("the stack export holds an encrypted secret: it must be exported with --show-secrets");
  return JSON.parse(plaintext) as unknown;
}

/**
 * The provider's own reading of its `kubeconfig` input: a path to a file when one exists there
 * (`~` expanded), else the kubeconfig's text; empty means the ambient KUBECONFIG or ~/.kube/config
 * (pulumi-kubernetes provider/v4@v4.0.0-20260115033456-f47bc2d6f199 pkg/provider/util.go:136
 * parseKubeconfigString, pkg/provider/provider.go:761).
 */
export function providerKube(inputs: Record<string, unknown> | undefined, home = homedir()): KubeOptions {
  const kubeconfig = unsecret(inputs?.kubeconfig);
  const context = unsecret(inputs?.context);
  const withContext = typeof context === "string" && context !== "" ? { context } : {};
  if (typeof kubeconfig !== "string" || kubeconfig === "") return withContext;
  const path = kubeconfig === "~" ? home : kubeconfig.startsWith("~/") ? join(home, kubeconfig.slice(2)) : kubeconfig;
  return existsSync(path) ? { kubeconfig: path, ...withContext } : { kubeconfigText: kubeconfig, ...withContext };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** The fine-tunes' Jobs in an exported deployment (`Deployment.deployment` of the Automation API). */
export function fineTuneJobs(deployment: unknown, home = homedir()): StateJob[] {
  const resources = (record(deployment).resources ?? []) as StateResource[];
  const providers = new Map(resources.filter((r) => r.type === PROVIDER_TYPE).map((r) => [`${r.urn}::${r.id ?? ""}`, r]));
  const jobs: StateJob[] = [];
  for (const r of resources) {
    if (r.type !== JOB_TYPE || r.delete === true) continue;
    const metadata = record(r.outputs?.metadata);
    const labels = record(metadata.labels) as Record<string, string | undefined>;
    const component = labels["app.kubernetes.io/component"] ?? "";
    const fineTune = labels["app.kubernetes.io/instance"];
    if (labels["app.kubernetes.io/part-of"] !== PART_OF || !(component in FINE_TUNE_COMPONENTS) || fineTune === undefined) continue;
    if (typeof metadata.name !== "string" || typeof metadata.namespace !== "string") continue;
    const provider = r.provider === undefined ? undefined : providers.get(r.provider);
    if (r.provider !== undefined && provider === undefined) throw new Error(`the state has no provider ${r.provider} for ${r.urn}`);
    const runId = labels[RUN_ID_LABEL];
    jobs.push({
      urn: r.urn,
      namespace: metadata.namespace,
      name: metadata.name,
      fineTune,
      component,
      ...(runId !== undefined ? { runId } : {}),
      kube: providerKube(provider?.inputs, home),
    });
  }
  return jobs;
}

/** What `up` does about the fine-tunes' Jobs before its update. */
export interface RetryPlan {
  /** One line per Job to retry, for the terminal. */
  readonly lines: readonly string[];
  /** URNs the preview shows replaced: every Job below. */
  readonly replace: readonly string[];
  /** Failed Jobs: a targeted destroy deletes them before the update. */
  readonly destroy: readonly StateJob[];
  /** Jobs missing from the cluster: a targeted refresh drops them from the state before the update. */
  readonly refresh: readonly StateJob[];
}

export const NO_RETRY: RetryPlan = { lines: [], replace: [], destroy: [], refresh: [] };

function failure(live: LiveJob): string | undefined {
  const failed = live.conditions.find((c) => c.type === "Failed");
  if (failed === undefined) return undefined;
  const why = [failed.reason, failed.message].filter((s) => s !== undefined && s !== "").join(": ");
  return why === "" ? "failed" : `failed (${why})`;
}

/**
 * A training retry keeps the run id, so the new pod's restore step picks up the newest complete
 * checkpoint the failed one uploaded (components/training/README.md, FineTune: `restore`).
 */
function resumes(job: StateJob): string {
  return job.component === "training" && job.runId !== undefined
    ? `; it resumes from the newest complete checkpoint under checkpoints/${job.fineTune}/${job.runId}/ in the store, if an earlier pod of the run saved one`
    : "";
}

/** A Job of the state with its state in the cluster (undefined: not there). */
export interface ObservedJob {
  readonly job: StateJob;
  readonly live: LiveJob | undefined;
}

export function retryPlan(observed: readonly ObservedJob[]): RetryPlan {
  const lines: string[] = [];
  const destroy: StateJob[] = [];
  const refresh: StateJob[] = [];
  for (const { job, live } of observed) {
    const what = `fine-tune ${job.fineTune}: ${FINE_TUNE_COMPONENTS[job.component]} ${job.namespace}/${job.name}`;
    if (live === undefined) {
      lines.push(`${what} is in the stack's state but not in the cluster (deleted by hand?): it will be created again${resumes(job)}`);
      refresh.push(job);
      continue;
    }
    const failed = failure(live);
    if (failed === undefined) continue;
    lines.push(`${what} ${failed}: it will be replaced${resumes(job)}`);
    destroy.push(job);
  }
  return { lines, replace: [...destroy, ...refresh].map((j) => j.urn), destroy, refresh };
}

/** Reads Jobs from the cluster a provider's settings point at (ops/kube.ts `Cluster` in `up`). */
export type JobReader = (kube: KubeOptions) => Promise<{ job(namespace: string, name: string): Promise<LiveJob | undefined> }>;

/** The parts of an Automation API `Stack` used here. */
export interface RetryStack {
  exportStack(): Promise<{ deployment: unknown }>;
  destroy(opts: { target: string[]; onOutput: (line: string) => void }): Promise<unknown>;
  refresh(opts: { target: string[]; onOutput: (line: string) => void }): Promise<unknown>;
}

/** The plan for a stack: its state, then each fine-tune Job in the cluster (one connection per provider). */
export async function findRetries(stack: RetryStack, reader: JobReader): Promise<RetryPlan> {
  const jobs = fineTuneJobs((await stack.exportStack()).deployment);
  const clusters = new Map<string, ReturnType<JobReader>>();
  const observed: ObservedJob[] = [];
  for (const job of jobs) {
    const key = JSON.stringify(job.kube);
    if (!clusters.has(key)) clusters.set(key, reader(job.kube));
    try {
      observed.push({ job, live: await (await clusters.get(key)!).job(job.namespace, job.name) });
    } catch (err) {
      throw new Error(`checking fine-tune ${job.fineTune}'s Job for a retry: ${(err as Error).message} (--no-retry skips this check)`);
    }
  }
  return retryPlan(observed);
}

/**
 * @default 300 — how long `up` waits for a deleted Job to be gone. The provider deletes it in the
 * foreground (its pods first) and, for a Job with `pulumi.com/skipAwait` as the kit's are, does not
 * wait (pulumi-kubernetes provider/v4@v4.0.0-20260115033456-f47bc2d6f199 pkg/metadata/overrides.go:175
 * DeletedCondition, :190 allowsSkipAwaitWithDelete); creating the new Job while the old one is still
 * there would patch the old one, which then disappears.
 */
export const GONE_TIMEOUT_SECONDS = 300;

async function waitGone(job: StateJob, reader: JobReader, timeoutS: number, pollMs: number): Promise<void> {
  const cluster = await reader(job.kube);
  const deadline = Date.now() + timeoutS * 1000;
  while ((await cluster.job(job.namespace, job.name)) !== undefined) {
    if (Date.now() >= deadline) {
      throw new Error(`fine-tune ${job.fineTune}: Job ${job.namespace}/${job.name} is still being deleted after ${timeoutS}s (its pods go first): run up again once it is gone`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * After the confirmation: failed Jobs deleted and gone from the cluster, missing ones dropped from
 * the state, so the update creates each one again.
 */
export async function clearForRetry(
  stack: RetryStack,
  plan: RetryPlan,
  reader: JobReader,
  onOutput: (line: string) => void,
  wait = { timeoutS: GONE_TIMEOUT_SECONDS, pollMs: 1000 },
): Promise<void> {
  if (plan.destroy.length > 0) {
    await stack.destroy({ target: plan.destroy.map((j) => j.urn), onOutput });
    for (const job of plan.destroy) await waitGone(job, reader, wait.timeoutS, wait.pollMs);
  }
  if (plan.refresh.length > 0) await stack.refresh({ target: plan.refresh.map((j) => j.urn), onOutput });
}
