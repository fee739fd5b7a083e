/**
 * `npm run e2e:engines`: the engine lane (level 7 for training and serving, e2e/engines/README.md).
 *
 * install.sh has put the pinned engines in .cache/engines. This script builds the tiny base models
 * and datasets, renders e2e/engines/Pulumi.engines.yaml with the kit's render CLI, starts the S3
 * test server, and runs the rendered pods' own commands (pod.ts) with the real engines: the mirror
 * upload, each fine-tune (restore → identity → train beside checkpoint-sync → publish), a
 * preemption and resume, merge, GGUF export, and serving's fetch; then checks the real outputs
 * (checks/*.py) and vLLM's own argument parser and LoRA checks. One line per scenario, then
 * `engines: N passed, M failed`; exit 1 on any failure.
 *
 * LLMKIT_ENGINES_ONLY=a,b runs only scenarios whose name starts with one of those prefixes (and
 * what they need); LLMKIT_ENGINES_JOBS sets how many pods run at once (default 2);
 * LLMKIT_ENGINES_KEEP=1 keeps the temp dir; LLMKIT_ENGINES_VERBOSE=1 streams every container's output.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { parse, parseDocument, Scalar } from "yaml";
import { startS3Server, storeClient, type S3Server } from "../../test/s3-server.ts";
import { LORA_DEFAULTS, TRAINING_DEFAULTS } from "../../components/training/defaults.ts";
import { UPLOAD_VOLUME } from "../../components/training/upload.ts";
import { expected, GATE, promoteCli, STACKS, withLearningRate, WORSE, writeGateStacks, type CliRun, type Scored } from "./gate.ts";
import { ContainerFailed, killAll, PathMap, runPod, start, writeConfigMap, type Container, type PodContext, type PodSpec, type Proc } from "./pod.ts";

const HERE = import.meta.dirname;
const ROOT = resolve(HERE, "../..");
const CACHE = resolve(process.env.LLMKIT_ENGINES_CACHE ?? join(ROOT, ".cache/engines"));
const STACK = "engines";
const VERBOSE = process.env.LLMKIT_ENGINES_VERBOSE === "1";
const ONLY = (process.env.LLMKIT_ENGINES_ONLY ?? "").split(",").filter((s) => s !== "");
const JOBS = Number(process.env.LLMKIT_ENGINES_JOBS ?? "2");
const TMP = mkdtempSync(join(tmpdir(), "llmkit-engines-"));
const venvBin = (name: string) => join(CACHE, `venv-${name}`, "bin");
const LLAMA_CPP = join(CACHE, "llama.cpp");
const QWEN_RANKS = join(CACHE, "tokenizers", "qwen.tiktoken");
const started = Date.now();

// ------------------------------------------------------------------ output

interface Result {
  name: string;
  ok: boolean;
  seconds: number;
  detail: string;
}
const results: Result[] = [];
const log = (line: string) => {
  if (VERBOSE) console.log(`  | ${line}`);
};
function record(name: string, ok: boolean, t0: number, detail: string): void {
  const r = { name, ok, seconds: Math.round((Date.now() - t0) / 1000), detail };
  results.push(r);
  console.log(`${ok ? "PASS" : "FAIL"} ${name} (${r.seconds}s)${detail === "" ? "" : `: ${detail}`}`);
}
class CheckFailed extends Error {}
function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CheckFailed(message);
}

/** The engine's own error text from a failed container's output: its last error-looking lines. */
function errorText(output: string): string {
  const lines = output.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  // a Python exception's own line ("ValueError: …") says it best
  const raised = lines.filter((l) => /^[\w.]+(Error|Exception): /.test(l));
  if (raised.length > 0) return raised.slice(-1)[0]!.slice(0, 1200);
  const errs = lines.filter((l) => /(Error|error:|Exception|configuration error|Traceback|not found|No such)/.test(l) && !/^File "/.test(l));
  const pick = (errs.length > 0 ? errs : lines).slice(-3);
  return pick.join(" | ").slice(0, 1200);
}

async function scenario(name: string, fn: () => Promise<string>): Promise<boolean> {
  const t0 = Date.now();
  try {
    const detail = await fn();
    record(name, true, t0, detail);
    return true;
  } catch (err) {
    let detail: string;
    if (err instanceof ContainerFailed) detail = `container ${err.container} exited ${err.code}: ${errorText(err.output)}`;
    else if (err instanceof CheckFailed) detail = err.message;
    else detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    record(name, false, t0, detail);
    return false;
  }
}
const wanted = (name: string) => ONLY.length === 0 || ONLY.some((p) => name.startsWith(p));

// ------------------------------------------------------------------ processes

function run(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const on = (d: Buffer) => {
      out += d.toString();
      if (VERBOSE) process.stdout.write(d);
    };
    child.stdout.on("data", on);
    child.stderr.on("data", on);
    child.once("error", (e) => done({ code: 127, out: out + String(e) }));
    child.once("close", (code) => done({ code, out }));
  });
}

/**
 * Runs a checks/*.py script with a venv's python; its result is its last JSON line. stdout and
 * stderr share `out`, so a late stderr line (a warning at interpreter exit) may follow it.
 */
async function check(venv: string, script: string, args: string[], env: Record<string, string> = {}): Promise<Record<string, string | number | string[]>> {
  const r = await run(join(venvBin(venv), "python"), [join(HERE, "checks", script), ...args], {
    env: { PATH: `${venvBin(venv)}:${process.env.PATH}`, HOME: join(TMP, "home"), HF_HUB_OFFLINE: "1", CUDA_VISIBLE_DEVICES: "", ...env },
  });
  if (r.code !== 0) throw new CheckFailed(`${script}: ${errorText(r.out)}`);
  const last = r.out.trim().split("\n").findLast((l) => l.startsWith("{"));
  if (last === undefined) throw new CheckFailed(`${script}: printed no JSON result: ${errorText(r.out)}`);
  return JSON.parse(last) as Record<string, string | number | string[]>;
}

// ------------------------------------------------------------------ build (cached)

