/**
 * The real Pulumi engine against the lane's real cluster: the CLI, the Node.js language host and the
 * Kubernetes and Random providers built by ./build.sh (.cache/pulumi/bin), a file backend in a temp
 * dir, and the repository's own Pulumi.yaml, index.ts and policy pack.
 *
 *   e2e/pulumi/run.sh                      # builds nothing; starts a cluster unless KUBECONFIG is set
 *   npx tsx e2e/pulumi/run.ts --kubeconfig <file>
 *
 * Stacks: ./stacks/Pulumi.e2e-platform.yaml (`provider: existing`) and Pulumi.e2e-workloads.yaml
 * (layer workloads, reading e2e-platform through a StackReference), copied into a temp dir with the
 * store endpoint filled in and handed to the CLI with `--config-file`; LLMKIT_STACKS_DIR points the
 * program's platform-file lookup (config/load.ts) at the same dir. Nothing is written under stacks/.
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
  readonly env: NodeJS.ProcessEnv;
  readonly kube: Kube;
  readonly log: string;
}

function pulumi(ctx: Ctx, args: readonly string[], timeoutS = 600, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> & { seconds: number } {
  const start = Date.now();
  const r = spawnSync(join(BIN, "pulumi"), [...args, "--non-interactive", "--color=never"], {
    cwd: ROOT,
    env: { ...ctx.env, ...env },
    encoding: "utf8",
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Math.round((Date.now() - start) / 100) / 10;
  writeFileSync(ctx.log, `\n$ pulumi ${args.join(" ")}  (${seconds}s, exit ${r.status})\n${r.stdout}${r.stderr}`, { flag: "a" });
  return Object.assign(r, { seconds });
}

const ok = (r: SpawnSyncReturns<string>) => r.status === 0;
const why = (r: SpawnSyncReturns<string>) => `exit ${r.status ?? r.signal}: ${tail(r.stdout + r.stderr)}`;

function stackArgs(ctx: Ctx, stack: string): string[] {
  return ["--stack", stack, "--config-file", join(ctx.stacksDir, `Pulumi.${stack}.yaml`)];
}

function writeStack(ctx: Ctx, stack: string, replace: Record<string, string>): void {
  let text = readFileSync(resolve(import.meta.dirname, "stacks", `Pulumi.${stack}.yaml`), "utf8");
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  const file = join(ctx.stacksDir, `Pulumi.${stack}.yaml`);
  // keep what `pulumi stack init` wrote (the passphrase's encryptionsalt) when rewriting
  const salt = existsSync(file) ? /^encryptionsalt: .*$/m.exec(readFileSync(file, "utf8"))?.[0] : undefined;
  writeFileSync(file, salt !== undefined ? `${salt}\n${text}` : text);
}

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
  for (const stack of ["e2e-platform", "e2e-workloads"]) {
    writeStack(ctx, stack, fill);
    const init = pulumi(ctx, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
    if (!check(`pulumi stack init ${stack}`, ok(init), why(init))) return;
    // `stack init` has no --config-file: it writes the passphrase's encryptionsalt into
    // <stackConfigDir>/Pulumi.<stack>.yaml, i.e. stacks/. Move that line to the temp copy.
    const written = resolve(ROOT, "stacks", `Pulumi.${stack}.yaml`);
    const salt = existsSync(written) ? /^encryptionsalt: .*$/m.exec(readFileSync(written, "utf8"))?.[0] : undefined;
    rmSync(written, { force: true });
    if (!check(`pulumi stack init ${stack}: encryptionsalt moved from stacks/ to the temp stack file`, salt !== undefined)) return;
    const copy = join(ctx.stacksDir, `Pulumi.${stack}.yaml`);
    writeFileSync(copy, `${salt}\n${readFileSync(copy, "utf8")}`);
  }

  // ---- platform layer
  const P = stackArgs(ctx, "e2e-platform");
  let r = pulumi(ctx, ["preview", ...P, "--policy-pack", "policies"]);
  check("platform: pulumi preview --policy-pack policies (CrossGuard ran the pack)", ok(r) && /Policies:\s*\n\s*✅ llmkit@v/.test(r.stdout), why(r));
  r = pulumi(ctx, ["up", "--yes", "--skip-preview", ...P]);
  if (!check(`platform: pulumi up (${r.seconds}s)`, ok(r), why(r))) return;
  const ns = kube.get("namespace", NAMESPACE);
  check(`platform: namespace ${NAMESPACE} exists with Pod Security labels`, ns?.metadata?.labels?.["pod-security.kubernetes.io/enforce"] === "baseline", JSON.stringify(ns?.metadata?.labels));
  r = pulumi(ctx, ["up", "--yes", "--expect-no-changes", ...P]);
  check(`platform: second pulumi up reports no changes (${r.seconds}s)`, ok(r), why(r));

  // the store credentials Secret the existing platform expects someone else to create (components/platform/existing/README.md)
  const secret = kube.run(
    ["-n", NAMESPACE, "create", "secret", "generic", "llmkit-e2e-store", `--from-literal=AWS_ACCESS_KEY_ID=${S3_CREDENTIALS.accessKeyId}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${S3_CREDENTIALS.secretAccessKey}`],
  );
  check("store credentials Secret created beside the platform", secret.ok, secret.stderr);

  // ---- workloads layer through a StackReference
  const W = stackArgs(ctx, "e2e-workloads");
  r = pulumi(ctx, ["preview", ...W, "--policy-pack", "policies"]);
  check("workloads: pulumi preview --policy-pack policies (CrossGuard ran the pack)", ok(r) && /Policies:\s*\n\s*✅ llmkit@v/.test(r.stdout), why(r));
  // the pack can fail: one serving replica under the prod enforcement (serving-ha is mandatory there)
  writeStack(ctx, "e2e-workloads", { ...fill, "min: 2\n        max: 2": "min: 1\n        max: 1" });
  r = pulumi(ctx, ["preview", ...W, "--policy-pack", "policies"], 600, { LLMKIT_POLICY_ENV: "prod" });
  check("workloads: CrossGuard refuses one serving replica under prod enforcement (serving-ha)", !ok(r) && /serving-ha/.test(r.stdout + r.stderr) && /mandatory/.test(r.stdout + r.stderr), why(r));
  writeStack(ctx, "e2e-workloads", fill);
  r = pulumi(ctx, ["up", "--yes", "--skip-preview", ...W]);
  if (!check(`workloads: pulumi up through the StackReference (${r.seconds}s)`, ok(r), why(r))) return;
  const d1 = deployment(kube, "chat");
  check("workloads: serving Deployment chat rolled out (2/2 ready)", d1?.status?.readyReplicas === 2, JSON.stringify(d1?.status ?? null));
  const out1 = outputs(ctx, "e2e-workloads");
  const runA: string | undefined = out1?.runIds?.["support-bot"];
  check("workloads: stack output runIds.support-bot", typeof runA === "string" && /^[0-9a-f]{12}$/.test(runA), JSON.stringify(out1));
  const jobs1 = jobs(kube);
  check(`workloads: training Job train-${runA} created`, jobs1.some((j) => j.includes(`${runA}`)), jobs1.join(", "));
  r = pulumi(ctx, ["up", "--yes", "--expect-no-changes", ...W]);
  check(`workloads: second pulumi up reports no changes (${r.seconds}s)`, ok(r), why(r));
  if (runA === undefined) return;

  // ---- a spec change: a new run id and a new training Job; serving keeps the released run
  writeStack(ctx, "e2e-workloads", { ...fill, "epochs: 1": "epochs: 2" });
  r = pulumi(ctx, ["up", "--yes", "--skip-preview", ...W]);
  check(`spec change: pulumi up (${r.seconds}s)`, ok(r), why(r));
  const runB: string | undefined = outputs(ctx, "e2e-workloads")?.runIds?.["support-bot"];
  check("spec change: a new run id", runB !== undefined && runB !== runA, `${runA} → ${runB}`);
  const jobs2 = jobs(kube);
  check(`spec change: training Job for run ${runB} created`, jobs2.some((j) => j.includes(`${runB}`)), jobs2.join(", "));
  note(`spec change: Jobs now ${jobs2.join(", ")} (the previous run's Job ${jobs2.some((j) => j.includes(runA)) ? "stays" : "was deleted: the program no longer declares it"})`);
  const d2 = deployment(kube, "chat");
  check("spec change: serving Deployment untouched (still the released run)", d2?.metadata?.generation === d1?.metadata?.generation, `generation ${d1?.metadata?.generation} → ${d2?.metadata?.generation}`);

  // ---- a release change: the serving Deployment rolls to the new pin
  writeStack(ctx, "e2e-workloads", { ...fill, "epochs: 1": "epochs: 2", [INITIAL_RUN_ID]: runB ?? INITIAL_RUN_ID });
  const rsBefore = kube.list("replicasets", NAMESPACE).length;
  r = pulumi(ctx, ["up", "--yes", "--skip-preview", ...W]);
  check(`release change: pulumi up waits for the rollout (${r.seconds}s)`, ok(r), why(r));
  const d3 = deployment(kube, "chat");
  const rolled = (d3?.metadata.generation ?? 0) > (d2?.metadata.generation ?? 0) && d3?.status?.updatedReplicas === 2 && d3?.status?.readyReplicas === 2;
  check("release change: serving Deployment rolled (new generation, 2/2 updated and ready)", rolled, JSON.stringify({ generation: d3?.metadata?.generation, status: d3?.status }));
  check("release change: a new ReplicaSet", kube.list("replicasets", NAMESPACE).length > rsBefore, `${rsBefore} before`);
  r = pulumi(ctx, ["up", "--yes", "--expect-no-changes", ...W]);
  check(`release change: next pulumi up reports no changes (${r.seconds}s)`, ok(r), why(r));

  // ---- destroy, workloads first
  r = pulumi(ctx, ["destroy", "--yes", "--skip-preview", ...W]);
  check(`workloads: pulumi destroy (${r.seconds}s)`, ok(r), why(r));
  kube.run(["-n", NAMESPACE, "delete", "secret", "llmkit-e2e-store", "--ignore-not-found"]);
  r = pulumi(ctx, ["destroy", "--yes", "--skip-preview", ...P]);
  check(`platform: pulumi destroy (${r.seconds}s)`, ok(r), why(r));
  const left = await waitFor(90, () => {
    const objs = ourObjects(kube);
    return objs.length === 0 ? objs : undefined;
  });
  check("destroy: no object of ours left in any namespace (part-of=llmkit / managed-by=pulumi)", left !== undefined, ourObjects(kube).join(", "));
  for (const n of nodes) kube.run(["delete", "node", n.metadata.name, "--ignore-not-found"]);
}

/**
 * The README's path, `npm run up -- --stack local --preview` (cli/up.ts, the Automation API), with
 * the built CLI on PATH against the lane's cluster. State and passphrase go to the temp dir
 * (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, which cli/up.ts honours); stacks/Pulumi.local.yaml
 * is restored byte for byte afterwards, since `stack init` writes the passphrase's salt into it.
 */
