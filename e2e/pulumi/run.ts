/**
 * The real Pulumi engine against the lane's real cluster, driven the way the README tells users to:
 * `npm run up` (cli/up.ts: the Automation API with the program inline, the CrossGuard pack on every
 * preview and update). The CLI and the Kubernetes provider come from ./build.sh (.cache/pulumi/bin),
 * state from a file backend in a temp dir.
 *
 *   e2e/pulumi/run.sh                      # builds nothing; starts a cluster unless KUBECONFIG is set
 *   npx tsx e2e/pulumi/run.ts --kubeconfig <file>
 *
 * Stacks: ./stacks/Pulumi.e2e-platform.yaml (`provider: existing`) and Pulumi.e2e-workloads.yaml
 * (layer workloads, reading e2e-platform through a StackReference), copied into a temp stacks dir
 * with the store endpoint filled in and given to `npm run up --stacks-dir`; the workspace copies
 * (LLMKIT_WORKSPACE_DIR) sit in the same temp dir. Nothing is written under stacks/.
 *
 * One line per check, as e2e/cluster/checks.ts prints them: `PASS <check>` or `FAIL <check>: <why>`,
 * `NOTE` for facts; last line `group pulumi: N passed, M failed`. Exit 1 when any check failed.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Kube, waitFor } from "../cluster/kube.ts";
import { startS3Server, S3_CREDENTIALS, type S3Server } from "../../test/s3-server.ts";
import { Report } from "../lib/report.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = process.env.PULUMI_E2E_BIN ?? resolve(ROOT, ".cache/pulumi/bin");
const NAMESPACE = "llmkit-e2e"; // ./stacks/Pulumi.e2e-platform.yaml
const POOL_LABEL = "llmkit.dev/e2e-pool"; // ditto: the cpu pool's nodeSelector
const INITIAL_RUN_ID = "0a0a0a0a0a0a"; // a release pin no run has yet; replaced by a real run id below
const ENGINE_KEY_SECRET = "chat-engine-key"; // ./stacks/Pulumi.e2e-workloads.yaml, serving chat auth.secret

/** What ./build.sh puts in BIN; run.sh skips the group when one is missing. */
const TOOLCHAIN = ["pulumi", "pulumi-resource-kubernetes", "pulumi-analyzer-policy-nodejs"];

const report = new Report();
const check = report.check.bind(report);
const note = report.note.bind(report);

/** The last lines of a command's output, for a FAIL line and the log. */
function tail(text: string, lines = 15): string {
  return text.trim().split("\n").slice(-lines).join("\n    ");
}

interface Ctx {
  readonly tmp: string;
  readonly stacksDir: string;
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly kube: Kube;
  readonly log: string;
}

type Ran = SpawnSyncReturns<string> & { seconds: number };

