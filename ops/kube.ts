/**
 * The cluster side of `llmkit status|logs|chat`, through @kubernetes/client-node (the Kubernetes
 * project's JavaScript client: kubeconfig loading with exec and OIDC auth, the typed API, pod
 * logs and port-forward over WebSocket), so no kubectl is needed. It uses the current context of
 * KUBECONFIG or ~/.kube/config (or `--kubeconfig`/`--context`); for an aws platform that is the
 * context `aws eks update-kubeconfig` wrote, not the platform stack's kubeconfig output.
 * Reads only: Jobs, Deployments, pods, pod logs, one Secret (the API key), and a port-forward.
 * `llmkit up` reads the stack's fine-tune Jobs through it too (cli/retry.ts), with the kubeconfig
 * of the Pulumi provider that created them.
 */
import { existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Writable } from "node:stream";
import type * as K8s from "@kubernetes/client-node";
import { RUN_ID_LABEL } from "./targets.ts";
import type { DeploymentObservation, JobObservation, ServicePodObservation } from "./status.ts";
import { followModules, loraModules } from "./status.ts";

/** No usable kube context: a config error (exit 2), its message names the fix. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeConfigError";
  }
}

export interface KubeOptions {
  readonly kubeconfig?: string;
  /** A kubeconfig's text, as a Pulumi Kubernetes provider's `kubeconfig` input may hold it (instead of a path). */
  readonly kubeconfigText?: string;
  readonly context?: string;
}

/** A Job as `llmkit up` sees it before deploying (cli/retry.ts). */
export interface LiveJob {
  /** Conditions with status True, e.g. Failed (reason BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy). */
  readonly conditions: readonly { readonly type: string; readonly reason?: string; readonly message?: string }[];
}

/** Pod of a training run (newest last). */
export interface RunPod {
  readonly name: string;
  readonly phase: string;
  readonly createdAt: string;
  /** Containers in start order: init containers (restore, checkpoint-sync, train), then publish. */
  readonly containers: readonly { readonly name: string; readonly state: "waiting" | "running" | "terminated" | "unknown" }[];
}

type Client = typeof K8s;