function localStackPreview(ctx: Ctx): void {
  const file = resolve(ROOT, "stacks/Pulumi.local.yaml");
  const before = readFileSync(file);
  const start = Date.now();
  const r = spawnSync("npm", ["run", "--silent", "up", "--", "--stack", "local", "--preview"], {
    cwd: ROOT,
    env: { ...ctx.env, PULUMI_BACKEND_URL: `file://${join(ctx.tmp, "local-state")}`, LLMKIT_STACKS_DIR: "", LLMKIT_POLICY_ENV: "" },
    encoding: "utf8",
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Math.round((Date.now() - start) / 1000);
  writeFileSync(ctx.log, `\n$ npm run up -- --stack local --preview  (${seconds}s, exit ${r.status})\n${r.stdout}${r.stderr}`, { flag: "a" });
  const after = readFileSync(file);
  if (!after.equals(before)) {
    writeFileSync(file, before);
    note("npm run up -- --stack local: `stack init` wrote encryptionsalt into stacks/Pulumi.local.yaml (restored)");
  }
  // The local platform installs Envoy Gateway from its OCI chart (charts/), which no registry here
  // serves: a preview whose only error is that fetch has run everything else through the engine.
  const text = r.stdout + r.stderr;
  const errors = text.split("\n").filter((l) => /^error: /.test(l.trim()));
  const chartOnly = errors.length > 0 && errors.every((l) => /helm\.sh\/v3:Release resource 'platform-envoy-gateway'.*(FetchReference|no such host)/.test(l));
  if (chartOnly) note("local: the Envoy Gateway chart cannot be fetched here (no registry but the package registries): up/destroy of the local stack are not run");
  check(`local: npm run up -- --stack local --preview ran through the real CLI, failing only on the unreachable chart registry (${seconds}s)`, ok(r) || (chartOnly && /to create/.test(text)), why(r));
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { kubeconfig: { type: "string" }, keep: { type: "boolean", default: false }, "skip-local": { type: "boolean", default: false } } });
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  if (kubeconfig === undefined) {
    console.error("usage: run.ts --kubeconfig <file> (or KUBECONFIG)");
    return 2;
  }
  for (const b of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "pulumi-resource-random"]) {
    if (!existsSync(join(BIN, b))) {
      check(`pulumi toolchain: ${b} built`, false, `${join(BIN, b)} missing: run e2e/pulumi/build.sh`);
      console.log(`group pulumi: ${report.passed} passed, ${report.failed} failed`);
      return 1;
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), "llmkit-pulumi-e2e-"));
  const stacksDir = join(tmp, "stacks");
  spawnSync("mkdir", ["-p", stacksDir, join(tmp, "state"), join(tmp, "home")]);
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
    LLMKIT_STACKS_DIR: stacksDir,
    LLMKIT_POLICY_ENV: "dev",
  };
  const ctx: Ctx = { tmp, stacksDir, env, kube: new Kube(resolve(kubeconfig)), log: join(tmp, "pulumi.log") };
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
