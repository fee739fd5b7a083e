/**
 * `llmkit status`, the pure part: what the store and the cluster said (plain observations, read by
 * ./store-runs.ts and ./kube.ts) combined with what the stack expects (./targets.ts) into tables.
 * No I/O here, so every state and line is unit-tested (ops/status.test.ts).
 */
import type { ManifestSummary } from "../components/lib/adapter-manifest.ts";
import type { StoreRun } from "./store-runs.ts";
import type { AdapterTarget, ServiceTarget, StackTargets } from "./targets.ts";

/** A Job of one run, as the API server reports it. */
export interface JobObservation {
  readonly name: string;
  readonly runId: string;
  readonly active: number;
  readonly suspended: boolean;
  readonly conditions: readonly { readonly type: string; readonly status: string; readonly reason?: string }[];
}

/** A pod of a service: readiness and the adapters its vLLM container was started with. */
export interface ServicePodObservation {
  readonly name: string;
  readonly ready: boolean;
  /** `--lora-modules` of the `vllm` container: adapter name → run id (the last segment of its path). */
  readonly adapters: readonly { readonly name: string; readonly runId: string }[];
  /** FOLLOW_ADAPTERS of the `adapter-follow` container: the runs it loads at run time once published. */
  readonly following?: readonly { readonly name: string; readonly runId: string }[];
}

export interface DeploymentObservation {
  readonly desired: number;
  readonly ready: number;
  readonly updated: number;
}

/** What one source said, or why it could not be read (the command then exits 1). */
export type Observed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface AdapterObservation {
  readonly target: AdapterTarget;
  readonly store: Observed<Map<string, StoreRun | undefined>>;
  readonly jobs: Observed<readonly JobObservation[]>;
}

export interface ServiceObservation {
  readonly target: ServiceTarget;
  /** undefined value: no such Deployment (not deployed). */
  readonly deployment: Observed<DeploymentObservation | undefined>;
  readonly pods: Observed<readonly ServicePodObservation[]>;
}

/** The `--lora-modules` items of `vllm serve` args (components/serving/engine-args.ts): `{"name","path",…}` JSON each. */
export function loraModules(args: readonly string[]): { name: string; runId: string }[] {
  const at = args.indexOf("--lora-modules");
  if (at < 0) return [];
  const out: { name: string; runId: string }[] = [];
  for (const item of args.slice(at + 1)) {
    if (item.startsWith("--")) break;
    try {
      const m = JSON.parse(item) as { name?: unknown; path?: unknown };
      if (typeof m.name === "string" && typeof m.path === "string") out.push({ name: m.name, runId: m.path.replace(/\/$/, "").split("/").pop() ?? "" });
    } catch {
      // vLLM also takes `name=path`; the kit never renders it
      const [name, path] = item.split("=", 2);
      if (name !== undefined && path !== undefined) out.push({ name, runId: path.replace(/\/$/, "").split("/").pop() ?? "" });
    }
  }
  return out;
}

/** `<name>=adapters/<name>/<runId>/` items of the adapter-follow container's FOLLOW_ADAPTERS (components/serving/render.ts). */
export function followModules(value: string | undefined): { name: string; runId: string }[] {
  return (value ?? "").split(" ").flatMap((item) => {
    const at = item.indexOf("=");
    return at <= 0 ? [] : [{ name: item.slice(0, at), runId: item.slice(at + 1).replace(/\/$/, "").split("/").pop() ?? "" }];
  });
}

/** One Job's state from its conditions (kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup). */
export function jobState(job: JobObservation): string {
  const isTrue = (type: string) => job.conditions.find((c) => c.type === type && c.status === "True");
  if (isTrue("Complete")) return "complete";
  const failed = isTrue("Failed");
  if (failed) return `failed${failed.reason !== undefined ? ` (${failed.reason})` : ""}`;
  if (job.suspended) return "queued";
  return job.active > 0 ? "training" : "pending";
}

/**
 * A run's state: the store decides once `_SUCCESS` exists; before that the run's Job says where it
 * is; a prefix without marker and without Job is incomplete (an interrupted publish).
 */