function logged(ctx: Ctx, command: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutS?: number }): Ran {
  const start = Date.now();
  const r = spawnSync(command, args, {
    cwd: opts.cwd,
    env: { ...ctx.env, ...opts.env },
    encoding: "utf8",
    timeout: (opts.timeoutS ?? 600) * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Math.round((Date.now() - start) / 100) / 10;
  writeFileSync(ctx.log, `\n$ ${command} ${args.join(" ")}  (${seconds}s, exit ${r.status})\n${r.stdout}${r.stderr}`, { flag: "a" });
  return Object.assign(r, { seconds });
}

/** `npm run up -- --stack <stack> --stacks-dir <temp> <args>`: the README's deploy command. */
function up(ctx: Ctx, stack: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Ran {
  return logged(ctx, "npm", ["run", "--silent", "up", "--", "--stack", stack, "--stacks-dir", ctx.stacksDir, ...args], { cwd: ROOT, env });
}

/** The CLI itself, in the workspace `npm run up` wrote (for reads such as `stack output`). */
function pulumi(ctx: Ctx, args: readonly string[]): Ran {
  return logged(ctx, join(BIN, "pulumi"), [...args, "--non-interactive", "--color=never"], { cwd: ctx.workDir });
}

const ok = (r: SpawnSyncReturns<string>) => r.status === 0;
const why = (r: SpawnSyncReturns<string>) => `exit ${r.status ?? r.signal}: ${tail(r.stdout + r.stderr)}`;

function writeStack(ctx: Ctx, stack: string, replace: Record<string, string>): void {
  let text = readFileSync(resolve(import.meta.dirname, "stacks", `Pulumi.${stack}.yaml`), "utf8");
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  writeFileSync(join(ctx.stacksDir, `Pulumi.${stack}.yaml`), text);
}

/**
 * The CrossGuard pack's result in the CLI's output: an update prints `Policies: ✅ llmkit@v…`, a
 * preview without violations the `Policy Packs run` table naming the pack.
 */
const PACK_PASSED = /Policies:\s*\n\s*✅ llmkit@v|Policy Packs run:\s*\n\s*Name\s+Version\s*\n\s*llmkit\|/;

/** A KWOK node (e2e/cluster/start.sh runs KWOK for nodes annotated kwok.x-k8s.io/node=fake) in the e2e pool. */
function kwokNode(name: string, zone: string) {
  const resources = { cpu: "16", memory: "64Gi", pods: "110", "ephemeral-storage": "200Gi" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": name,
        "topology.kubernetes.io/zone": zone,
        type: "kwok",
        [POOL_LABEL]: "cpu",
      },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources },
  };
}

/** Our objects in every namespace, by the recommended labels every kit object carries (components/lib/labels.ts). */
function ourObjects(kube: Kube): string[] {
  const kinds = "deployments,replicasets,statefulsets,jobs,pods,services,configmaps,secrets,serviceaccounts,poddisruptionbudgets,networkpolicies";
  const found: string[] = [];
  for (const selector of ["app.kubernetes.io/part-of=llmkit", "app.kubernetes.io/managed-by=pulumi"]) {
    const r = kube.run(["get", kinds, "-A", "-l", selector, "-o", "name"]);
    if (!r.ok) throw new Error(`kubectl get -l ${selector}: ${r.stderr}`);
    found.push(...r.stdout.split("\n").filter((l) => l !== ""));
  }
  const ns = kube.run(["get", "namespace", NAMESPACE, "-o", "name", "--ignore-not-found"]);
  found.push(...ns.stdout.split("\n").filter((l) => l !== ""));
  const pcs = kube.run(["get", "priorityclasses", "-l", "app.kubernetes.io/part-of=llmkit", "-o", "name"]);
  found.push(...pcs.stdout.split("\n").filter((l) => l !== ""));
  return [...new Set(found)];
}

/** The fields of a live Deployment the checks read. */
interface LiveDeployment {
  metadata: { generation: number };
  status?: { readyReplicas?: number; updatedReplicas?: number };
}

function deployment(kube: Kube, name: string): LiveDeployment | undefined {
  return kube.get("deployment", name, NAMESPACE);
}

function jobs(kube: Kube): string[] {
  return kube.list("jobs", NAMESPACE).map((j) => j.metadata.name as string).sort();
}

function outputs(ctx: Ctx, stack: string): { runIds?: Record<string, string> } | undefined {
  const r = pulumi(ctx, ["stack", "output", "--json", "--stack", stack]);
  return ok(r) ? JSON.parse(r.stdout) : undefined;
}

async function scenario(ctx: Ctx, store: S3Server): Promise<void> {
  const { kube } = ctx;
  const version = pulumi(ctx, ["version"]);
  note(`pulumi ${version.stdout.trim()}; plugins from ${BIN}`);

  const nodes = [kwokNode("e2e-pulumi-cpu-a", "e2e-a"), kwokNode("e2e-pulumi-cpu-b", "e2e-b")];
  for (const n of nodes) {
    const r = kube.apply(n);
    if (!r.ok) throw new Error(`KWOK node ${n.metadata.name}: ${r.stderr}`);
  }
  const ready = await waitFor(60, () =>
    nodes.every((n) => kube.get("node", n.metadata.name)?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True")) ? true : undefined,
  );
  check("KWOK nodes of the e2e pool Ready", ready === true);

  const fill = { STORE_ENDPOINT: store.endpoint, RELEASE_RUN_ID: INITIAL_RUN_ID };
  for (const stack of ["e2e-platform", "e2e-workloads"]) writeStack(ctx, stack, fill);

  // ---- platform layer
  let r = up(ctx, "e2e-platform", ["--preview"]);
  check("platform: npm run up --preview (CrossGuard ran the pack)", ok(r) && PACK_PASSED.test(r.stdout), why(r));
  r = up(ctx, "e2e-platform", ["--yes"]);
  if (!check(`platform: npm run up --yes, preview and update with the pack (${r.seconds}s)`, ok(r) && PACK_PASSED.test(r.stdout), why(r))) return;
  const ns = kube.get("namespace", NAMESPACE);
  check(`platform: namespace ${NAMESPACE} exists with Pod Security labels`, ns?.metadata?.labels?.["pod-security.kubernetes.io/enforce"] === "baseline", JSON.stringify(ns?.metadata?.labels));
  r = up(ctx, "e2e-platform", ["--yes", "--expect-no-changes"]);
  check(`platform: second up reports no changes (--expect-no-changes, ${r.seconds}s)`, ok(r), why(r));

  // Secrets the workloads expect someone else to create: the store credentials of the existing
  // platform (components/platform/existing/README.md) and the engine key (serving auth.secret),
  // as External Secrets or Vault would. (A generated key needs the random provider, which no
  // source reachable here serves: see ./README.md.)
  for (const [name, literals] of [
    ["llmkit-e2e-store", [`AWS_ACCESS_KEY_ID=${S3_CREDENTIALS.accessKeyId}`, `AWS_SECRET_ACCESS_KEY=${S3_CREDENTIALS.secretAccessKey}`]],
    [ENGINE_KEY_SECRET, [`api-key=${randomBytes(24).toString("hex")}`]],
  ] as const) {
    const created = kube.run(["-n", NAMESPACE, "create", "secret", "generic", name, ...literals.map((l) => `--from-literal=${l}`)]);
    check(`Secret ${name} created beside the platform`, created.ok, created.stderr);
  }

  // ---- workloads layer through a StackReference
  r = up(ctx, "e2e-workloads", ["--preview"]);
  check("workloads: npm run up --preview (CrossGuard ran the pack)", ok(r) && PACK_PASSED.test(r.stdout), why(r));
  // the pack can fail: one serving replica under the prod enforcement (serving-ha is mandatory there)
  writeStack(ctx, "e2e-workloads", { ...fill, "min: 2\n        max: 2": "min: 1\n        max: 1" });
  r = up(ctx, "e2e-workloads", ["--preview"], { LLMKIT_POLICY_ENV: "prod" });
  check("workloads: CrossGuard refuses one serving replica under prod enforcement (serving-ha)", !ok(r) && /serving-ha/.test(r.stdout + r.stderr) && /mandatory/.test(r.stdout + r.stderr), why(r));
  writeStack(ctx, "e2e-workloads", fill);
  r = up(ctx, "e2e-workloads", ["--yes"]);
  if (!check(`workloads: npm run up --yes through the StackReference (${r.seconds}s)`, ok(r), why(r))) return;
  const d1 = deployment(kube, "chat");
  check("workloads: serving Deployment chat rolled out (2/2 ready)", d1?.status?.readyReplicas === 2, JSON.stringify(d1?.status ?? null));
  const out1 = outputs(ctx, "e2e-workloads");
  const runA: string | undefined = out1?.runIds?.["support-bot"];
  check("workloads: stack output runIds.support-bot", typeof runA === "string" && /^[0-9a-f]{12}$/.test(runA), JSON.stringify(out1));
  const jobs1 = jobs(kube);
  check(`workloads: training Job train-${runA} created`, jobs1.some((j) => j.includes(`${runA}`)), jobs1.join(", "));
  r = up(ctx, "e2e-workloads", ["--yes", "--expect-no-changes"]);
  check(`workloads: second up reports no changes (--expect-no-changes, ${r.seconds}s)`, ok(r), why(r));
  if (runA === undefined) return;

  // ---- a spec change: a new run id and a new training Job; serving keeps the released run
  writeStack(ctx, "e2e-workloads", { ...fill, "epochs: 1": "epochs: 2" });
  r = up(ctx, "e2e-workloads", ["--yes"]);
  check(`spec change: npm run up --yes (${r.seconds}s)`, ok(r), why(r));
  const runB: string | undefined = outputs(ctx, "e2e-workloads")?.runIds?.["support-bot"];
  check("spec change: a new run id", runB !== undefined && runB !== runA, `${runA} → ${runB}`);
  const jobs2 = jobs(kube);
  check(`spec change: training Job for run ${runB} created`, jobs2.some((j) => j.includes(`${runB}`)), jobs2.join(", "));
  // A superseded run stops spending: its Job goes, its checkpoints and any published adapter stay
  // in the store under its run id, and reverting the spec resumes it (components/training/README.md).
  const superseded = await waitFor(60, () => (jobs(kube).some((j) => j.includes(runA)) ? undefined : true));
  check(`spec change: the superseded run's Job (${runA}) deleted`, superseded === true, jobs(kube).join(", "));
  const d2 = deployment(kube, "chat");
  check("spec change: serving Deployment untouched (still the released run)", d2?.metadata?.generation === d1?.metadata?.generation, `generation ${d1?.metadata?.generation} → ${d2?.metadata?.generation}`);

  // ---- a release change: the serving Deployment rolls to the new pin
  writeStack(ctx, "e2e-workloads", { ...fill, "epochs: 1": "epochs: 2", [INITIAL_RUN_ID]: runB ?? INITIAL_RUN_ID });
  const rsBefore = kube.list("replicasets", NAMESPACE).length;
  r = up(ctx, "e2e-workloads", ["--yes"]);
  check(`release change: npm run up --yes waits for the rollout (${r.seconds}s)`, ok(r), why(r));
  const d3 = deployment(kube, "chat");
  const rolled = (d3?.metadata.generation ?? 0) > (d2?.metadata.generation ?? 0) && d3?.status?.updatedReplicas === 2 && d3?.status?.readyReplicas === 2;
  check("release change: serving Deployment rolled (new generation, 2/2 updated and ready)", rolled, JSON.stringify({ generation: d3?.metadata?.generation, status: d3?.status }));
  check("release change: a new ReplicaSet", kube.list("replicasets", NAMESPACE).length > rsBefore, `${rsBefore} before`);
  r = up(ctx, "e2e-workloads", ["--yes", "--expect-no-changes"]);
  check(`release change: next up reports no changes (${r.seconds}s)`, ok(r), why(r));

  await retry(ctx, `support-bot-train-${runB}`, nodes.map((n) => n.metadata.name));

  // ---- destroy, workloads first
  r = up(ctx, "e2e-workloads", ["--destroy", "--yes"]);
  check(`workloads: npm run up --destroy --yes (${r.seconds}s)`, ok(r), why(r));
  kube.run(["-n", NAMESPACE, "delete", "secret", "llmkit-e2e-store", ENGINE_KEY_SECRET, "--ignore-not-found"]);
  r = up(ctx, "e2e-platform", ["--destroy", "--yes"]);
  check(`platform: npm run up --destroy --yes (${r.seconds}s)`, ok(r), why(r));
  const left = await waitFor(90, () => {
    const objs = ourObjects(kube);
    return objs.length === 0 ? objs : undefined;
  });
  check("destroy: no object of ours left in any namespace (part-of=llmkit / managed-by=pulumi)", left !== undefined, ourObjects(kube).join(", "));
  for (const n of nodes) kube.run(["delete", "node", n.metadata.name, "--ignore-not-found"]);
}

const FAILED_MESSAGE = "Job has reached the specified backoff limit"; // the Job controller's own text for BackoffLimitExceeded

/**
 * `up` retries a fine-tune Job that was deleted by hand, then one that failed (cli/retry.ts). KWOK
 * finishes a Job's pod as soon as it runs (e2e/cluster/start.sh), so the nodes are cordoned while
 * the Job must stay unfinished; the failure is written into the Job's status subresource as the
 * Job controller writes it (FailureTarget, then Failed, no active pods: the API server refuses a
 * Failed condition without FailureTarget, kubernetes@v1.34 pkg/apis/batch/validation/validation.go
 * RejectFailedJobWithoutFailureTarget), after which the controller leaves the finished Job alone.
 */
async function retry(ctx: Ctx, job: string, nodes: readonly string[]): Promise<void> {
  const { kube } = ctx;
  const live = () => kube.get("job", job, NAMESPACE) as { metadata: { uid: string }; status?: { startTime?: string; conditions?: { type: string; status: string }[] } } | undefined;
  const failed = () => live()?.status?.conditions?.some((c) => c.type === "Failed" && c.status === "True") === true;
  for (const n of nodes) kube.run(["cordon", n]);
  const deleted = kube.run(["-n", NAMESPACE, "delete", "job", job, "--wait=true"]);
  check(`retry: training Job ${job} deleted by hand`, deleted.ok && live() === undefined, deleted.stderr);
  let r = up(ctx, "e2e-workloads", ["--yes"]);
  const uid1 = live()?.metadata.uid;
  check(
    `retry: npm run up --yes creates the Job deleted by hand again (${r.seconds}s)`,
    ok(r) && r.stdout.includes(`fine-tune support-bot: Job ${NAMESPACE}/${job} is in the stack's state but not in the cluster (deleted by hand?): it will be created again`) && uid1 !== undefined,
    why(r),
  );
  r = up(ctx, "e2e-workloads", ["--yes", "--expect-no-changes"]);
  check(`retry: next up reports no changes, the Job being there again (${r.seconds}s)`, ok(r), why(r));

  const started = await waitFor(60, () => live()?.status?.startTime);
  const now = new Date().toISOString();
  const condition = (type: string) => ({ type, status: "True", reason: "BackoffLimitExceeded", message: FAILED_MESSAGE, lastProbeTime: now, lastTransitionTime: now });
  const patch = { status: { active: 0, ready: 0, terminating: 0, conditions: [condition("FailureTarget"), condition("Failed")] } };
  const patched = kube.run(["-n", NAMESPACE, "patch", "job", job, "--subresource=status", "--type=merge", "-p", JSON.stringify(patch)]);
  if (!check(`retry: Job ${job} marked Failed through its status subresource`, started !== undefined && patched.ok && failed(), `${patched.stderr} ${JSON.stringify(live()?.status)}`)) return;
  const line = `fine-tune support-bot: Job ${NAMESPACE}/${job} failed (BackoffLimitExceeded: ${FAILED_MESSAGE}): it will be replaced`;
  r = up(ctx, "e2e-workloads", ["--preview"]);
  check(`retry: npm run up --preview names the failed Job and shows it replaced (${r.seconds}s)`, ok(r) && r.stdout.includes(line) && /kubernetes:batch\/v1:Job.*replace/.test(r.stdout) && live()?.metadata.uid === uid1, why(r));
  r = up(ctx, "e2e-workloads", ["--yes", "--expect-no-changes"]);
  check(`retry: --expect-no-changes fails on the failed Job (drift) and leaves it (${r.seconds}s)`, !ok(r) && r.stdout.includes(line) && failed() && live()?.metadata.uid === uid1, why(r));
  r = up(ctx, "e2e-workloads", ["--yes", "--expect-no-changes", "--no-retry"]);
  check(`retry: --no-retry leaves the failed Job alone (no changes, ${r.seconds}s)`, ok(r) && !r.stdout.includes(line) && failed(), why(r));

  for (const n of nodes) kube.run(["uncordon", n]);
  r = up(ctx, "e2e-workloads", ["--yes"]);
  const uid2 = live()?.metadata.uid;
  check(`retry: npm run up --yes replaces the failed Job (${r.seconds}s)`, ok(r) && r.stdout.includes(line) && uid2 !== undefined && uid2 !== uid1 && !failed(), `uid ${uid1} → ${uid2}; ${why(r)}`);
  const complete = await waitFor(60, () => (live()?.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True") ? true : undefined));
  check("retry: the new Job's pod ran (Job Complete)", complete === true, JSON.stringify(live()?.status));
  r = up(ctx, "e2e-workloads", ["--yes", "--expect-no-changes"]);
  check(`retry: next up after the retry reports no changes (${r.seconds}s)`, ok(r), why(r));
}

/**
 * The README's own stack, `npm run up -- --stack local --preview`, against the lane's cluster, with
 * its files read from stacks/ as a user's would be. State goes to the temp dir; the check also holds
 * that nothing under stacks/ was written (the workspace copy takes the passphrase's salt).
 */
function localStackPreview(ctx: Ctx): void {
  const file = resolve(ROOT, "stacks/Pulumi.local.yaml");
  const before = readFileSync(file);
  const r = logged(ctx, "npm", ["run", "--silent", "up", "--", "--stack", "local", "--preview"], {
    cwd: ROOT,
    env: { PULUMI_BACKEND_URL: `file://${join(ctx.tmp, "local-state")}`, LLMKIT_WORKSPACE_DIR: join(ctx.tmp, "local-workspace") },
  });
  check("local: stacks/Pulumi.local.yaml left as it was (salt in the workspace copy)", readFileSync(file).equals(before));
  // The local platform installs Envoy Gateway from its OCI chart and generates its keys with the
  // random provider; neither the chart registry nor a random provider build is reachable here. A
  // preview whose only errors are those two has run everything else through the engine.
  const text = r.stdout + r.stderr;
  const errors = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(error|llmkit up failed): /.test(l))
    .map((l) => l.replace(/^(error|llmkit up failed): /, ""));
  const unreachable = [/helm\.sh\/v3:Release resource 'platform-envoy-gateway'.*(FetchReference|no such host)/, /no resource plugin 'pulumi-resource-random'/];
  const onlyUnreachable = errors.length > 0 && errors.every((l) => unreachable.some((re) => re.test(l)));
  if (onlyUnreachable) note(`local: preview stopped only on what cannot be reached here: ${errors.map((l) => l.trim().slice(0, 160)).join(" | ")}`);
  check(`local: npm run up -- --stack local --preview ran through the real CLI (${r.seconds}s)`, ok(r) || (onlyUnreachable && /to create/.test(text)), why(r));
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { kubeconfig: { type: "string" }, keep: { type: "boolean", default: false }, "skip-local": { type: "boolean", default: false } } });
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  if (kubeconfig === undefined) {
    console.error("usage: run.ts --kubeconfig <file> (or KUBECONFIG)");
    return 2;
  }
  for (const b of TOOLCHAIN) {
    if (!existsSync(join(BIN, b))) {
      check(`pulumi toolchain: ${b} built`, false, `${join(BIN, b)} missing: run e2e/pulumi/build.sh`);
      console.log(`group pulumi: ${report.passed} passed, ${report.failed} failed`);
      return 1;
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), "llmkit-pulumi-e2e-"));
  const stacksDir = join(tmp, "stacks");
  const workDir = join(tmp, "workspace");
  spawnSync("mkdir", ["-p", stacksDir, workDir, join(tmp, "state"), join(tmp, "home")]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH}`,
    KUBECONFIG: resolve(kubeconfig),
    PULUMI_HOME: join(tmp, "home"),
    PULUMI_BACKEND_URL: `file://${join(tmp, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // providers come from PATH (.cache/pulumi/bin): no download is tried (none would succeed here)
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // cli/up.ts: the workspace copies of the stack files; the pack's level follows each stack's env
    LLMKIT_WORKSPACE_DIR: workDir,
    LLMKIT_POLICY_ENV: "",
  };
  const ctx: Ctx = { tmp, stacksDir, workDir, env, kube: new Kube(resolve(kubeconfig)), log: join(tmp, "pulumi.log") };
  note(`pulumi output in ${ctx.log}`);
  const store = await startS3Server({ bucket: "llmkit-e2e", preloadCli: false });
  const start = Date.now();
  try {
    await scenario(ctx, store);
    if (!values["skip-local"]) localStackPreview(ctx);
  } catch (err) {
    check("scenario ran to the end", false, (err as Error).stack ?? String(err));
  } finally {
    await store.stop();
    note(`scenario took ${Math.round((Date.now() - start) / 1000)}s`);
    if (!values.keep && report.failed === 0) rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`group pulumi: ${report.passed} passed, ${report.failed} failed`);
  return report.failed > 0 ? 1 : 0;
}

process.exitCode = await main();
