/**
 * `llmkit status|logs|chat` against a real API server (e2e/cluster/start.sh: kube-apiserver,
 * controllers, scheduler, KWOK playing the kubelets) and a real S3-compatible server
 * (test/s3-server.ts):
 *
 *   npx tsx e2e/cluster/ops-checks.ts --kubeconfig <file> [--out <dir>]
 *
 * The `local` stack is rendered and its built-in objects applied, as `up` would create them
 * (the engine key Secret with a known value); KWOK runs the serving pod and completes the training
 * Job's pod. Two more Jobs stand for other runs: one suspended (as Kueue holds it), one that failed.
 * The store holds the current run published, an older published run and an incomplete prefix.
 * The CLIs run in-process with `--kubeconfig`; the store client is the test server's
 * (test/s3-server.ts storeClient: s3rver signs bucket listings differently from S3, which the kit's
 * client follows). One line per check: `PASS <check>` or `FAIL <check>: <why>`; `NOTE` lines say
 * what KWOK cannot do (pod logs and port-forward need a kubelet). Exit 1 when any check failed.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { parse } from "yaml";
import { loadStackFile, STACKS_DIR } from "../../config/load.ts";
import { cli as chat } from "../../cli/chat.ts";
import { cli as logs } from "../../cli/logs.ts";
import { cli as status } from "../../cli/status.ts";
import { capture, type Captured as Run } from "../../test/capture.ts";
import { startS3Server, storeClient, type S3Server } from "../../test/s3-server.ts";
import { BUILTIN_GROUPS, fillRedactedSecrets, groupOf, rank } from "./checks.ts";
import { Kube, waitFor, type KubeObject, type Live } from "./kube.ts";
import { platformNodes } from "./nodes.ts";
import { Report } from "../lib/report.ts";
import { stackTargets } from "../../ops/targets.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const STACK = "local";
// the run id stacks/Pulumi.local.yaml trains; its service follows it (env local, no pin)
const CURRENT = stackTargets(loadStackFile("local")).adapters[0]!.currentRunId!;
const OLDER = "0123456789ab";
const QUEUED = "aaaaaaaaaaaa";
const FAILED = "bbbbbbbbbbbb";
const INCOMPLETE = "fedcba987654";
const ENGINE_KEY = "e2e-engine-key-0123456789";

const report = new Report();
const check = report.check.bind(report);
const note = report.note.bind(report);

/** Exact lines, in order, somewhere in the output (each line compared whole). */
function hasLines(run: Run, lines: readonly (string | RegExp)[]): string {
  let at = 0;
  for (const want of lines) {
    const i = run.out.findIndex((l, j) => j >= at && (typeof want === "string" ? l === want : want.test(l)));
    if (i < 0) return `missing ${String(want)} after line ${at} in:\n${run.out.join("\n")}\nstderr: ${run.err.join("\n")}`;
    at = i + 1;
  }
  return "";
}

function renderStack(outDir: string): { objects: KubeObject[]; resources: Live[] } {
  const r = spawnSync(process.execPath, ["--import", "tsx", resolve(ROOT, "cli/render.ts"), "--stack", STACK, "--out", outDir], { cwd: ROOT, encoding: "utf8" });
  check(`render ${STACK}`, r.status === 0, (r.stderr || r.stdout).trim().split("\n").slice(-5).join(" | "));
  const dir = join(outDir, "manifests");
  const objects = existsSync(dir) ? readdirSync(dir).sort().map((f) => parse(readFileSync(join(dir, f), "utf8")) as KubeObject) : [];
  const resources = existsSync(join(outDir, "resources.json")) ? JSON.parse(readFileSync(join(outDir, "resources.json"), "utf8")) : [];
  return { objects, resources };
}

/** A copy of the current run's Job for another run id (another spec's run, as an earlier `up` left it). */
function otherRunJob(train: KubeObject, runId: string, extra: Live): Live {
  const job: Live = structuredClone(train);
  job.metadata.name = `support-bot-train-${runId}`;
  job.metadata.labels["llmkit.dev/run-id"] = runId;
  job.spec.template.metadata.labels["llmkit.dev/run-id"] = runId;
  Object.assign(job.spec, extra);
  return job;
}

