/**
 * The cluster lane's checks for one group of stacks (a platform stack and the workloads stacks that
 * run on it, or the `local` stack), against a running control plane (e2e/cluster/start.sh):
 *
 *   npx tsx e2e/cluster/checks.ts --list-groups
 *   npx tsx e2e/cluster/checks.ts --group platform-dev --kubeconfig <file> --out <dir>
 *
 * Renders each stack with the kit's render CLI, installs the upstream CRDs, creates KWOK nodes
 * derived from the platform's rendered NodePools, server-side applies every rendered object, waits
 * for the workloads, asserts where the scheduler put them, then drains a serving node and evicts
 * through the PodDisruptionBudget. One line per check: `PASS <check>` or `FAIL <check>: <why>`;
 * `NOTE` lines are facts worth reading that pass or fail nothing. Exit 1 when any check failed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments, parse } from "yaml";
import { POOL_LABEL } from "../../components/lib/scheduling.ts";
import { PURPOSE_LABEL } from "../../components/platform/aws/karpenter/pools.ts";
import { listStacks } from "../../render/stack-config.ts";
import { loadStackFile } from "../../config/load.ts";
import { Kube, waitFor, type KubeObject, type Live } from "./kube.ts";
import { platformNodes } from "./nodes.ts";
import { Report } from "../lib/report.ts";
import { localChecks } from "./local-checks.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CRDS_DIR = process.env.LLMKIT_CRDS_DIR ?? resolve(ROOT, "../shared/contracts/crds");
const GPU = "nvidia.com/gpu";

const report = new Report();
const check = report.check.bind(report);
const note = report.note.bind(report);

/** Groups: each platform stack with the workloads stacks naming it; a layer-`all` stack alone. */
export function groups(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const stacks = listStacks();
  for (const s of stacks) {
    const { config } = loadStackFile(s);
    if (config.layer === "platform" || config.layer === "all") out.set(s, [s]);
  }
  for (const s of stacks) {
    const { config } = loadStackFile(s);
    if (config.layer === "workloads") {
      const g = config.platformStack !== undefined ? out.get(config.platformStack) : undefined;
      if (g === undefined) throw new Error(`${s}: platform stack ${String(config.platformStack)} is not shipped`);
      g.push(s);
    }
  }
  return out;
}

function render(stack: string, outDir: string): { objects: KubeObject[]; resources: Live[] } {
  const r = spawnSync(process.execPath, ["--import", "tsx", resolve(ROOT, "cli/render.ts"), "--stack", stack, "--out", outDir], { cwd: ROOT, encoding: "utf8" });
  check(`render ${stack}`, r.status === 0, `exit ${r.status}: ${(r.stderr || r.stdout).trim().split("\n").slice(-5).join(" | ")}`);
  const dir = join(outDir, "manifests");
  const objects = existsSync(dir) ? readdirSync(dir).sort().map((f) => parse(readFileSync(join(dir, f), "utf8")) as KubeObject) : [];
  const resources = existsSync(join(outDir, "resources.json")) ? JSON.parse(readFileSync(join(outDir, "resources.json"), "utf8")) : [];
  return { objects, resources };
}

/**
 * render writes Secrets with their data redacted (`stringData: "[secret]"`). The server needs a map:
 * each key some rendered pod reads through secretKeyRef gets a dummy value, or one dummy key.
 */
export function fillRedactedSecrets(objects: KubeObject[]): void {
  const keys = new Map<string, Set<string>>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === "object") {
      const o = v as Record<string, Live>;
      if (o.secretKeyRef?.name !== undefined && o.secretKeyRef.key !== undefined) {
        const set = keys.get(o.secretKeyRef.name) ?? new Set<string>();
        set.add(o.secretKeyRef.key);
        keys.set(o.secretKeyRef.name, set);
      }
      Object.values(o).forEach(visit);
    }
  };
  objects.forEach(visit);
  for (const o of objects) {
    if (o.kind !== "Secret") continue;
    for (const field of ["stringData", "data"] as const) {
      if (typeof o[field] === "string") {
        const names = [...(keys.get(o.metadata.name) ?? new Set(["redacted"]))];
        o[field] = Object.fromEntries(names.map((k) => [k, field === "data" ? Buffer.from("e2e-dummy").toString("base64") : "e2e-dummy"]));
      }
    }
  }
}