export function runState(run: StoreRun | undefined, job: JobObservation | undefined, isCurrent: boolean): string {
  if (run?.published === true) return "published";
  if (job !== undefined) {
    const s = jobState(job);
    return s === "complete" ? "complete, not published" : s;
  }
  if (run !== undefined) return "incomplete";
  return isCurrent ? "not started" : "missing";
}

export interface RunRow {
  readonly runId: string;
  readonly state: string;
  /** finalEvalLoss; null when the run evaluated nothing; undefined without a manifest. */
  readonly evalLoss: number | null | undefined;
  readonly createdAt?: string;
  readonly current: boolean;
  readonly pinned: boolean;
  readonly smoke: readonly { readonly prompt: string; readonly output: string }[];
  /** The manifest's adapter-vs-base metrics; empty for manifests without them. */
  readonly evaluation: NonNullable<ManifestSummary["evaluation"]>;
  readonly problem?: string;
}

/** Rows for one adapter: the current run first, then newest published first, then by run id. */
export function adapterRows(target: AdapterTarget, runs: Map<string, StoreRun | undefined>, jobs: readonly JobObservation[]): RunRow[] {
  const ids = new Set<string>([...runs.keys(), ...jobs.map((j) => j.runId)]);
  if (target.currentRunId !== undefined) ids.add(target.currentRunId);
  if (target.pinnedRunId !== undefined) ids.add(target.pinnedRunId);
  const rows = [...ids].map((runId): RunRow => {
    const run = runs.get(runId);
    const job = jobs.find((j) => j.runId === runId);
    const current = runId === target.currentRunId;
    return {
      runId,
      state: runState(run, job, current),
      evalLoss: run?.manifest?.result.finalEvalLoss,
      ...(run?.manifest?.createdAt !== undefined ? { createdAt: run.manifest.createdAt } : {}),
      current,
      pinned: runId === target.pinnedRunId,
      smoke: run?.manifest?.smoke ?? [],
      evaluation: run?.manifest?.evaluation ?? {},
      ...(run?.manifestProblem !== undefined ? { problem: run.manifestProblem } : {}),
    };
  });
  return rows.sort((a, b) => {
    if (a.current !== b.current) return a.current ? -1 : 1;
    if ((a.createdAt ?? "") !== (b.createdAt ?? "")) return (b.createdAt ?? "").localeCompare(a.createdAt ?? "");
    return a.runId.localeCompare(b.runId);
  });
}

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function table(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => (indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).trimEnd());
}

/** Untrusted model text on one line: JSON-escaped (no control characters reach the terminal), cut at `max`. */
export function quote(text: string, max = 72): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

const loss = (v: number | null | undefined) => (v === undefined ? "-" : v === null ? "none" : v.toFixed(4));

export function formatAdapter(obs: AdapterObservation): string[] {
  const { target } = obs;
  const head = [target.currentRunId !== undefined ? `current run ${target.currentRunId}` : "not trained by this stack", `pinned ${target.pinnedRunId ?? (target.followedBy === undefined ? "none" : `none, followed by ${target.followedBy.join(", ")}`)}`];
  const lines = [`adapter ${target.name} (${head.join(", ")})`];
  if (!obs.store.ok) lines.push(`  store: ${obs.store.error}`);
  if (!obs.jobs.ok) lines.push(`  cluster: ${obs.jobs.error}`);
  const rows = adapterRows(target, obs.store.ok ? obs.store.value : new Map(), obs.jobs.ok ? obs.jobs.value : []);
  const cells = [["RUN", "STATE", "EVAL LOSS", "PUBLISHED", ""]];
  for (const r of rows) {
    const marks = [r.current ? "current" : "", r.pinned ? "pinned" : ""].filter((m) => m !== "").join(", ");
    cells.push([r.runId, r.state, loss(r.evalLoss), r.createdAt ?? "-", marks]);
  }
  const tableLines = table(cells);
  lines.push(tableLines[0]!);
  rows.forEach((r, i) => {
    lines.push(tableLines[i + 1]!);
    if (r.problem !== undefined) lines.push(`      problem: ${r.problem}`);
    const metrics = Object.entries(r.evaluation).map(([name, m]) => `${name} ${m.adapter.toFixed(4)} vs ${m.base === null ? "-" : m.base.toFixed(4)}`);
    if (metrics.length > 0) lines.push(`      eval (adapter vs base) ${metrics.join(", ")}`);
    for (const s of r.smoke) lines.push(`      smoke ${quote(s.prompt, 40)} → ${quote(s.output)}`);
  });
  return lines;
}