async function seedStore(s3: S3Server): Promise<void> {
  const client = storeClient(s3);
  const manifest = (runId: string, createdAt: string, loss: number | null, smoke: { prompt: string; output: string }[]) =>
    JSON.stringify({ schemaVersion: 1, name: "support-bot", runId, createdAt, result: { steps: 12, finalEvalLoss: loss, bestEvalLoss: loss }, smoke });
  await client.put({
    [`adapters/support-bot/${CURRENT}/manifest.json`]: manifest(CURRENT, "2026-03-02T09:00:00.000Z", 0.4321, [{ prompt: "How do I reset my password?", output: "Open Settings → Security." }]),
    [`adapters/support-bot/${CURRENT}/adapter_model.safetensors`]: "weights",
    [`adapters/support-bot/${CURRENT}/_SUCCESS`]: "",
    [`adapters/support-bot/${OLDER}/manifest.json`]: manifest(OLDER, "2026-03-01T09:00:00.000Z", null, []),
    [`adapters/support-bot/${OLDER}/_SUCCESS`]: "",
    [`adapters/support-bot/${INCOMPLETE}/adapter_model.safetensors`]: "partial",
  });
  client.destroy();
}

async function fakeOpenAi(): Promise<{ server: Server; url: string; seen: { auth?: string; model?: unknown }[] }> {
  const seen: { auth?: string; model?: unknown }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const model = (JSON.parse(body) as { model?: unknown }).model;
      seen.push({ auth: req.headers.authorization, model });
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const piece of ["Open ", "Settings."]) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
      res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`, seen };
}

async function run(kubeconfig: string, outDir: string): Promise<void> {
  const kube = new Kube(kubeconfig);
  const { objects, resources } = renderStack(join(outDir, STACK));
  fillRedactedSecrets(objects);
  const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === "chat-api-key");
  check("render has the engine key Secret chat-api-key", secret !== undefined);
  if (secret !== undefined) secret.stringData = { "api-key": ENGINE_KEY };

  const { platform } = loadStackFile(STACK);
  const { nodes } = platformNodes(platform, objects, resources, objects);
  for (const n of nodes) {
    const r = kube.create(n);
    if (!r.ok) check(`node ${n.metadata.name} created`, false, r.stderr);
  }
  const ready = await waitFor(60, () => {
    const n = kube.list("nodes").filter((x) => x.status.conditions?.some((c: Live) => c.type === "Ready" && c.status === "True")).length;
    return n === nodes.length ? n : undefined;
  });
  check(`${nodes.length} KWOK nodes Ready`, ready === nodes.length);

  let applied = 0;
  for (const o of [...objects].sort((a, b) => rank(a) - rank(b))) {
    if (!BUILTIN_GROUPS.has(groupOf(o.apiVersion))) continue; // custom resources: the main lane's business
    const r = kube.apply(o);
    if (r.ok) applied++;
    else check(`apply ${o.kind}/${o.metadata.name}`, false, r.stderr);
  }
  note(`${applied} built-in objects of ${STACK} applied`);
  const train = objects.find((o) => o.kind === "Job" && o.metadata.name === `support-bot-train-${CURRENT}`);
  check(`render has the current run's Job support-bot-train-${CURRENT}`, train !== undefined);
  if (train === undefined) return;
  const ns = train.metadata.namespace!;
  check("a suspended Job of another run (as Kueue holds it) applied", kube.apply(otherRunJob(train, QUEUED, { suspend: true })).ok);
  // a deadline of 1 s: the Job controller fails it (DeadlineExceeded) before KWOK completes a pod
  check("a Job of another run that fails applied", kube.apply(otherRunJob(train, FAILED, { activeDeadlineSeconds: 1 })).ok);

  const jobDone = await waitFor(120, () => {
    const j = kube.get("job", train.metadata.name, ns);
    return j?.status?.conditions?.some((c: Live) => c.type === "Complete" && c.status === "True") ? true : undefined;
  });
  check(`Job ${train.metadata.name} complete (KWOK ran its pod)`, jobDone === true);
  const failed = await waitFor(60, () => {
    const j = kube.get("job", `support-bot-train-${FAILED}`, ns);
    return j?.status?.conditions?.some((c: Live) => c.type === "Failed" && c.status === "True") ? true : undefined;
  });
  check(`Job support-bot-train-${FAILED} failed`, failed === true);
  const served = await waitFor(120, () => (Number(kube.get("deployment", "chat", ns)?.status?.readyReplicas ?? 0) >= 1 ? true : undefined));
  check("Deployment chat 1/1 ready (KWOK)", served === true);

  const s3 = await startS3Server({ bucket: "llmkit", preloadCli: false });
  try {
    await seedStore(s3);
    const deps = { storeClient: () => storeClient(s3).s3, env: { HOME: outDir, PATH: process.env.PATH ?? "" } };
    const st = await capture((p, e) => status(["--stack", STACK, "--kubeconfig", kubeconfig], p, e, deps));
    console.log(st.out.map((l) => `     | ${l}`).join("\n"));
    check("status exits 0", st.code === 0, `exit ${st.code}: ${st.err.join(" | ")}`);
    const statusLines = hasLines(st, [
      "stack local: namespace llmkit, store s3://llmkit",
      `adapter support-bot (current run ${CURRENT}, pinned none, followed by chat)`,
      "  RUN           STATE                      EVAL LOSS  PUBLISHED",
      `  ${CURRENT}  published                  0.4321     2026-03-02T09:00:00.000Z  current`,
      '      smoke "How do I reset my password?" → "Open Settings → Security."',
      `  ${OLDER}  published                  none       2026-03-01T09:00:00.000Z`,
      `  ${QUEUED}  queued                     -          -`,
      `  ${FAILED}  failed (DeadlineExceeded)  -          -`,
      `  ${INCOMPLETE}  incomplete                 -          -`,
      "service chat (vllm): 1/1 ready",
      "  endpoint http://chat.llmkit.svc.cluster.local:8000/v1",
      "  ADAPTER      PINNED                LOADED",
      `  support-bot  follows ${CURRENT}  at run time (GET /v1/models)  follows the current run: loaded once published`,
    ]);
    check("status: runs with state, eval loss, publish time, smoke; the followed run; replicas; endpoint", statusLines === "", statusLines);

    // A pin added but not deployed yet: the stack pins OLDER, the pods still follow CURRENT.
    const stacksDir = join(outDir, "stacks");
    mkdirSync(stacksDir, { recursive: true });
    copyFileSync(join(STACKS_DIR, `Pulumi.${STACK}.yaml`), join(stacksDir, `Pulumi.${STACK}.yaml`));
    // the file the stack uploads, where the copy's project root (the folder holding stacks/) has it
    mkdirSync(join(outDir, "data/support"), { recursive: true });
    copyFileSync(join(ROOT, "data/support/train.jsonl"), join(outDir, "data/support/train.jsonl"));
    const file = join(stacksDir, `Pulumi.${STACK}.yaml`);
    writeFileSync(file, `${readFileSync(file, "utf8")}  llmkit:release:\n    adapters:\n      support-bot: { runId: "${OLDER}", baseModel: qwen2-5-0-5b }\n`);
    const pending = await capture((p, e) => status(["--stack", STACK, "--kubeconfig", kubeconfig, "--stacks-dir", stacksDir], p, e, deps));
    const pendingLines = hasLines(pending, [`  support-bot  ${OLDER}  not loaded (0/1 pods)  differs: rollout pending or in progress`]);
    check("status: a pin the pods do not run yet shows as differing", pendingLines === "", pendingLines);

    const badCtx = await capture((p, e) => status(["--stack", STACK, "--kubeconfig", kubeconfig, "--context", "nope"], p, e, deps));
    check("status --context nope: exit 2 naming the contexts", badCtx.code === 2 && badCtx.err[0] === "--context nope: no such context (contexts: llmkit-e2e)", `${badCtx.code} ${badCtx.err.join(" | ")}`);
  } finally {
    await s3.stop();
  }

  // logs: pod selection against the real API server; the logs themselves need a kubelet
  const env = { HOME: outDir, PATH: process.env.PATH ?? "" };
  const dry = await capture((p, e) => logs(["support-bot", "--stack", STACK, "--kubeconfig", kubeconfig, "--dry-run"], p, e, process.stdout, env));
  console.log(dry.out.map((l) => `     | ${l}`).join("\n"));
  const dryLines = hasLines(dry, [
    new RegExp(`^run ${CURRENT}: Job llmkit/support-bot-train-${CURRENT}, pod support-bot-train-${CURRENT}-[a-z0-9]{5} \\(Succeeded\\)$`),
    // upload-datasets first: the local stack uploads its sample data
    /^containers: upload-datasets \(\w+\), restore \(\w+\), checkpoint-sync \(\w+\), train \(\w+\), publish \(\w+\)$/,
    /^dry run: would print /,
  ]);
  check("logs --dry-run: the current run's training pod and its containers in start order", dry.code === 0 && dryLines === "", `exit ${dry.code} ${dryLines} ${dry.err.join(" | ")}`);
  const sink = new PassThrough();
  sink.resume();
  const real = await capture((p, e) => logs(["support-bot", "--stack", STACK, "--kubeconfig", kubeconfig, "--container", "train"], p, e, sink, env));
  check("logs --container train: exit 1 with one line from the API server (KWOK plays no kubelet that serves logs)", real.code === 1 && /^llmkit logs failed: reading logs of support-bot-train-\w+-\w+\/train: /.test(real.err.at(-1) ?? ""), `exit ${real.code}: ${real.err.join(" | ")}`);
  note(`logs without a kubelet: ${real.err.at(-1) ?? ""}`);
  const none = await capture((p, e) => logs(["support-bot", "--stack", STACK, "--kubeconfig", kubeconfig, "--run", "cccccccccccc"], p, e, sink, env));
  check(
    "logs --run of a run without a Job: exit 1 saying so",
    none.code === 1 && none.err[0]?.startsWith("no pod of Job llmkit/support-bot-train-cccccccccccc (run cccccccccccc): the run has not started") === true,
    `exit ${none.code}: ${none.err.join(" | ")}`,
  );

  // chat: the key from the Secret on the real API server, the request to a fake OpenAI server
  const fake = await fakeOpenAi();
  try {
    const written: string[] = [];
    const answer = await capture((p, e) => chat(["--stack", STACK, "--kubeconfig", kubeconfig, "--url", fake.url, "Reset my password"], p, e, { env, write: (t) => void written.push(t) }));
    check(
      "chat --url: engine key read from Secret llmkit/chat-api-key, model support-bot, streamed answer",
      answer.code === 0 && written.join("") === "Open Settings.\n" && fake.seen.at(-1)?.auth === `Bearer ${ENGINE_KEY}` && fake.seen.at(-1)?.model === "support-bot",
      `exit ${answer.code}, wrote ${JSON.stringify(written.join(""))}, server saw ${JSON.stringify(fake.seen.at(-1))}, stderr ${answer.err.join(" | ")}`,
    );
  } finally {
    await new Promise<void>((r) => fake.server.close(() => r()));
  }
  const plan = await capture((p, e) => chat(["--stack", STACK, "--kubeconfig", kubeconfig, "--dry-run", "hi"], p, e, { env }));
  check(
    "chat --dry-run: port-forward to the ready pod of chat, key from the Secret",
    plan.code === 0 &&
      /^dry run: would POST http:\/\/127\.0\.0\.1:<port>\/v1\/chat\/completions \(port-forward to llmkit\/chat-[a-z0-9]+-[a-z0-9]{5}:8000\), model "support-bot", stream, key: engine key from Secret llmkit\/chat-api-key \(key api-key\)$/.test(plan.out[0] ?? ""),
    `exit ${plan.code}: ${plan.out.join(" | ")} ${plan.err.join(" | ")}`,
  );
  const forwarded = await capture((p, e) => chat(["--stack", STACK, "--kubeconfig", kubeconfig, "hi"], p, e, { env, write: () => {} }));
  check("chat through a port-forward: exit 1 with one line (KWOK plays no kubelet that forwards ports)", forwarded.code === 1 && /^llmkit chat failed: port-forward to llmkit\/chat-[a-z0-9]+-[a-z0-9]{5}:8000 failed: /.test(forwarded.err.at(-1) ?? ""), `exit ${forwarded.code}: ${forwarded.err.join(" | ")}`);
  note(`chat through a port-forward without a kubelet: ${forwarded.err.at(-1) ?? ""}`);
}

async function main(argv: string[]): Promise<number> {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const kubeconfig = arg("--kubeconfig") ?? process.env.KUBECONFIG;
  if (kubeconfig === undefined) {
    console.error("usage: ops-checks.ts --kubeconfig <file> [--out <dir>]");
    return 2;
  }
  const out = resolve(arg("--out") ?? resolve(ROOT, ".cache/cluster/render/ops"));
  mkdirSync(out, { recursive: true });
  console.log("== group ops: llmkit status, logs, chat on local");
  const t0 = Date.now();
  try {
    await run(resolve(kubeconfig), out);
  } catch (err) {
    check("group ops ran to the end", false, err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  console.log(`group ops: ${report.passed} passed, ${report.failed} failed (${Math.round((Date.now() - t0) / 1000)}s)`);
  return report.failed > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