function sha(...files: string[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

async function build(): Promise<string> {
  const key = sha(join(HERE, "gen-data.py"), join(HERE, "build-models.py"), join(ROOT, "planner/calibration/architectures.json"), join(HERE, "requirements-vllm.txt"), QWEN_RANKS);
  const dir = join(CACHE, "build", key);
  if (existsSync(join(dir, ".done"))) return dir;
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const py = join(venvBin("vllm"), "python");
  for (const [script, args] of [["gen-data.py", [partial]], ["build-models.py", [join(partial, "models"), join(partial, "corpus.txt"), QWEN_RANKS]]] as const) {
    const r = await run(py, [join(HERE, script), ...args], { env: { PATH: process.env.PATH ?? "", HOME: TMP, HF_HUB_OFFLINE: "1", CUDA_VISIBLE_DEVICES: "" } });
    if (r.code !== 0) throw new Error(`${script} failed:\n${r.out}`);
    log(r.out.trim());
  }
  writeFileSync(join(partial, ".done"), "");
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

// ------------------------------------------------------------------ render

type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string>; spec?: { template: { spec: PodSpec & { terminationGracePeriodSeconds?: number } } } };
interface Rendered {
  objects: Obj[];
  runIds: Record<string, string>;
  find(kind: string, name: string): Obj;
}

async function renderStack(stacksDir: string, out: string): Promise<Rendered> {
  rmSync(out, { recursive: true, force: true });
  const r = await run(process.execPath, ["--import", "tsx", "cli/render.ts", "--stack", STACK, "--stacks-dir", stacksDir, "--out", out]);
  if (r.code !== 0) throw new CheckFailed(`render exited ${r.code}: ${r.out.trim().split("\n").slice(-6).join(" | ")}`);
  const dir = join(out, "manifests");
  const objects = readdirSync(dir).map((f) => parse(readFileSync(join(dir, f), "utf8")) as Obj);
  const runIds: Record<string, string> = {};
  for (const o of objects) {
    const m = /^(.*)-train-([0-9a-f]{12})$/.exec(o.metadata.name);
    if (o.kind === "Job" && m) runIds[m[1]!] = m[2]!;
  }
  return {
    objects,
    runIds,
    find(kind, name) {
      const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
      if (o === undefined) throw new CheckFailed(`render has no ${kind} ${name}`);
      return o;
    },
  };
}

/**
 * Renders the test stack; when the kit's run ids differ from the stack's release pins (a kit change
 * moved them), pins the rendered ids in the temp copy and renders again, so merge, GGUF and serving
 * (which start from `release`) refer to the runs this lane trains.
 */
async function render(): Promise<Rendered> {
  const stacks = join(TMP, "stacks");
  mkdirSync(stacks, { recursive: true });
  const file = join(stacks, `Pulumi.${STACK}.yaml`);
  copyFileSync(join(HERE, `Pulumi.${STACK}.yaml`), file);
  addSample(stacks, file);
  let rendered = await renderStack(stacks, join(TMP, "render"));
  const doc = parseDocument(readFileSync(file, "utf8"));
  const release = doc.getIn(["config", "llmkit:release", "adapters"]) as { toJSON(): Record<string, { runId: string }> };
  const stale = Object.entries(release.toJSON()).filter(([name, e]) => rendered.runIds[name] !== undefined && rendered.runIds[name] !== e.runId);
  // stage dpo `from: <fine-tune>@<runId>` pins the SFT run this lane trains, like release does
  const fts = (doc.getIn(["config", "llmkit:fineTunes"]) as { toJSON(): FineTuneSpec[] }).toJSON();
  const staleFrom = fts
    .map((ft, i) => ({ i, from: ft.from === undefined ? undefined : /^(.+)@([0-9a-f]{12})$/.exec(ft.from) }))
    .filter((x): x is { i: number; from: RegExpExecArray } => x.from != null && rendered.runIds[x.from[1]!] !== undefined && rendered.runIds[x.from[1]!] !== x.from[2]);
  if (stale.length > 0 || staleFrom.length > 0) {
    for (const [name] of stale) {
      const id = new Scalar(rendered.runIds[name]);
      id.type = "QUOTE_DOUBLE";
      doc.setIn(["config", "llmkit:release", "adapters", name, "runId"], id);
    }
    for (const { i, from } of staleFrom) doc.setIn(["config", "llmkit:fineTunes", i, "from"], `${from[1]}@${rendered.runIds[from[1]!]}`);
    writeFileSync(file, doc.toString());
    const pins = [...stale.map(([n]) => n), ...staleFrom.map((x) => x.from[1]!)].map((n) => `${n}@${rendered.runIds[n]}`);
    console.log(`note: release and from: pins refreshed to the rendered run ids (${pins.join(", ")}); update e2e/engines/Pulumi.engines.yaml to silence this`);
    rendered = await renderStack(stacks, join(TMP, "render"));
  }
  return rendered;
}

// ------------------------------------------------------------------ pods

let s3: S3Server;

function toolsFor(image: string): { path: string[]; env: Record<string, string> } {
  const engine = { CUDA_VISIBLE_DEVICES: "", HF_HUB_OFFLINE: "1", HF_DATASETS_OFFLINE: "1", TRANSFORMERS_OFFLINE: "1", TOKENIZERS_PARALLELISM: "false" };
  if (image.startsWith("amazon/aws-cli:")) return { path: [], env: {} };
  if (image.startsWith("hiyouga/llamafactory:")) return { path: [venvBin("llamafactory")], env: engine };
  if (image.includes("/modelscope-repo/modelscope:")) return { path: [venvBin("ms-swift")], env: engine };
  // the llama.cpp full image's python3 with requirements-convert_hf_to_gguf.txt: numpy, torch, transformers, sentencepiece
  if (image.startsWith("ghcr.io/ggml-org/llama.cpp:")) return { path: [venvBin("vllm")], env: engine };
  throw new Error(`no local stand-in for image ${image}`);
}

function podContext(name: string, spec: PodSpec, rendered: Rendered): { ctx: PodContext; spec: PodSpec } {
  const root = join(TMP, "pods", name);
  const mounts = new Set<string>(["/tmp"]);
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) for (const m of c.volumeMounts ?? []) mounts.add(m.mountPath);
  const map: Record<string, string> = { "/app": LLAMA_CPP };
  for (const m of mounts) if (m !== "/dev/shm") map[m] = join(root, m.slice(1).replace(/\//g, "_"));
  for (const dir of Object.values(map)) mkdirSync(dir, { recursive: true });
  const paths = new PathMap(map);
  const ctx: PodContext = { name, root, map: paths, storeEnv: s3.env, toolsFor, log };
  // configMap volumes: the rendered ConfigMap's files at the (mapped) mount path
  for (const v of spec.volumes ?? []) {
    if (v.configMap === undefined) continue;
    const cm = rendered.find("ConfigMap", v.configMap.name);
    const mount = [...(spec.initContainers ?? []), ...spec.containers].flatMap((c) => c.volumeMounts ?? []).find((m) => m.name === v.name);
    // the uploads' ConfigMap holds the user's files, read byte for byte: nothing in them is a pod path
    if (mount !== undefined) writeConfigMap(cm.data ?? {}, map[mount.mountPath]!, v.name === UPLOAD_VOLUME ? null : paths);
  }
  return { ctx, spec };
}

function jobPod(rendered: Rendered, job: string): PodSpec & { terminationGracePeriodSeconds?: number } {
  return rendered.find("Job", job).spec!.template.spec;
}

async function aws(args: string[]): Promise<string> {
  const r = await run("aws", args, { env: s3.env });
  if (r.code !== 0) throw new CheckFailed(`aws ${args.join(" ")}: ${r.out.trim()}`);
  return r.out;
}
async function download(prefix: string, dest: string): Promise<string> {
  mkdirSync(dest, { recursive: true });
  await aws(["s3", "sync", "--only-show-errors", "--no-progress", `s3://${s3.bucket}/${prefix}`, dest]);
  return dest;
}

// ------------------------------------------------------------------ scenarios

let BUILD = "";
const MODELS: Record<string, string> = {}; // model name -> built dir

async function mirror(rendered: Rendered, model: string): Promise<string> {
  const spec = jobPod(rendered, `${model}-mirror`);
  const { ctx } = podContext(`${model}-mirror`, spec, rendered);
  const init = spec.initContainers ?? [];
  const check = init.find((c) => c.name === "check")!;
  const down = init.find((c) => c.name === "download")!;
  const r1 = await start(check, ctx).done;
  if (r1.code !== 0) throw new ContainerFailed(ctx.name, "check", r1.code, r1.output);
  // `download` (hf download from the hub) is the one step that cannot run here: its output, the
  // model snapshot, is the tiny model this lane built, put where download would have written it.
  const modelDir = ctx.map.apply(down.env!.find((e) => e.name === "MODEL_DIR")!.value!);
  cpSync(join(BUILD, "models", model), modelDir, { recursive: true });
  for (const c of spec.containers) {
    const r = await start(c, ctx).done;
    if (r.code !== 0) throw new ContainerFailed(ctx.name, c.name, r.code, r.output);
  }
  const prefix = check.env!.find((e) => e.name === "MODEL_PREFIX")!.value!;
  const keys = await storeClient(s3).keys(prefix);
  expect(keys.includes(`${prefix}_SUCCESS`) && keys.includes(`${prefix}config.json`) && keys.includes(`${prefix}model.safetensors`), `store lacks the mirrored files: ${keys.join(", ")}`);
  MODELS[model] = join(BUILD, "models", model);
  return `${keys.length - 1} files + _SUCCESS under ${prefix}`;
}

interface Manifest {
  name: string;
  runId: string;
  engine: string;
  createdAt: string;
  datasets: { path: string; rows: number; etag: string; samples?: number | null }[];
  result: { steps: number; finalEvalLoss: number | null; bestEvalLoss: number | null };
  restarts: number;
  wallSeconds: number;
  gpuType: string;
  smoke: { prompt: string; output: string }[];
  lora: { rank: number };
  stage?: string;
  preference?: { beta: number; loss: string };
  from?: { name: string; runId: string; uri: string };
  evaluation?: Record<string, { adapter: number; base: number | null; better: string; samples: number }>;
  suites?: { name: string; path: string; etag: string; rows: number; maxSamples: number }[];
}

interface FineTuneSpec {
  name: string;
  engine: string;
  baseModel: string;
  lora?: { rank?: number };
  smokePrompts?: string[];
  training?: { valRatio?: number; maxSteps?: number };
  datasets?: { path?: string; upload?: string }[];
  identity?: unknown;
  stage?: "sft" | "dpo";
  preference?: { beta?: number; loss?: string };
  from?: string;
  evaluation?: { suites: { name: string; path: string; maxSamples?: number }[] };
}

function stackFineTunes(): FineTuneSpec[] {
  const doc = parse(readFileSync(join(HERE, `Pulumi.${STACK}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return [...(doc.config["llmkit:fineTunes"] as FineTuneSpec[]), sampleFineTune()];
}

/**
 * `lf-sample`: the local stack's fine-tune (stacks/Pulumi.local.yaml, the one that uploads the
 * shipped sample data) as that stack declares it — engine, method, template, datasets, training —
 * with only its name and base model swapped for this lane's tiny Qwen2, so the two cannot drift.
 */
const SAMPLE = { name: "lf-sample", baseModel: "tiny-qwen2", stack: join(ROOT, "stacks", "Pulumi.local.yaml") };
function sampleFineTune(): FineTuneSpec {
  const doc = parse(readFileSync(SAMPLE.stack, "utf8")) as { config: Record<string, unknown> };
  const fts = (doc.config["llmkit:fineTunes"] ?? []) as FineTuneSpec[];
  const withUploads = fts.filter((f) => (f.datasets ?? []).some((d) => d.upload !== undefined));
  if (withUploads.length !== 1) throw new Error(`${SAMPLE.stack}: llmkit:fineTunes has ${withUploads.length} fine-tunes with datasets[].upload, the engine lane's ${SAMPLE.name} derives from exactly one`);
  return { ...withUploads[0]!, name: SAMPLE.name, baseModel: SAMPLE.baseModel };
}

/**
 * Adds lf-sample to the temp copy of the lane's stack and copies its uploaded files beside the
 * temp stacks dir: upload paths are relative to the project root, the folder holding the stacks
 * folder (config/load.ts projectRoot).
 */
function addSample(stacks: string, file: string): void {
  const ft = sampleFineTune();
  for (const d of ft.datasets ?? []) {
    if (d.upload === undefined) continue;
    mkdirSync(dirname(join(dirname(stacks), d.upload)), { recursive: true });
    copyFileSync(join(ROOT, d.upload), join(dirname(stacks), d.upload));
  }
  const doc = parseDocument(readFileSync(file, "utf8"));
  doc.addIn(["config", "llmkit:fineTunes"], doc.createNode(ft));
  writeFileSync(file, doc.toString());
}

const ENGINE_VENV: Record<string, string> = { llamafactory: "llamafactory", "ms-swift": "ms-swift" };

/** `local`: where the adapter is downloaded to (default: check/<fine-tune>/adapter, which merge reads). */
async function checkPublished(ft: FineTuneSpec, runId: string, attempts: number, local = join(TMP, "check", ft.name, "adapter")): Promise<{ manifest: Manifest; adapter: string; detail: string }> {
  const prefix = `adapters/${ft.name}/${runId}/`;
  const keys = await storeClient(s3).keys(prefix);
  expect(keys.includes(`${prefix}_SUCCESS`), `no _SUCCESS under ${prefix} (${keys.join(", ")})`);
  const adapter = await download(prefix, local);
  const manifest = JSON.parse(readFileSync(join(adapter, "manifest.json"), "utf8")) as Manifest;
  expect(manifest.runId === runId && manifest.name === ft.name, `manifest names ${manifest.name}@${manifest.runId}`);
  expect(Number.isInteger(manifest.result.steps) && manifest.result.steps > 0, `manifest result.steps is ${manifest.result.steps}`);
  expect(manifest.restarts === attempts - 1, `manifest restarts ${manifest.restarts}, expected ${attempts - 1}`);
  for (const d of manifest.datasets) {
    // an uploaded dataset is the project's file (its store key is content-addressed); the rest are the lane's
    const upload = d.path.startsWith("datasets/uploads/") ? (ft.datasets ?? []).find((x) => x.upload !== undefined && d.path.endsWith(`/${basename(x.upload)}`))?.upload : undefined;
    const local = upload !== undefined ? join(ROOT, upload) : join(BUILD, d.path);
    const text = readFileSync(local, "utf8");
    const rows = d.path.endsWith(".json") ? (JSON.parse(text) as unknown[]).length : text.split("\n").filter((l) => l.trim() !== "").length;
    expect(d.rows === rows, `manifest rows of ${d.path}: ${d.rows}, the file has ${rows}`);
    expect(typeof d.etag === "string" && d.etag.length > 0, `manifest etag of ${d.path} is empty`);
  }
  const evaluates = (ft.training?.valRatio ?? TRAINING_DEFAULTS.valRatio) > 0;
  if (evaluates) {
    expect(typeof manifest.result.finalEvalLoss === "number" && Number.isFinite(manifest.result.finalEvalLoss), `finalEvalLoss ${manifest.result.finalEvalLoss} with a val split`);
    expect(typeof manifest.result.bestEvalLoss === "number" && manifest.result.bestEvalLoss <= manifest.result.finalEvalLoss, `bestEvalLoss ${manifest.result.bestEvalLoss}`);
  } else {
    expect(manifest.result.finalEvalLoss === null, `finalEvalLoss ${manifest.result.finalEvalLoss} without a val split`);
  }
  const prompts = ft.smokePrompts ?? [];
  expect(manifest.smoke.length === prompts.length, `manifest has ${manifest.smoke.length} smoke outputs for ${prompts.length} prompts`);
  manifest.smoke.forEach((s, i) => expect(s.prompt === prompts[i] && typeof s.output === "string", `smoke[${i}] is ${JSON.stringify(s)}`));
  expect(manifest.gpuType === "none" && typeof manifest.wallSeconds === "number", `gpuType ${manifest.gpuType}, wallSeconds ${manifest.wallSeconds}`);
  const evaluation = checkEvaluation(ft, manifest, evaluates);
  const peft = await check(ENGINE_VENV[ft.engine]!, "adapter.py", [MODELS[ft.baseModel]!, adapter]);
  expect((peft.maxLogitDiff as number) > 1e-4, `the adapter does not change the base's logits (max |Δ| ${String(peft.maxLogitDiff)})`);
  const loss = evaluates ? `, eval loss ${manifest.result.finalEvalLoss?.toFixed(3)}` : "";
  const smoke = manifest.smoke.length > 0 ? `, smoke ${JSON.stringify(manifest.smoke[0]!.output.slice(0, 40))}` : "";
  return { manifest, adapter, detail: `${manifest.result.steps} steps${loss}, rows ${manifest.datasets.map((d) => d.rows).join("+")}, PEFT max |Δlogit| ${(peft.maxLogitDiff as number).toFixed(3)}${smoke}${evaluation}` };
}

/**
 * The manifest's `evaluation` (components/lib/adapter-manifest.ts), written by the engine in the
 * pod (scripts/eval-heldout.py, eval-suite.py, lineage.py): with a val split, heldout.loss for the
 * adapter and the base, and for DPO the reward accuracy and margin with base null; per suite,
 * exact match and ROUGE-L of both on the suite's first maxSamples rows; nothing else.
 */
function checkEvaluation(ft: FineTuneSpec, manifest: Manifest, evaluates: boolean): string {
  const ev = manifest.evaluation;
  expect(ev !== undefined, "manifest has no evaluation");
  const suites = ft.evaluation?.suites ?? [];
  const heldout = !evaluates ? [] : ft.stage === "dpo" ? ["heldout.loss", "heldout.rewardAccuracy", "heldout.rewardMargin"] : ["heldout.loss"];
  const want = [...heldout, ...suites.flatMap((s) => [`suite.${s.name}.exactMatch`, `suite.${s.name}.rougeL`])].sort();
  expect(JSON.stringify(Object.keys(ev).sort()) === JSON.stringify(want), `manifest evaluation has ${Object.keys(ev).join(", ") || "nothing"}, expected ${want.join(", ") || "nothing"}`);
  for (const [name, m] of Object.entries(ev)) {
    expect(Number.isFinite(m.adapter) && Number.isInteger(m.samples) && m.samples > 0, `${name}: adapter ${m.adapter} on ${m.samples} rows`);
    if (name.startsWith("heldout.reward")) expect(m.base === null && m.better === "higher", `${name}: base ${m.base} (the base is DPO's reference: null), better ${m.better}`);
    else expect(typeof m.base === "number" && Number.isFinite(m.base) && m.better === (name === "heldout.loss" ? "lower" : "higher"), `${name}: base ${m.base}, better ${m.better}`);
    if (name.startsWith("suite.")) expect(m.adapter >= 0 && m.adapter <= 1 && m.base! >= 0 && m.base! <= 1, `${name}: ${m.adapter} vs ${m.base}, not in 0..1`);
  }
  if (heldout.length > 0) expect(new Set(heldout.map((k) => ev[k]!.samples)).size === 1, `held-out metrics on different row counts`);
  for (const s of suites) {
    const local = readFileSync(join(BUILD, s.path), "utf8").split("\n").filter((l) => l.trim() !== "").length;
    const entry = manifest.suites?.find((x) => x.name === s.name);
    expect(entry !== undefined && entry.path === s.path && entry.etag.length > 0 && entry.rows === local, `manifest suites entry of ${s.name}: ${JSON.stringify(entry)} (the file has ${local} rows)`);
    expect(ev[`suite.${s.name}.exactMatch`]!.samples === Math.min(local, s.maxSamples ?? 200), `suite ${s.name} scored on ${ev[`suite.${s.name}.exactMatch`]!.samples} rows`);
  }
  const fmt = (n: number | null) => (n === null ? "null" : n.toFixed(4));
  return want.length === 0 ? "" : `; evaluation adapter vs base: ${Object.entries(ev).map(([k, m]) => `${k} ${fmt(m.adapter)} vs ${fmt(m.base)} (${m.samples} rows)`).join(", ")}`;
}

async function train(rendered: Rendered, ft: FineTuneSpec, local?: string): Promise<string> {
  const runId = rendered.runIds[ft.name]!;
  const job = `${ft.name}-train-${runId}`;
  const spec = jobPod(rendered, job);
  const { ctx } = podContext(`${job}-a1`, spec, rendered);
  const pod = await runPod(spec, ctx, { graceSeconds: spec.terminationGracePeriodSeconds ?? 30 });
  const published = await checkPublished(ft, runId, 1, local);
  if ((ft.datasets ?? []).some((d) => d.upload !== undefined)) return `${await checkUploads(ft, spec, pod.outputs, published.manifest)}; ${published.detail}`;
  if (ft.stage !== "dpo") return published.detail;
  return `${published.detail}; ${await checkDpo(ft, published, ctx.map.apply("/work/output"), pod.outputs.train ?? "")}`;
}

/**
 * A run whose datasets the stack uploads (lf-sample): `upload-datasets` ran first and put each file
 * byte for byte under its content-addressed key (components/lib/store.ts uploadedDatasetKey:
 * datasets/uploads/<first 16 hex of its sha256>/<file name>); the manifest names that key with the
 * file's rows and the stored object's ETag; training stopped at maxSteps.
 */
async function checkUploads(ft: FineTuneSpec, spec: PodSpec, outputs: Record<string, string>, manifest: Manifest): Promise<string> {
  expect(spec.initContainers?.[0]?.name === "upload-datasets", `the pod's first init container is ${spec.initContainers?.[0]?.name}, not upload-datasets`);
  const client = storeClient(s3);
  const found: string[] = [];
  try {
    for (const d of ft.datasets ?? []) {
      if (d.upload === undefined) continue;
      const bytes = readFileSync(join(ROOT, d.upload));
      const key = `datasets/uploads/${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}/${basename(d.upload)}`;
      expect((outputs["upload-datasets"] ?? "").includes(`uploaded s3://${s3.bucket}/${key}\n`), `upload-datasets did not report uploading ${key}: ${errorText(outputs["upload-datasets"] ?? "")}`);
      const stored = Buffer.from(await (await client.s3.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());
      expect(stored.equals(bytes), `s3://${s3.bucket}/${key} (${stored.length} bytes) is not ${d.upload} (${bytes.length} bytes) byte for byte`);
      const etag = (await client.s3.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }))).ETag!.replace(/"/g, "");
      const rows = bytes.toString("utf8").split("\n").filter((l) => l.trim() !== "").length;
      const entry = manifest.datasets.find((x) => x.path === key);
      expect(entry !== undefined && entry.rows === rows && entry.etag === etag, `manifest dataset ${key}: ${JSON.stringify(entry)}, expected ${rows} rows and ETag ${etag}`);
      found.push(`${d.upload} → ${key} (${bytes.length} bytes, ${rows} rows, ETag ${etag})`);
    }
  } finally {
    client.destroy();
  }
  expect(manifest.datasets.length === found.length, `manifest has ${manifest.datasets.length} datasets, the stack uploads ${found.length}`);
  const maxSteps = ft.training?.maxSteps;
  expect(maxSteps !== undefined && manifest.result.steps === maxSteps, `manifest steps ${manifest.result.steps}, maxSteps ${maxSteps}`);
  return `upload-datasets first: ${found.join(", ")}; steps ${manifest.result.steps} = maxSteps`;
}

/**
 * A DPO run: the manifest states the stage, the preference settings and (chained) the adapter it
 * continued; the trainer logged DPO's reward metrics (LLaMA-Factory's CustomDPOTrainer and TRL's
 * DPOTrainer log rewards/chosen, rewards/rejected, rewards/accuracies); a chained run's adapter has
 * the SFT adapter's tensors, moved from them by training (checks/chained.py), and the engine read
 * the SFT adapter as its reference.
 */
async function checkDpo(ft: FineTuneSpec, published: { manifest: Manifest; adapter: string }, output: string, trainLog: string): Promise<string> {
  const m = published.manifest;
  expect(m.stage === "dpo", `manifest stage ${String(m.stage)}`);
  expect(m.preference?.beta === (ft.preference?.beta ?? 0.1) && m.preference?.loss === (ft.preference?.loss ?? "sigmoid"), `manifest preference ${JSON.stringify(m.preference)}`);
  const states = findFiles(output, "trainer_state.json");
  expect(states.length > 0, `no trainer_state.json under the pod's /work/output`);
  // the final state (LLaMA-Factory's output_dir, ms-swift's last checkpoint): the highest global_step
  const state = states.map((f) => JSON.parse(readFileSync(f, "utf8")) as { global_step: number; log_history: Record<string, number>[] }).sort((a, b) => b.global_step - a.global_step)[0]!;
  const rewards = state.log_history.filter((e) => typeof e["rewards/chosen"] === "number" && typeof e["rewards/rejected"] === "number");
  expect(rewards.length > 0, `the trainer logged no rewards/chosen, rewards/rejected: not a DPO run? (${Object.keys(state.log_history[0] ?? {}).join(", ")})`);
  const at = (e: Record<string, number>) => `step ${e.step} rewards/chosen ${e["rewards/chosen"]!.toPrecision(3)}, rewards/rejected ${e["rewards/rejected"]!.toPrecision(3)}`;
  let detail = `DPO: ${[...new Set([rewards[0]!, rewards[rewards.length - 1]!])].map(at).join("; ")}`;
  // Logged before the first update (ms-swift logs step 1): the policy is where it started, so the
  // rewards β·log(π/π_ref) are 0 only when the reference is that start — the base for a run from the
  // base, the SFT adapter for a chained run (the SFT adapter changes the base's logits: its own check).
  const first = rewards[0]!;
  if (first.step === 1) expect(Math.abs(first["rewards/chosen"]!) < 1e-6 && Math.abs(first["rewards/rejected"]!) < 1e-6, `at step 1 the rewards are not 0 (${at(first)}): the reference is not the policy the run started from`);
  if (ft.from === undefined) {
    expect(m.from === undefined, `manifest from ${JSON.stringify(m.from)} for a run from the base`);
    return detail;
  }
  const [name, runId] = ft.from.split("@") as [string, string];
  expect(m.from?.name === name && m.from.runId === runId && m.from.uri === `s3://${s3.bucket}/adapters/${name}/${runId}/`, `manifest from ${JSON.stringify(m.from)}, expected ${ft.from}`);
  const source = await download(`adapters/${name}/${runId}/`, join(TMP, "check", ft.name, "from"));
  const c = await check(ENGINE_VENV[ft.engine]!, "chained.py", [source, published.adapter]);
  expect(c.sameTensors === 1, `the DPO adapter does not have the SFT adapter's tensors: ${String(c.detail)}`);
  expect((c.relativeChange as number) > 0 && (c.relativeChange as number) < 1, `the DPO adapter moved ${String(c.relativeChange)} of the SFT adapter's norm: it should have started there and trained`);
  // LLaMA-Factory's create_ref_model logs "Created reference model from <ref_model>" (train/trainer_utils.py)
  if (ft.engine === "llamafactory") expect(/Created reference model from /.test(trainLog), "LLaMA-Factory did not report creating the reference model from ref_model");
  detail += `; continues ${ft.from}: same ${String(c.tensors)} tensors, moved ${(c.relativeChange as number).toFixed(4)} of their norm`;
  return detail;
}

function findFiles(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? findFiles(join(dir, e.name), name) : e.name === name ? [join(dir, e.name)] : []));
}

/** The last complete local checkpoint (trainer_state.json written last by transformers), or undefined. */
function completeCheckpoint(output: string): number | undefined {
  if (!existsSync(output)) return undefined;
  const steps = readdirSync(output)
    .map((d) => /^checkpoint-(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(output, m[0], "trainer_state.json")))
    .map((m) => Number(m[1]));
  return steps.length > 0 ? Math.max(...steps) : undefined;
}

async function resume(rendered: Rendered, ft: FineTuneSpec): Promise<string> {
  const runId = rendered.runIds[ft.name]!;
  const job = `${ft.name}-train-${runId}`;
  const spec = jobPod(rendered, job);
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  const first = podContext(`${job}-a1`, spec, rendered).ctx;
  const output = first.map.apply("/work/output");
  let killedAt: number | undefined;
  const a1 = await runPod(spec, first, {
    graceSeconds: grace,
    during: {
      container: "train",
      act: async (p: Proc) => {
        for (;;) {
          const done = await Promise.race([p.done.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]);
          if (done) return undefined;
          killedAt = completeCheckpoint(output);
          if (killedAt !== undefined) return "sigterm";
        }
      },
    },
  });
  expect(a1.deleted && killedAt !== undefined, "training finished before any checkpoint was complete: raise epochs of lf-resume");
  expect(/SIGTERM: final checkpoint sync/.test(a1.outputs["checkpoint-sync"] ?? ""), `checkpoint-sync did not run its final sync: ${errorText(a1.outputs["checkpoint-sync"] ?? "")}`);
  const keys = await storeClient(s3).keys(`checkpoints/${ft.name}/${runId}/`);
  const synced = keys.map((k) => /checkpoint-(\d+)\/_SUCCESS$/.exec(k)).filter((m) => m !== null).map((m) => Number(m[1]));
  expect(synced.length > 0, `no complete checkpoint in the store after SIGTERM (keys: ${keys.join(", ")})`);
  const newest = Math.max(...synced);

  const second = podContext(`${job}-a2`, spec, rendered).ctx;
  const a2 = await runPod(spec, second, { graceSeconds: grace });
  expect(a2.outputs.restore?.includes(`resuming from checkpoint-${newest} (attempt 2)`), `restore did not resume from checkpoint-${newest}: ${errorText(a2.outputs.restore ?? "")}`);
  const state = JSON.parse(readFileSync(join(second.map.apply("/work/output"), "trainer_state.json"), "utf8")) as { global_step: number; log_history: { step: number; loss?: number }[] };
  const published = await checkPublished(ft, runId, 2);
  // the resumed trainer starts at the restored global step: the second attempt's output holds
  // only the restored checkpoint and checkpoints after it
  const a2steps = readdirSync(second.map.apply("/work/output")).map((d) => /^checkpoint-(\d+)$/.exec(d)).filter((m) => m !== null).map((m) => Number(m[1]));
  expect(a2steps.every((s) => s >= newest), `attempt 2 wrote checkpoints before the restored step ${newest}: ${a2steps.join(", ")}`);
  expect(/Continuing training from checkpoint|Resuming training from checkpoint/i.test(a2.outputs.train ?? ""), "the engine did not report resuming from the checkpoint");
  expect(published.manifest.result.steps === state.global_step && state.global_step > newest, `steps ${published.manifest.result.steps}, final global_step ${state.global_step}, restored ${newest}`);
  return `SIGTERM after checkpoint-${killedAt} was complete; store had checkpoint-${newest}; attempt 2 resumed there and ran to step ${state.global_step}; manifest restarts ${published.manifest.restarts}`;
}

async function merge(rendered: Rendered, ft: FineTuneSpec): Promise<string> {
  const runId = rendered.runIds[ft.name]!;
  const job = `${ft.name}-merge-${runId}`;
  const spec = jobPod(rendered, job);
  const { ctx } = podContext(`${job}-a1`, spec, rendered);
  await runPod(spec, ctx, { graceSeconds: 30 });
  const merged = await download(`merged/${ft.name}/${runId}/`, join(TMP, "check", ft.name, "merged"));
  expect(existsSync(join(merged, "_SUCCESS")), "no _SUCCESS under merged/");
  const adapter = join(TMP, "check", ft.name, "adapter");
  const r = await check(ENGINE_VENV[ft.engine]!, "adapter.py", [MODELS[ft.baseModel]!, adapter, merged]);
  // Tolerance relative to what the adapter changes: a merge that lost or mis-scaled the adapter is
  // off by about the adapter's own effect; one done in the checkpoints' bf16 (LLaMA-Factory 0.9.5
  // loads the base in its config dtype, then casts to infer_dtype) is off by bf16 rounding.
  const effect = r.maxLogitDiff as number;
  const bound = Math.max(1e-3, 0.02 * effect);
  expect((r.mergedMaxDiff as number) <= bound, `merged logits differ from base+adapter by ${String(r.mergedMaxDiff)} (bound ${bound.toExponential(2)}: 2% of the adapter's own effect ${effect.toExponential(2)})`);
  return `merged model loads with transformers; max |Δlogit| vs base+adapter ${(r.mergedMaxDiff as number).toExponential(2)} (adapter's own effect ${effect.toExponential(2)})`;
}

async function gguf(rendered: Rendered, ft: FineTuneSpec): Promise<string> {
  const runId = rendered.runIds[ft.name]!;
  const job = `${ft.name}-gguf-${runId}`;
  const spec = jobPod(rendered, job);
  const { ctx } = podContext(`${job}-a1`, spec, rendered);
  await runPod(spec, ctx, { graceSeconds: 30 });
  const dir = await download(`gguf/${ft.name}/${runId}/`, join(TMP, "check", ft.name, "gguf"));
  const file = readdirSync(dir).find((f) => f.endsWith(".gguf"));
  expect(file !== undefined && existsSync(join(dir, "_SUCCESS")), `gguf/ has ${readdirSync(dir).join(", ")}`);
  const r = await check("vllm", "gguf_check.py", [join(dir, file), join(TMP, "check", ft.name, "merged")], { PYTHONPATH: join(LLAMA_CPP, "gguf-py") });
  return `${file}: ${String(r.tensors)} tensors, arch ${String(r.arch)}, ${String(r.compared)} compared with the merged weights (max |Δ| ${(r.maxDiff as number).toExponential(2)})`;
}

/**
 * The evaluation gate on real runs (gate.ts): lf-qwen trained a second time with a destructive
 * learning rate (the stack rendered again with that one value changed: a new run id, the same
 * data and held-out rows), checked to be worse on heldout.loss by the engine's own measurement;
 * then the promote CLI against the store holding both runs: the worse run is refused over the
 * good one (exit 2), admitted with --allow-regression and its reason (exit 0, written), and the
 * good one is admitted back over it (exit 0, written; a rollback by publish time, hence
 * --allow-downgrade).
 */
async function gate(rendered: Rendered, ft: FineTuneSpec): Promise<string> {
  const stacks = join(TMP, "stacks-worse");
  mkdirSync(stacks, { recursive: true });
  const stackText = readFileSync(join(TMP, "stacks", `Pulumi.${STACK}.yaml`), "utf8");
  writeFileSync(join(stacks, `Pulumi.${STACK}.yaml`), withLearningRate(stackText, ft.name, WORSE.learningRate));
  const worseRender = await renderStack(stacks, join(TMP, "render-worse"));
  const runs = { good: rendered.runIds[ft.name]!, worse: worseRender.runIds[ft.name]! };
  expect(runs.worse !== runs.good, `learningRate ${WORSE.learningRate} did not change ${ft.name}'s run id ${runs.good}`);
  const trainedWorse = await train(worseRender, ft, join(TMP, "check", `${ft.name}-worse`, "adapter"));

  const client = storeClient(s3);
  const scored = async (runId: string): Promise<Scored & { samples: number }> => {
    const m = JSON.parse(await client.get(`adapters/${ft.name}/${runId}/manifest.json`)) as Manifest;
    const loss = m.evaluation?.[GATE.metric];
    expect(loss !== undefined, `${ft.name}@${runId}'s manifest has no ${GATE.metric}`);
    return { runId, createdAt: m.createdAt, loss: { adapter: loss.adapter, base: loss.base }, samples: loss.samples };
  };
  const good = await scored(runs.good);
  const worse = await scored(runs.worse);
  client.destroy();
  // the premise, by the engine's own measurement: same rows, same base score, worse past the gate
  expect(good.samples === worse.samples && good.loss.base === worse.loss.base, `the two runs were not scored on the same held-out rows: ${good.samples} vs ${worse.samples} rows, base ${good.loss.base} vs ${worse.loss.base}`);
  expect(worse.loss.adapter - good.loss.adapter > GATE.vsPinned, `learningRate ${WORSE.learningRate} is not worse past the gate: ${GATE.metric} ${worse.loss.adapter} vs ${good.loss.adapter}`);
  expect(Date.parse(worse.createdAt) > Date.parse(good.createdAt), `the worse run (${worse.createdAt}) was not published after the good one (${good.createdAt})`);

  const dir = join(TMP, "gate-stacks");
  mkdirSync(dir, { recursive: true });
  writeGateStacks(dir, stackText, { adapter: ft.name, baseModel: ft.baseModel, rank: ft.lora?.rank ?? LORA_DEFAULTS.rank }, runs);
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...s3.env };
  delete env.AWS_PROFILE;
  const root = { dir, bucket: s3.bucket, adapter: ft.name };
  const promote = (from: string, ...extra: string[]) => promoteCli(ROOT, ["--from", from, "--to", STACKS.target, "--only", ft.name, "--check-store", "--store-endpoint", s3.endpoint, "--stacks-dir", dir, ...extra], env);
  const pinnedIn = () => /runId: "([0-9a-f]{12})"/.exec(readFileSync(join(dir, `Pulumi.${STACKS.target}.yaml`), "utf8"))?.[1];
  const same = (what: string, run: CliRun, want: { out: string[]; err: string[] }, code: number) => {
    const got = JSON.stringify({ code: run.code, out: run.out, err: run.err }, null, 1);
    expect(got === JSON.stringify({ code, ...want }, null, 1), `${what}: the CLI printed\n${got}\nexpected\n${JSON.stringify({ code, ...want }, null, 1)}`);
  };

  // pinned good, incoming worse: refused, nothing written
  const refused = await promote(STACKS.worse);
  same("worse over good", refused, expected(root, STACKS.worse, good, worse), 2);
  expect(pinnedIn() === runs.good, `a refused promotion changed ${STACKS.target}'s pin to ${pinnedIn()}`);
  // the same with an override: admitted, the reason printed for the pull request, written
  const reason = `engine lane: learningRate ${WORSE.learningRate} run promoted on purpose`;
  const allowed = await promote(STACKS.worse, "--allow-regression", GATE.metric, "--reason", reason);
  same("worse over good, --allow-regression", allowed, expected(root, STACKS.worse, good, worse, { allow: reason }), 0);
  expect(pinnedIn() === runs.worse, `the allowed promotion pinned ${pinnedIn()}, not ${runs.worse}`);
  // pinned worse (written just now), incoming good: the gate passes; good was published first
  const better = await promote(STACKS.good, "--allow-downgrade");
  same("good over worse", better, expected(root, STACKS.good, worse, good, { downgrade: true }), 0);
  expect(pinnedIn() === runs.good, `the admitted promotion pinned ${pinnedIn()}, not ${runs.good}`);

  const f4 = (v: number) => v.toFixed(4);
  return (
    `${ft.name}@${runs.worse} (learningRate ${WORSE.learningRate}): ${trainedWorse.split(";")[0]}; ${GATE.metric} on ${good.samples} rows: ${ft.name}@${runs.good} ${f4(good.loss.adapter)}, ` +
    `${ft.name}@${runs.worse} ${f4(worse.loss.adapter)}, base ${good.loss.base === null ? "null" : f4(good.loss.base)}; promote --check-store (gate vsPinned ${GATE.vsPinned}): worse over good exit 2 (refused), ` +
    `with --allow-regression exit 0, good over worse exit 0`
  );
}

async function serving(rendered: Rendered, name: string): Promise<string> {
  const spec: PodSpec = rendered.find("Deployment", name).spec!.template.spec;
  const { ctx } = podContext(`${name}-pod`, spec, rendered);
  // the pod's init containers (fetch: base and adapters from the store) run for real
  for (const c of spec.initContainers ?? []) {
    const r = await start(c, ctx).done;
    if (r.code !== 0) throw new ContainerFailed(ctx.name, c.name, r.code, r.output);
  }
  const vllm = spec.containers.find((c) => c.name === "vllm") as Container;
  const args = (vllm.args ?? []).map((a) => ctx.map.apply(a));
  const r = await check("vllm", "vllm_args.py", [vllm.image, JSON.stringify(args)]);
  return `vLLM ${String(r.version)} (${String(r.platform)}) parsed ${args.length} args; LoRA config max_lora_rank ${String(r.maxLoraRank)}, max_loras ${String(r.maxLoras)}; adapters ${(r.adapters as string[]).join(", ")} pass PEFTHelper.validate_legal and LoRAModel.from_local_checkpoint`;
}

async function swiftTemplates(): Promise<string> {
  const file = join(ROOT, "components/training/ms-swift-templates.ts");
  const mod = (await import(file)) as Record<string, unknown>;
  const list = Object.values(mod).find((v): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string"));
  expect(list !== undefined, `${file} exports no list of template names`);
  const r = await check("ms-swift", "swift_templates.py", [JSON.stringify(list)]);
  expect((r.missing as string[]).length === 0, `not in ms-swift ${String(r.version)}'s template registry: ${(r.missing as string[]).join(", ")}`);
  return `all ${list.length} names are in ms-swift ${String(r.version)}'s template registry (${String(r.registered)} registered)`;
}

// ------------------------------------------------------------------ main

/** Runs tasks with at most `n` at once. */
async function pool<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, n) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

async function main(): Promise<number> {
  mkdirSync(join(TMP, "home"), { recursive: true });
  for (const v of ["llamafactory", "ms-swift", "vllm"]) {
    if (!existsSync(join(venvBin(v), "python"))) throw new Error(`${venvBin(v)} is missing: run e2e/engines/install.sh first (npm run e2e:engines does)`);
  }
  let rendered: Rendered | undefined;
  await scenario("build: tiny models and datasets", async () => {
    BUILD = await build();
    const sizes = readdirSync(join(BUILD, "models")).map((m) => `${m} ${(statSync(join(BUILD, "models", m, "model.safetensors")).size / 1e6).toFixed(1)} MB`);
    return sizes.join(", ");
  });
  await scenario("render: e2e/engines/Pulumi.engines.yaml", async () => {
    rendered = await render();
    return `${rendered.objects.length} objects; runs ${Object.entries(rendered.runIds).map(([n, id]) => `${n}@${id}`).join(", ")}`;
  });
  if (rendered === undefined || BUILD === "") return finish();
  const r = rendered;

  s3 = await startS3Server({ bucket: "llmkit" });
  try {
    // datasets are the user's uploads (README "Local quick start"): put them where the stack names them
    const client = storeClient(s3);
    const files = readdirSync(join(BUILD, "datasets", "e2e"));
    await client.put(Object.fromEntries(files.map((f) => [`datasets/e2e/${f}`, readFileSync(join(BUILD, "datasets", "e2e", f), "utf8")])));
    client.destroy();

    const mirrored: Record<string, boolean> = {};
    for (const model of ["tiny-qwen2", "tiny-llama3"]) mirrored[model] = await scenario(`mirror: ${model}`, () => mirror(r, model));

    const fts = stackFineTunes();
    const trained: Record<string, boolean> = {};
    const needs = (name: string, ok: boolean, what: string) => (ok ? undefined : scenario(name, () => Promise.reject(new CheckFailed(`skipped: ${what} failed`))));
    // a DPO run with from: starts once the SFT run it continues has published (its pod would wait anyway)
    const trainedSignal: Record<string, { promise: Promise<boolean>; resolve: (ok: boolean) => void }> = {};
    for (const ft of fts) {
      let resolve!: (ok: boolean) => void;
      trainedSignal[ft.name] = { promise: new Promise<boolean>((r) => (resolve = r)), resolve };
    }
    const sourceOf = (ft: FineTuneSpec) => (ft.from === undefined ? undefined : ft.from.split("@")[0]!);
    const chains = fts.map((ft) => async () => {
      try {
        await chain(ft);
      } finally {
        trainedSignal[ft.name]!.resolve(trained[ft.name] === true);
      }
    });
    const chain = async (ft: FineTuneSpec) => {
      const id = ft.name === "lf-resume" ? `resume: ${ft.name} (SIGTERM mid-training, second attempt)` : `train: ${ft.name} (${ft.engine}${ft.stage === "dpo" ? `, DPO ${ft.from === undefined ? "from the base" : `from ${sourceOf(ft)}`}` : ""})`;
      const src = sourceOf(ft);
      if (!wanted(id.split(" (")[0]!) && !wanted(`merge: ${ft.name}`) && !wanted(`gguf: ${ft.name}`) && !wanted("serve") && !(ft.name === WORSE.fineTune && wanted(`gate: ${ft.name}`))) return;
      if (!mirrored[ft.baseModel]) return void (await needs(id, false, `mirror: ${ft.baseModel}`));
      if (src !== undefined && !(await trainedSignal[src]!.promise)) return void (await needs(id, false, `train: ${src}`));
      trained[ft.name] = await scenario(id, () => (ft.name === "lf-resume" ? resume(r, ft) : train(r, ft)));
      const followUps = r.objects.some((o) => o.kind === "Job" && o.metadata.name === `${ft.name}-merge-${r.runIds[ft.name]}`);
      if (!followUps) return;
      if (!wanted(`merge: ${ft.name}`) && !wanted(`gguf: ${ft.name}`)) return;
      if (!trained[ft.name]) return void (await needs(`merge: ${ft.name}`, false, id.split(" (")[0]!));
      const merged = await scenario(`merge: ${ft.name}`, () => merge(r, ft));
      if (!r.objects.some((o) => o.kind === "Job" && o.metadata.name === `${ft.name}-gguf-${r.runIds[ft.name]}`)) return;
      if (!merged) return void (await needs(`gguf: ${ft.name}`, false, `merge: ${ft.name}`));
      await scenario(`gguf: ${ft.name}`, () => gguf(r, ft));
    };
    await pool(JOBS, chains);

    if (wanted(`gate: ${WORSE.fineTune}`)) {
      const ft = fts.find((f) => f.name === WORSE.fineTune)!;
      const id = `gate: ${ft.name} (promote --check-store on a worse run, real manifests)`;
      if (trained[ft.name]) await scenario(id, () => gate(r, ft));
      else await needs(id, false, `train: ${ft.name}`);
    }
    if (wanted("serve")) {
      const served = r.objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
      for (const name of served) await scenario(`serve: ${name} (vLLM argument parser and LoRA checks)`, () => serving(r, name));
    }
    if (wanted("contracts")) {
      await scenario("contracts: ms-swift rlhf flags (RLHFArguments fields)", async () => {
        const files = r.objects.filter((o) => o.kind === "ConfigMap" && o.data?.["swift-rlhf-args.txt"] !== undefined);
        expect(files.length > 0, "no rendered ConfigMap has swift-rlhf-args.txt");
        const dir = join(TMP, "rlhf-args");
        mkdirSync(dir, { recursive: true });
        const paths = files.map((o) => {
          const p = join(dir, `${o.metadata.name}.txt`);
          writeFileSync(p, o.data!["swift-rlhf-args.txt"]!);
          return p;
        });
        const c = await check("ms-swift", "swift_rlhf_args.py", paths);
        expect((c.unknown as string[]).length === 0, `flags that are not RLHFArguments fields: ${(c.unknown as string[]).join(", ")}`);
        return `${String(c.flags)} distinct flags of ${files.length} runs are RLHFArguments fields`;
      });
    }
    if (wanted("templates")) {
      if (existsSync(join(ROOT, "components/training/ms-swift-templates.ts"))) await scenario("templates: ms-swift template names", swiftTemplates);
      else console.log("note: components/training/ms-swift-templates.ts does not exist yet: the ms-swift template-name check is not run");
    }
  } finally {
    await s3.stop();
  }
  return finish();
}

function finish(): number {
  const failed = results.filter((x) => !x.ok).length;
  console.log(`wall time ${Math.round((Date.now() - started) / 1000)}s; temp dir ${process.env.LLMKIT_ENGINES_KEEP === "1" ? TMP : "removed"}`);
  console.log(`engines: ${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

// interrupted (Ctrl-C, a CI timeout): no engine keeps running after the lane
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    if (process.env.LLMKIT_ENGINES_KEEP !== "1") rmSync(TMP, { recursive: true, force: true });
    console.log(`engines: interrupted by ${signal}`);
    process.exit(130);
  });
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  console.log(`engines: ${results.filter((x) => x.ok).length} passed, ${results.filter((x) => !x.ok).length + 1} failed`);
  process.exitCode = 1;
} finally {
  if (process.env.LLMKIT_ENGINES_KEEP !== "1") rmSync(TMP, { recursive: true, force: true });
}