/** "4b78589955b6 on 2/2 pods" or, mid-rollout, "4b78589955b6 on 1/2 pods, 0123456789ab on 1/2 pods". */
function loadedCell(adapter: string, pods: readonly ServicePodObservation[]): string {
  const counts = new Map<string, number>();
  for (const p of pods) for (const a of p.adapters.filter((x) => x.name === adapter)) counts.set(a.runId, (counts.get(a.runId) ?? 0) + 1);
  if (counts.size === 0) return pods.length === 0 ? "-" : `not loaded (0/${pods.length} pods)`;
  return [...counts].map(([id, n]) => `${id} on ${n}/${pods.length} pods`).join(", ");
}

export function formatService(obs: ServiceObservation): string[] {
  const { target } = obs;
  const lines: string[] = [];
  let replicas: string;
  if (!obs.deployment.ok) replicas = "replicas unknown";
  else if (obs.deployment.value === undefined) replicas = "not deployed";
  else replicas = `${obs.deployment.value.ready}/${obs.deployment.value.desired} ready`;
  lines.push(`service ${target.name} (${target.runtime}): ${replicas}`);
  lines.push(`  endpoint ${target.endpoint}`);
  if (target.gatewayUrl !== undefined) lines.push(`  gateway  ${target.gatewayUrl}`);
  if (!obs.deployment.ok) lines.push(`  cluster: ${obs.deployment.error}`);
  else if (!obs.pods.ok) lines.push(`  cluster: ${obs.pods.error}`);
  if (target.runtime !== "vllm") return lines;
  // only live pods count: a terminating pod of the old revision has left the endpoints already
  const pods = obs.pods.ok ? obs.pods.value : [];
  const names = [...target.pinned.map((p) => p.name)];
  for (const p of pods) for (const a of p.adapters) if (!names.includes(a.name)) names.push(a.name);
  if (names.length === 0) {
    lines.push(`  base model ${target.baseModelName ?? "?"} only, no adapters`);
    return lines;
  }
  const cells = [["ADAPTER", "PINNED", "LOADED", ""]];
  for (const name of names) {
    const entry = target.pinned.find((p) => p.name === name);
    if (entry?.follows === true) {
      // loaded at run time: the pod spec says which run each pod follows, /v1/models whether it is loaded yet
      const everywhere = pods.length > 0 && pods.every((p) => (p.following ?? []).some((a) => a.name === name && a.runId === entry.runId));
      const verdict = pods.length === 0 ? "" : everywhere ? "follows the current run: loaded once published" : "differs: rollout pending or in progress";
      cells.push([name, `follows ${entry.runId}`, obs.pods.ok ? "at run time (GET /v1/models)" : "?", verdict]);
      continue;
    }
    const pinned = entry?.runId;
    const loaded = loadedCell(name, pods);
    const everywhere = pods.length > 0 && pods.every((p) => p.adapters.some((a) => a.name === name && a.runId === pinned));
    const verdict = pods.length === 0 ? "" : pinned === undefined ? "not pinned (next rollout drops it)" : everywhere ? "ok" : "differs: rollout pending or in progress";
    cells.push([name, pinned ?? "-", obs.pods.ok ? loaded : "?", verdict]);
  }
  lines.push(...table(cells));
  return lines;
}

export function formatStatus(targets: StackTargets, adapters: readonly AdapterObservation[], services: readonly ServiceObservation[]): string[] {
  const lines = [`stack ${targets.stack}: namespace ${targets.namespace}, store s3://${targets.store.bucket}`];
  for (const a of adapters) lines.push("", ...formatAdapter(a));
  for (const s of services) lines.push("", ...formatService(s));
  if (adapters.length === 0 && services.length === 0) lines.push("", "no fine-tunes, pinned adapters or services in this stack");
  return lines;
}

/** Whether any source failed (exit 1). */
export function anyFailed(adapters: readonly AdapterObservation[], services: readonly ServiceObservation[]): boolean {
  return adapters.some((a) => !a.store.ok || !a.jobs.ok) || services.some((s) => !s.deployment.ok || !s.pods.ok);
}