export const BUILTIN_GROUPS = new Set(["v1", "apps", "batch", "policy", "networking.k8s.io", "rbac.authorization.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "autoscaling", "coordination.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io"]);
export const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0]! : "v1");

/** Apply order: namespaces, cluster-wide basics, identities and config, then everything else. */
export function rank(o: KubeObject): number {
  const order = ["Namespace", "PriorityClass", "StorageClass", "ServiceAccount", "ConfigMap", "Secret", "Service"];
  const i = order.indexOf(o.kind);
  if (i >= 0) return i;
  return BUILTIN_GROUPS.has(groupOf(o.apiVersion)) ? order.length : order.length + 1;
}

const describe = (o: KubeObject) => `${o.metadata.namespace ?? "_cluster"}/${o.kind}/${o.metadata.name}`;

function installCrds(kube: Kube): Set<string> | undefined {
  if (!existsSync(CRDS_DIR)) {
    note(`${CRDS_DIR} is absent: custom resources (Gateway API, Envoy Gateway, KEDA, Karpenter, Prometheus Operator) are skipped, not validated`);
    return undefined;
  }
  const served = new Set<string>();
  let files = 0;
  for (const dir of readdirSync(CRDS_DIR).sort()) {
    for (const f of readdirSync(join(CRDS_DIR, dir)).filter((n) => n.endsWith(".yaml")).sort()) {
      files++;
      const r = kube.run(["apply", "--server-side", "--field-manager=llmkit-e2e", "-f", join(CRDS_DIR, dir, f)]);
      check(`CRDs ${dir}/${f} installed`, r.ok, r.stderr);
      for (const doc of parseAllDocuments(readFileSync(join(CRDS_DIR, dir, f), "utf8"))) {
        const crd = doc.toJS();
        if (crd?.kind === "CustomResourceDefinition") served.add(`${crd.spec.group}/${crd.spec.names.kind}`);
      }
    }
  }
  const r = kube.run(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
  check(`CRDs: ${served.size} kinds from ${files} files established`, r.ok, r.stderr);
  return served;
}

interface Applied {
  readonly stack: string;
  readonly objects: KubeObject[];
}

function applyStack(kube: Kube, stack: string, objects: KubeObject[], crds: Set<string> | undefined): void {
  let accepted = 0;
  let rejected = 0;
  let skipped = 0;
  for (const o of [...objects].sort((a, b) => rank(a) - rank(b))) {
    const group = groupOf(o.apiVersion);
    if (!BUILTIN_GROUPS.has(group) && crds !== undefined && !crds.has(`${group}/${o.kind}`)) {
      check(`apply ${stack} ${describe(o)}`, false, `no CRD for ${group}/${o.kind} in ${CRDS_DIR}`);
      rejected++;
      continue;
    }
    if (!BUILTIN_GROUPS.has(group) && crds === undefined) {
      skipped++;
      continue;
    }
    const r = kube.apply(o);
    if (check(`apply ${stack} ${describe(o)}`, r.ok, r.stderr)) accepted++;
    else rejected++;
    // Accepted with a warning (deprecated field or API, PodSecurity audit): worth reading.
    if (r.ok && r.stderr !== "") note(`apply ${stack} ${describe(o)}: ${r.stderr.replace(/\n/g, " | ")}`);
  }
  console.log(`     ${stack}: ${accepted} accepted, ${rejected} rejected${skipped > 0 ? `, ${skipped} skipped (no CRDs)` : ""}`);
}

/**
 * The lane must be able to fail: a copy of a rendered NodePool that requires the label Karpenter
 * reserves (`karpenter.sh/nodepool`) is refused by the pinned CRD's CEL rule (server-side dry run).
 */
function celCanary(kube: Kube, objects: KubeObject[], crds: Set<string> | undefined): void {
  const np = objects.find((o) => o.kind === "NodePool");
  if (np === undefined || crds === undefined) return;
  const bad = structuredClone(np) as Live;
  bad.metadata.name = `${np.metadata.name}-e2e-canary`;
  bad.spec.template.spec.requirements.push({ key: "karpenter.sh/nodepool", operator: "In", values: ["x"] });
  const r = kube.run(["apply", "--server-side", "--dry-run=server", "--field-manager=llmkit-e2e", "-f", "-"], JSON.stringify(bad));
  check(`canary: the server's CEL rules refuse a NodePool requiring karpenter.sh/nodepool`, !r.ok && r.stderr.includes("karpenter.sh/nodepool"), r.ok ? "accepted" : r.stderr);
}

/**
 * The namespaces enforce PodSecurity `baseline` (pods that break it are never created, so the
 * readiness checks catch them) and audit `restricted`. A server-side dry run of enforce=restricted
 * lists the running pods that would break it: a fact for the reader, not a failure.
 */
function podSecurityRestricted(kube: Kube, namespaces: string[]): void {
  for (const ns of namespaces) {
    if (kube.list("pods", ns).length === 0) continue;
    const r = kube.run(["label", "--dry-run=server", "--overwrite", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted"]);
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("Warning:"));
    note(`PodSecurity restricted in ${ns}: ${warnings.length === 0 ? "every pod complies" : warnings.map((w) => w.replace(/^Warning: /, "")).join(" | ")}`);
  }
}

const podGpus = (pod: Live): number =>
  [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].reduce((n: number, c: Live) => Math.max(n, Number(c.resources?.requests?.[GPU] ?? c.resources?.limits?.[GPU] ?? 0)), 0);

function ownerName(pod: Live): string {
  const ref = pod.metadata.ownerReferences?.[0];
  if (ref === undefined) return `Pod/${pod.metadata.name}`;
  // ReplicaSet <deployment>-<hash>: name the Deployment.
  if (ref.kind === "ReplicaSet") return `Deployment/${String(ref.name).replace(/-[a-z0-9]+$/, "")}`;
  return `${ref.kind}/${ref.name}`;
}

async function waitForWorkloads(kube: Kube, namespaces: string[], all: Applied[]): Promise<void> {
  const deployments = all.flatMap((a) => a.objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet"));
  const jobs = all.flatMap((a) => a.objects.filter((o) => o.kind === "Job"));
  for (const d of deployments) {
    const want = Number((d.spec as Live).replicas ?? 1);
    const ok = await waitFor(120, () => {
      const live = kube.get(d.kind.toLowerCase(), d.metadata.name, d.metadata.namespace);
      return Number(live?.status?.readyReplicas ?? 0) >= want ? true : undefined;
    });
    const live = kube.get(d.kind.toLowerCase(), d.metadata.name, d.metadata.namespace);
    check(`${describe(d)}: ${want}/${want} ready`, ok === true, `${live?.status?.readyReplicas ?? 0}/${want} ready after 120s`);
  }
  for (const j of jobs) {
    const ok = await waitFor(120, () => {
      const live = kube.get("job", j.metadata.name, j.metadata.namespace);
      return live?.status?.conditions?.some((c: Live) => c.type === "Complete" && c.status === "True") ? true : undefined;
    });
    const live = kube.get("job", j.metadata.name, j.metadata.namespace);
    check(`${describe(j)}: pods ran to completion`, ok === true, `conditions ${JSON.stringify(live?.status?.conditions ?? [])}`);
  }
  const pending = namespaces.flatMap((ns) => kube.list("pods", ns)).filter((p) => p.status.phase === "Pending");
  const why = pending.map((p) => `${p.metadata.name}: ${p.status.conditions?.find((c: Live) => c.type === "PodScheduled")?.message ?? "not scheduled"}`);
  check(`nothing pending in ${namespaces.join(", ")}`, pending.length === 0, why.join("; "));
}

function assertPlacement(kube: Kube, namespaces: string[], all: Applied[]): void {
  const nodes = new Map<string, Live>(kube.list("nodes").map((n) => [n.metadata.name, n]));
  const pods = namespaces.flatMap((ns) => kube.list("pods", ns)).filter((p) => p.spec.nodeName !== undefined);
  const byOwner = new Map<string, Live[]>();
  for (const p of pods) byOwner.set(ownerName(p), [...(byOwner.get(ownerName(p)) ?? []), p]);

  for (const [owner, ps] of [...byOwner].sort(([a], [b]) => a.localeCompare(b))) {
    const where = [...new Set(ps.map((p) => p.spec.nodeName))].join(", ");
    const problems: string[] = [];
    for (const p of ps) {
      const node = nodes.get(p.spec.nodeName);
      const labels: Record<string, string> = node?.metadata.labels ?? {};
      const nodeGpus = Number(node?.status.allocatable?.[GPU] ?? 0);
      const gpus = podGpus(p);
      const wantPool = p.spec.nodeSelector?.[POOL_LABEL];
      if (gpus > 0 && nodeGpus < gpus) problems.push(`${p.metadata.name} asks ${gpus} GPU(s), node ${p.spec.nodeName} has ${nodeGpus}`);
      if (gpus === 0 && nodeGpus > 0) problems.push(`${p.metadata.name} asks no GPU but sits on GPU node ${p.spec.nodeName}`);
      if (wantPool !== undefined && labels[POOL_LABEL] !== wantPool) problems.push(`${p.metadata.name} selects pool ${wantPool}, node ${p.spec.nodeName} is ${labels[POOL_LABEL]}`);
      const component = p.metadata.labels?.["app.kubernetes.io/component"];
      if (labels[PURPOSE_LABEL] !== undefined && (component === "training" || component === "serving") && labels[PURPOSE_LABEL] !== component) {
        problems.push(`${component} pod ${p.metadata.name} on a ${labels[PURPOSE_LABEL]} node`);
      }
    }
    check(`placement ${owner} on ${where}`, problems.length === 0, problems.join("; "));
  }

  // Serving replicas: one per host, spread over the zones the pool offers.
  for (const d of all.flatMap((a) => a.objects).filter((o) => o.kind === "Deployment")) {
    const ps = (byOwner.get(`Deployment/${d.metadata.name}`) ?? []).filter((p) => p.metadata.deletionTimestamp === undefined);
    if (ps.length < 2) continue;
    const hosts = new Set(ps.map((p) => p.spec.nodeName));
    const zone = (p: Live) => nodes.get(p.spec.nodeName)?.metadata.labels["topology.kubernetes.io/zone"];
    const zones = new Set(ps.map(zone));
    const pool = ps[0].spec.nodeSelector?.[POOL_LABEL];
    const poolZones = new Set([...nodes.values()].filter((n) => pool === undefined || n.metadata.labels[POOL_LABEL] === pool).map((n) => n.metadata.labels["topology.kubernetes.io/zone"]));
    const wantZones = Math.min(ps.length, poolZones.size);
    check(`spread ${describe(d)}: ${ps.length} replicas on ${hosts.size} hosts, ${zones.size} zones`, hosts.size === ps.length && zones.size >= wantZones, `want ${ps.length} hosts and ≥${wantZones} zones: ${ps.map((p) => `${p.spec.nodeName}@${zone(p)}`).join(", ")}`);
  }
}

async function waitReady(kube: Kube, d: KubeObject, want: number, seconds: number): Promise<boolean> {
  return (
    (await waitFor(seconds, () => {
      const live = kube.get("deployment", d.metadata.name, d.metadata.namespace);
      const s = live?.status ?? {};
      return Number(s.readyReplicas ?? 0) >= want && Number(s.updatedReplicas ?? 0) >= want && Number(s.replicas ?? 0) === want ? true : undefined;
    })) === true
  );
}

const servingPods = (kube: Kube, d: KubeObject) =>
  kube
    .list("pods", d.metadata.namespace)
    .filter((p) => ownerName(p) === `Deployment/${d.metadata.name}` && p.metadata.deletionTimestamp === undefined && p.status.phase !== "Succeeded" && p.status.phase !== "Failed");

/** Drain a node under each serving Deployment, then evict every replica at once through its PDB. */
async function drainAndDisrupt(kube: Kube, all: Applied[]): Promise<void> {
  const objects = all.flatMap((a) => a.objects);
  for (const d of objects.filter((o) => o.kind === "Deployment" && o.metadata.labels?.["app.kubernetes.io/component"] === "serving")) {
    const want = Number((d.spec as Live).replicas ?? 1);
    const pdb = objects.find((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === d.metadata.name);
    check(`${describe(d)} has a PodDisruptionBudget`, pdb !== undefined);
    const before = servingPods(kube, d);
    const victim = before[0]?.spec.nodeName as string | undefined;
    if (victim === undefined) {
      check(`drain under ${describe(d)}`, false, "no running replica");
      continue;
    }
    const pool = (d.spec as Live).template.spec.nodeSelector?.[POOL_LABEL] as string | undefined;
    const poolNodes = kube
      .list("nodes")
      .filter((n) => pool === undefined || n.metadata.labels[POOL_LABEL] === pool)
      .map((n) => n.metadata.name as string);
    if (poolNodes.length < 2) {
      note(`${describe(d)}: its pool has ${poolNodes.length} node, nowhere to drain to: drain and PDB checks skipped`);
      continue;
    }
    const r = kube.run(["drain", victim, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=120s"]);
    check(`kubectl drain ${victim} (under ${describe(d)})`, r.ok, r.stderr);
    const back = await waitReady(kube, d, want, 120);
    const after = servingPods(kube, d);
    check(
      `${describe(d)} back to ${want}/${want} ready off ${victim}`,
      back && after.every((p) => p.spec.nodeName !== victim),
      `now on ${after.map((p) => `${p.spec.nodeName}(${p.status.phase})`).join(", ")}`,
    );
    if (want < 2) {
      const max = (pdb?.spec as Live)?.maxUnavailable;
      note(`${describe(d)} runs ${want} replica with PDB maxUnavailable=${String(max)}: the drain above left it with 0 ready replicas until the replacement was ready`);
    } else if (pdb !== undefined) {
      // Cordon the pool so no replacement can start, then evict every replica in one burst: the
      // budget allows maxUnavailable evictions and the API server refuses the rest (429).
      kube.run(["cordon", ...poolNodes]);
      await waitFor(30, () => {
        const live = kube.get("pdb", pdb.metadata.name, pdb.metadata.namespace);
        return Number(live?.status?.currentHealthy ?? 0) >= want && live?.status?.observedGeneration >= 1 ? true : undefined;
      });
      const pods = servingPods(kube, d).map((p) => p.metadata.name as string);
      const results = await kube.evictAll(d.metadata.namespace!, pods);
      const allowed = results.filter((x) => x.status === 201 || x.status === 200);
      const refused = results.filter((x) => x.status === 429);
      const max = Number((pdb.spec as Live).maxUnavailable ?? 1);
      check(
        `PDB ${pdb.metadata.name} holds: ${pods.length} evictions at once → ${allowed.length} allowed, ${refused.length} refused`,
        allowed.length === Math.min(max, pods.length) && refused.length === pods.length - allowed.length,
        results.map((x) => `${x.pod} ${x.status} ${x.message}`).join("; "),
      );
      if (refused[0] !== undefined) note(`API server: ${refused[0].status} "${refused[0].message}"`);
      kube.run(["uncordon", ...poolNodes.filter((n) => n !== victim)]);
      check(`${describe(d)} recovers to ${want}/${want} ready after the evictions`, await waitReady(kube, d, want, 120));
    }
    kube.run(["uncordon", victim]);
  }
}

async function runGroup(name: string, stacks: string[], kubeconfig: string, outDir: string): Promise<void> {
  const kube = new Kube(kubeconfig);
  const rendered = stacks.map((s) => ({ stack: s, ...render(s, join(outDir, s)) }));
  for (const r of rendered) fillRedactedSecrets(r.objects);

  const crds = installCrds(kube);
  const kinds = new Set(rendered.flatMap((r) => r.objects.map((o) => `${groupOf(o.apiVersion)}/${o.kind}`)).filter((k) => !BUILTIN_GROUPS.has(k.split("/")[0]!)));
  if (crds !== undefined) {
    const missing = [...kinds].filter((k) => !crds.has(k));
    check(`every custom kind rendered for ${name} has an upstream CRD (${kinds.size} kinds)`, missing.length === 0, `no CRD for ${missing.join(", ")}`);
  }

  // Nodes: from the platform stack's render, sized for every workload of the group.
  const { platform } = loadStackFile(stacks[0]!);
  const platformRender = rendered[0]!;
  const { nodes, plans } = platformNodes(platform, platformRender.objects, platformRender.resources, rendered.flatMap((r) => r.objects));
  for (const p of plans) note(`pool ${p.pool}: ${p.count} × ${p.instanceType} in ${p.zones.join(", ")} (${p.reason})`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "nodes.json"), JSON.stringify(nodes, null, 2));
  for (const n of nodes) {
    const r = kube.create(n);
    if (!r.ok) check(`node ${n.metadata.name} created`, false, r.stderr);
  }
  const ready = await waitFor(60, () => {
    const live = kube.list("nodes");
    const n = live.filter((x) => x.status.conditions?.some((c: Live) => c.type === "Ready" && c.status === "True")).length;
    return n === nodes.length ? n : undefined;
  });
  check(`${nodes.length} KWOK nodes Ready`, ready === nodes.length);

  // Storage: static PVs of a no-provisioner class stand in for a provisioner. On local, kind's
  // default class (a local-path provisioner, named "standard") for the store's volumeClaimTemplate
  // and every rendered claim; elsewhere the StorageClass a claim names (the chat UI's
  // storage.storageClass, which on aws must come from a CSI driver the user installs).
  const volume = (i: number, storage: string, storageClassName: string) => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: `e2e-local-${i}` },
    spec: { capacity: { storage }, accessModes: ["ReadWriteOnce"], storageClassName, hostPath: { path: `/var/local/e2e-${i}` } },
  });
  const storageClass = (name: string, isDefault: boolean) => ({
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name, ...(isDefault ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}) },
    provisioner: "kubernetes.io/no-provisioner",
    volumeBindingMode: "WaitForFirstConsumer",
  });
  const storage: { o: KubeObject; why: string }[] = [];
  if (platform.provider === "local") {
    storage.push({ o: storageClass("standard", true), why: "kind's local-path provisioner" });
    storage.push({ o: volume(0, `${platform.store.sizeGiB ?? 50}Gi`, "standard"), why: "kind's local-path provisioner" });
  }
  const claims = rendered.flatMap((r) => r.objects.filter((o) => o.kind === "PersistentVolumeClaim"));
  claims.forEach((c, i) => {
    const spec = c.spec as Live;
    const cls = String(spec.storageClassName ?? "standard");
    const why = platform.provider === "local" ? "kind's local-path provisioner" : `the user's CSI StorageClass ${cls}`;
    if (cls !== "standard" || platform.provider !== "local") {
      if (!storage.some((x) => x.o.kind === "StorageClass" && x.o.metadata.name === cls)) storage.push({ o: storageClass(cls, false), why });
    }
    storage.push({ o: volume(i + 1, String(spec.resources.requests.storage), cls), why });
  });
  for (const { o, why } of storage) {
    const r = kube.apply(o);
    check(`storage ${o.kind}/${o.metadata.name} (stands in for ${why})`, r.ok, r.stderr);
  }

  for (const r of rendered) applyStack(kube, r.stack, r.objects, crds);
  celCanary(kube, rendered.flatMap((r) => r.objects), crds);

  const namespaces = [...new Set(rendered.flatMap((r) => r.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name)))];
  const applied = rendered.map((r) => ({ stack: r.stack, objects: r.objects }));
  await waitForWorkloads(kube, namespaces, applied);
  podSecurityRestricted(kube, namespaces);
  assertPlacement(kube, namespaces, applied);
  if (platform.provider === "local") localChecks(kube, platform.namespace, rendered.flatMap((r) => r.objects), report);
  await drainAndDisrupt(kube, applied);
}

async function main(argv: string[]): Promise<number> {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const all = groups();
  if (argv.includes("--list-groups")) {
    for (const [g, stacks] of all) console.log(`${g} ${stacks.join(" ")}`);
    return 0;
  }
  const group = arg("--group");
  const kubeconfig = arg("--kubeconfig") ?? process.env.KUBECONFIG;
  const stacks = group !== undefined ? all.get(group) : undefined;
  if (stacks === undefined || kubeconfig === undefined) {
    console.error(`usage: checks.ts --group <${[...all.keys()].join("|")}> --kubeconfig <file> [--out <dir>] | --list-groups`);
    return 2;
  }
  const out = resolve(arg("--out") ?? resolve(ROOT, ".cache/cluster/render", group!));
  console.log(`== group ${group}: ${stacks.join(", ")}`);
  try {
    await runGroup(group!, stacks, kubeconfig, out);
  } catch (err) {
    check(`group ${group} ran to the end`, false, err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  console.log(`group ${group}: ${report.passed} passed, ${report.failed} failed`);
  return report.failed > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