function label(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** One line for any client error: the API server's message and status, or the connection failure. */
export function kubeErrorMessage(err: unknown, server: string): string {
  const e = err as { code?: unknown; body?: unknown; message?: string; cause?: { code?: string; message?: string } };
  if (typeof e.code === "number") {
    let message = "";
    try {
      const body = typeof e.body === "string" ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
      message = body?.message ?? "";
    } catch {
      message = typeof e.body === "string" ? e.body : "";
    }
    return `the API server at ${server} answered ${e.code}${message !== "" ? `: ${message}` : ""}`;
  }
  const code = typeof e.code === "string" ? e.code : e.cause?.code;
  if (code !== undefined && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(code)) {
    return `cannot reach the API server at ${server} (${code}): is the current kube context the right cluster, and is it up?`;
  }
  return `${e.message ?? String(err)}${e.cause?.message !== undefined ? ` (${e.cause.message})` : ""} talking to ${server}`;
}

export class Cluster {
  private constructor(
    private readonly k8s: Client,
    readonly config: K8s.KubeConfig,
    /** The API server URL, for messages. */
    readonly server: string,
  ) {}

  /** Loads the kube context; throws KubeConfigError when there is none to use. */
  static async connect(opts: KubeOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<Cluster> {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    if (opts.kubeconfig !== undefined) {
      if (!existsSync(opts.kubeconfig)) throw new KubeConfigError(`--kubeconfig ${opts.kubeconfig}: no such file`);
      kc.loadFromFile(opts.kubeconfig);
    } else if (opts.kubeconfigText !== undefined) {
      kc.loadFromString(opts.kubeconfigText);
    } else if ((env.KUBECONFIG ?? "") !== "" || existsSync(join(env.HOME ?? homedir(), ".kube", "config"))) {
      kc.loadFromDefault();
    } else if (env.KUBERNETES_SERVICE_HOST !== undefined) {
      kc.loadFromCluster();
    } else {
      throw new KubeConfigError("no kube context: KUBECONFIG is unset and ~/.kube/config does not exist: point KUBECONFIG at the cluster's kubeconfig (aws: `aws eks update-kubeconfig --name <cluster>`) or pass --kubeconfig");
    }
    if (opts.context !== undefined) {
      if (kc.getContextObject(opts.context) === null) {
        throw new KubeConfigError(`--context ${opts.context}: no such context (contexts: ${kc.getContexts().map((c) => c.name).join(", ") || "none"})`);
      }
      kc.setCurrentContext(opts.context);
    }
    const cluster = kc.getCurrentCluster();
    if (kc.getCurrentContext() === "" || cluster === null) {
      throw new KubeConfigError("no current kube context: pick one with `kubectl config use-context <name>` or pass --context");
    }
    return new Cluster(k8s, kc, cluster.server);
  }

  private core() {
    return this.config.makeApiClient(this.k8s.CoreV1Api);
  }

  /** Wraps client errors into one-line messages. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new Error(`${what}: ${kubeErrorMessage(err, this.server)}`);
    }
  }

  /** Training Jobs of a fine-tune (every run still in the cluster), by the kit's labels. */
  async runJobs(namespace: string, fineTune: string): Promise<JobObservation[]> {
    const api = this.config.makeApiClient(this.k8s.BatchV1Api);
    const selector = label({ "app.kubernetes.io/instance": fineTune, "app.kubernetes.io/component": "training" });
    const list = await this.call(`listing Jobs in ${namespace}`, () => api.listNamespacedJob({ namespace, labelSelector: selector }));
    return list.items
      .filter((j) => j.metadata?.labels?.[RUN_ID_LABEL] !== undefined)
      .map((j) => ({
        name: j.metadata?.name ?? "",
        runId: j.metadata!.labels![RUN_ID_LABEL]!,
        active: j.status?.active ?? 0,
        suspended: j.spec?.suspend === true,
        conditions: (j.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, ...(c.reason !== undefined ? { reason: c.reason } : {}) })),
      }));
  }

  /** undefined when there is no such Job. */
  async job(namespace: string, name: string): Promise<LiveJob | undefined> {
    const api = this.config.makeApiClient(this.k8s.BatchV1Api);
    try {
      const j = await api.readNamespacedJob({ name, namespace });
      const conditions = (j.status?.conditions ?? [])
        .filter((c) => c.status === "True")
        .map((c) => ({ type: c.type, ...(c.reason !== undefined ? { reason: c.reason } : {}), ...(c.message !== undefined ? { message: c.message } : {}) }));
      return { conditions };
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return undefined;
      throw new Error(`reading Job ${namespace}/${name}: ${kubeErrorMessage(err, this.server)}`);
    }
  }

  /** undefined when there is no such Deployment. */
  async deployment(namespace: string, name: string): Promise<DeploymentObservation | undefined> {
    const api = this.config.makeApiClient(this.k8s.AppsV1Api);
    try {
      const d = await api.readNamespacedDeployment({ name, namespace });
      return { desired: d.spec?.replicas ?? 1, ready: d.status?.readyReplicas ?? 0, updated: d.status?.updatedReplicas ?? 0 };
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return undefined;
      throw new Error(`reading Deployment ${namespace}/${name}: ${kubeErrorMessage(err, this.server)}`);
    }
  }

  private async livePods(namespace: string, selector: Record<string, string>): Promise<K8s.V1Pod[]> {
    const list = await this.call(`listing pods in ${namespace}`, () => this.core().listNamespacedPod({ namespace, labelSelector: label(selector) }));
    return list.items.filter((p) => p.metadata?.deletionTimestamp === undefined && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  }

  /** Live pods of a service (not terminating or finished), with the adapters their vLLM container was started with. */
  async servicePods(namespace: string, selector: Record<string, string>): Promise<(ServicePodObservation & { readonly pod: K8s.V1Pod })[]> {
    const pods = await this.livePods(namespace, selector);
    return pods
      .map((p) => ({
        pod: p,
        name: p.metadata?.name ?? "",
        ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        adapters: loraModules(p.spec?.containers.find((c) => c.name === "vllm")?.args ?? []),
        following: followModules(p.spec?.containers.find((c) => c.name === "adapter-follow")?.env?.find((e) => e.name === "FOLLOW_ADAPTERS")?.value),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Pods of a Job (the Job controller labels them batch.kubernetes.io/job-name), oldest first. */
  async jobPods(namespace: string, job: string): Promise<RunPod[]> {
    const list = await this.call(`listing pods of Job ${namespace}/${job}`, () => this.core().listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/job-name=${job}` }));
    const state = (s: K8s.V1ContainerState | undefined): RunPod["containers"][number]["state"] => (s?.running ? "running" : s?.terminated ? "terminated" : s?.waiting ? "waiting" : "unknown");
    return list.items
      .map((p) => {
        const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
        const containers = [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].map((c) => ({
          name: c.name,
          state: state(statuses.find((s) => s.name === c.name)?.state),
        }));
        return { name: p.metadata?.name ?? "", phase: p.status?.phase ?? "Unknown", createdAt: p.metadata?.creationTimestamp?.toISOString() ?? "", containers };
      })
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  /** Writes one container's log to `out`; with `follow` until the container ends. */
  async logs(namespace: string, pod: string, container: string, out: Writable, follow: boolean): Promise<void> {
    if (!follow) {
      const text = await this.call(`reading logs of ${pod}/${container}`, () => this.core().readNamespacedPodLog({ name: pod, namespace, container }));
      out.write(text);
      return;
    }
    // a pass-through the client may end, so `out` (stdout) stays open for the next container
    const pipe = new PassThrough();
    pipe.on("data", (chunk: Buffer) => out.write(chunk));
    const ended = new Promise<void>((resolve) => pipe.on("end", () => resolve()));
    const log = new this.k8s.Log(this.config);
    try {
      await log.log(namespace, pod, container, pipe, { follow: true });
    } catch (err) {
      throw new Error(`following logs of ${pod}/${container}: ${kubeErrorMessage(err, this.server)}`);
    }
    await ended;
  }

  /** One key of a Secret, decoded. */
  async secretValue(namespace: string, name: string, key: string): Promise<string> {
    let secret: K8s.V1Secret;
    try {
      secret = await this.core().readNamespacedSecret({ name, namespace });
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) throw new Error(`Secret ${namespace}/${name} does not exist: is the stack deployed (llmkit up)?`);
      throw new Error(`reading Secret ${namespace}/${name}: ${kubeErrorMessage(err, this.server)}`);
    }
    const data = secret.data?.[key];
    if (data === undefined || data === "") throw new Error(`Secret ${namespace}/${name} has no key "${key}"`);
    return Buffer.from(data, "base64").toString("utf8");
  }

  /** A ready pod behind `selector`, as `kubectl port-forward svc/…` picks one. */
  async readyPod(namespace: string, selector: Record<string, string>): Promise<string> {
    const pods = await this.livePods(namespace, selector);
    const ready = pods.filter((p) => (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"));
    const pod = ready[0]?.metadata?.name;
    if (pod === undefined) throw new Error(`no ready pod in ${namespace} with ${label(selector)} (${pods.length} pod(s), none ready): see llmkit status`);
    return pod;
  }

  /**
   * `pod`:`port` forwarded to a loopback port. `close()` stops listening and ends the forwarded
   * connections; `error()` is why the last forward failed (the client then only sees a closed connection).
   */
  async portForward(namespace: string, pod: string, port: number): Promise<{ url: string; error(): string | undefined; close(): Promise<void> }> {
    const forward = new this.k8s.PortForward(this.config);
    const sockets = new Set<Socket>();
    let failure: string | undefined;
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {}); // the client sees the connection close; `failure` says why
      forward.portForward(namespace, pod, [port], socket, null, socket).catch((err) => {
        failure = `port-forward to ${namespace}/${pod}:${port} failed: ${kubeErrorMessage(err, this.server)}`;
        socket.destroy();
      });
    });
    const local = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
    return {
      url: `http://127.0.0.1:${local}`,
      error: () => failure,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }
}
