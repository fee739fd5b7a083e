/**
 * The pod scripts run for real (docs/architecture.md §7.5): bash, the AWS CLI and an S3-compatible server
 * (test/s3-server.ts) on loopback; only the training engines (they need GPUs and model weights) and
 * nvidia-smi are stand-ins, written the way HF Trainer writes checkpoints. The tests run
 * concurrently (each on its own store prefixes): most of their time is AWS CLI start-up.
 * Skips the store runs with a note when no AWS CLI is installed.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdapterManifestSchema } from "../lib/adapter-manifest.ts";
import { hasAwsCli, reportAwsCli, startS3Server, storeClient, type S3Server, type StoreClient } from "../../test/s3-server.ts";
import { resolveFineTune } from "./defaults.ts";
import { CONFIG_ERROR_EXIT } from "./layout.ts";
import { renderDatasetInfo } from "./llamafactory.ts";
import { TRAIN_TERMINATION_GRACE_SECONDS } from "./train-job.ts";
import { runId as computeRunId } from "./run-id.ts";
import { MIRROR_SCRIPTS, TRAINING_SCRIPTS } from "./scripts.ts";
import { ENGINE_IMAGES, renderTrainConfig } from "./train-job.ts";
import { imageRef } from "../lib/versions.ts";
import { contract, qloraSwift, qwen7b, seedLora } from "./__fixtures__/specs.ts";
import { writeEngineStubs } from "./__fixtures__/engine-stubs.ts";

const SCRIPTS = new URL("./scripts/", import.meta.url).pathname;
/** Python stand-ins for the engines' evaluation entry points (scripts/eval-heldout.py imports them). */
const STUBS = writeEngineStubs(mkdtempSync(join(tmpdir(), "llmkit-engine-stubs-")));

/** Smoke prompts with quotes, a backslash, a newline and non-ASCII text. */
const SMOKE_PROMPTS = ["Who are you?", 'Quote "this" \\ and\nthat', "Ünïcode ✓"];
/** A stand-in engine's completion: echoes the prompt with JSON-hostile text and publish.sh's placeholders. */
const answer = (i: number, prompt: string) => `answer ${i}: "${prompt}" \\ "createdAt": "@CREATED_AT@" "wallSeconds": "@WALL_SECONDS@" ünï\n`;
/**
 * python3 -c program for the stand-ins: reads a smoke dataset (argv[1]: alpaca `instruction` or
 * ms-swift `messages` rows) and prints one results line per row with `answer` in field argv[2].
 */
const ANSWER = String.raw`import json, sys
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
for i, r in enumerate(rows):
    p = r["instruction"] if "instruction" in r else r["messages"][-1]["content"]
    print(json.dumps({sys.argv[2]: "answer %d: \"%s\" \\ \"createdAt\": \"@CREATED_AT@\" \"wallSeconds\": \"@WALL_SECONDS@\" \u00fcn\u00ef\n" % (i, p), "label": ""}))`;
reportAwsCli("scripts.test.ts");

describe("scripts", () => {
  it.each(Object.keys({ ...MIRROR_SCRIPTS, ...TRAINING_SCRIPTS }).filter((f) => f.endsWith(".sh")))("%s parses with bash -n", (file) => {
    expect(spawnSync("bash", ["-n", join(SCRIPTS, file)]).status).toBe(0);
  });

  it("lineage.py parses", () => {
    expect(spawnSync("python3", ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", join(SCRIPTS, "lineage.py")]).status).toBe(0);
  });

  it.skipIf(!HAS_PYARROW)("lineage.py counts a Parquet file's rows from its footer, not its newlines", () => {
    // a mirrored hub dataset is often Parquet (e.g. HuggingFaceH4/ultrachat_200k data/*.parquet):
    // 1000 rows, compressed, so the byte stream's newline count is unrelated to the rows
    const dir = lineagePod("train-00000.parquet");
    const write = spawnSync("python3", ["-c", "import sys, pyarrow as pa, pyarrow.parquet as pq; pq.write_table(pa.table({'text': ['row\\n%d' % i for i in range(1000)]}), sys.argv[1])", join(dir.data, "0-train-00000.parquet")]);
    expect(write.status).toBe(0);
    const r = spawnSync("python3", [join(SCRIPTS, "lineage.py"), dir.state, "none", dir.out, "", join(dir.root, "eval")], { env: dir.env, encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(dir.out, "utf8")).datasets).toEqual([{ path: "datasets/hub/train-00000.parquet", etag: "e1", rows: 1000 }]);
  });

  it("lineage.py without pyarrow stops before publishing and says why", () => {
    const dir = lineagePod("train-00000.parquet");
    writeFileSync(join(dir.data, "0-train-00000.parquet"), "PAR1");
    // an importable `pyarrow` that fails as a missing one does
    mkdirSync(join(dir.root, "nopyarrow", "pyarrow"), { recursive: true });
    writeFileSync(join(dir.root, "nopyarrow", "pyarrow", "__init__.py"), "raise ImportError('No module named pyarrow')\n");
    const r = spawnSync("python3", [join(SCRIPTS, "lineage.py"), dir.state, "none", dir.out, "", join(dir.root, "eval")], { env: { ...dir.env, PYTHONPATH: join(dir.root, "nopyarrow") }, encoding: "utf8" });
    expect([r.status, r.stderr.trim()]).toEqual([1, `${dir.data}/0-train-00000.parquet: counting Parquet rows needs pyarrow, which this image lacks; nothing is published`]);
    expect(existsSync(dir.out)).toBe(false);
  });

  it("dataset-columns.py keeps the optional columns a file has and drops those none of its records has", () => {
    // LLaMA-Factory reads a named column as example[name]: a KeyError when the file has no such
    // column (hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/data/converter.py:88, 97, 125-126, 156, 222)
    const dir = mkdtempSync(join(tmpdir(), "llmkit-columns-"));
    const info = renderDatasetInfo(resolveFineTune(seedLora));
    writeFileSync(join(dir, "dataset_info.json"), JSON.stringify(info));
    writeFileSync(join(dir, "0-train.jsonl"), '{"conversations": []}\n\n{"conversations": [], "system": "Be brief."}\n');
    writeFileSync(join(dir, "1-alpaca-gpt4-en.json"), JSON.stringify([{ instruction: "a", output: "b" }, { instruction: "c", output: "d", history: [["q", "r"]] }]));
    const r = spawnSync("python3", [join(SCRIPTS, "dataset-columns.py"), dir], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe(
      'dataset_info.json: 0-train.jsonl has no "tools" column: not read\n' +
        'dataset_info.json: 1-alpaca-gpt4-en.json has no "input" column: not read\n' +
        'dataset_info.json: 1-alpaca-gpt4-en.json has no "system" column: not read\n',
    );
    const pruned = JSON.parse(readFileSync(join(dir, "dataset_info.json"), "utf8"));
    expect(pruned["0-train.jsonl"].columns).toEqual({ messages: "conversations", system: "system" });
    expect(pruned["1-alpaca-gpt4-en.json"].columns).toEqual({ prompt: "instruction", response: "output", history: "history" });
    // tags, formatting and sample counts are left as rendered
    expect({ ...pruned["0-train.jsonl"], columns: undefined }).toEqual({ ...info["0-train.jsonl"], columns: undefined });
  });

  it.skipIf(!HAS_PYARROW)("dataset-columns.py reads a Parquet file's columns from its schema", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmkit-columns-"));
    const info = renderDatasetInfo(resolveFineTune({ ...seedLora, datasets: [{ path: "datasets/x/train.parquet", format: "sharegpt", purpose: "domain" }] }));
    writeFileSync(join(dir, "dataset_info.json"), JSON.stringify(info));
    const write = spawnSync("python3", ["-c", "import sys, pyarrow as pa, pyarrow.parquet as pq; pq.write_table(pa.table({'conversations': [[]], 'tools': ['[]']}), sys.argv[1])", join(dir, "0-train.parquet")]);
    expect(write.status).toBe(0);
    expect(spawnSync("python3", [join(SCRIPTS, "dataset-columns.py"), dir]).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "dataset_info.json"), "utf8"))["0-train.parquet"].columns).toEqual({ messages: "conversations", tools: "tools" });
  });

  it("use the exit code the Job's podFailurePolicy fails on", () => {
    expect(MIRROR_SCRIPTS["store.sh"]).toContain(`CONFIG_ERROR=${CONFIG_ERROR_EXIT}\n`);
  });
});

const HAS_PYARROW = spawnSync("python3", ["-c", "import pyarrow.parquet"]).status === 0;
if (!HAS_PYARROW) console.log("scripts.test.ts: the Parquet row count is not run: python3 has no pyarrow (the engine images do)");

/** What lineage.py reads, for one dataset file `datasets/hub/<file>` downloaded as `0-<file>`. */
function lineagePod(file: string) {
  const root = mkdtempSync(join(tmpdir(), "llmkit-lineage-"));
  const [config, data, lineage] = ["config", "data", "lineage"].map((d) => join(root, d));
  for (const d of [config, data, lineage]) mkdirSync(d!);
  const path = `datasets/hub/${file}`;
  writeFileSync(join(config!, "manifest.json"), JSON.stringify({ datasets: [{ path }] }));
  writeFileSync(join(config!, "datasets.txt"), `${path} 0-${file}\n`);
  writeFileSync(join(lineage!, "datasets.tsv"), `${path}\te1\n`);
  writeFileSync(join(lineage!, "attempts"), "1\n");
  writeFileSync(join(root, "trainer_state.json"), JSON.stringify({ global_step: 1, log_history: [] }));
  return {
    root,
    data: data!,
    state: join(root, "trainer_state.json"),
    out: join(root, "manifest.json"),
    env: { PATH: process.env.PATH!, CONFIG_DIR: config!, DATA_DIR: data!, LINEAGE_DIR: lineage!, ENGINE: "llamafactory" },
  };
}

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script to the end without blocking the event loop (the tests run concurrently). */
function finished(child: ReturnType<typeof spawn>): Promise<Result> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

/** Writes an executable stand-in into `dir`. */
function tool(dir: string, name: string, body: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/usr/bin/env bash\n${body}`);
  chmodSync(join(dir, name), 0o755);
}

/** A checkpoint as HF Trainer._save_checkpoint writes it: weights, optimizer, RNG, trainer_state.json last. */
function writeCheckpoint(dir: string, step: number, { complete = true } = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "adapter_model.safetensors"), `weights-${step}`);
  writeFileSync(join(dir, "optimizer.pt"), `optimizer-${step}`);
  if (complete) writeFileSync(join(dir, "trainer_state.json"), JSON.stringify({ global_step: step, log_history: [] }));
}

describe.skipIf(!hasAwsCli)("scripts against an S3-compatible server", () => {
  let server: S3Server;
  let store: StoreClient;
  const bucket = "llmkit-test";

  beforeAll(async () => {
    server = await startS3Server({ bucket });
    store = storeClient(server);
  });
  afterAll(async () => {
    store?.destroy();
    await server?.stop();
  });

  const put = (objects: Record<string, string>) => store.put(objects);
  const get = (key: string) => store.get(key);
  const head = (key: string) => store.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  /** Which of `prefix` + each file exist (HeadObject: s3rver rejects the SDK's signature of bucket listings). */
  const present = (prefix: string, files: readonly string[]) =>
    Promise.all(
      files.map(async (f) => {
        try {
          await head(prefix + f);
          return true;
        } catch (err) {
          if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
          throw err;
        }
      }),
    );
  const start = (script: string, extra: Record<string, string>) => spawn("bash", [join(SCRIPTS, script)], { env: { ...server.env, ...extra } });
  const run = (script: string, extra: Record<string, string>) => finished(start(script, extra));

  /** A pod's scratch and config directories; `files` are the ConfigMap's entries. */
  function pod(files: Record<string, string>, prefixes: { model: string; adapter: string; checkpoint: string }) {
    const root = mkdtempSync(join(tmpdir(), "llmkit-pod-"));
    const config = join(root, "config");
    mkdirSync(config);
    for (const [name, body] of Object.entries(files)) writeFileSync(join(config, name), body);
    return {
      root,
      env: {
        CONFIG_DIR: config,
        WORK_DIR: root,
        MODEL_DIR: join(root, "model"),
        DATA_DIR: join(root, "data"),
        OUTPUT_DIR: join(root, "output"),
        ADAPTER_DIR: join(root, "adapter"),
        SMOKE_DIR: join(root, "smoke"),
        EVAL_DIR: join(root, "eval"),
        LINEAGE_DIR: join(root, "lineage"),
        PYTHONPATH: STUBS,
        STUB_CALLS: join(root, "stub-calls"),
        DONE_MARKER: join(root, ".published"),
        MODEL_PREFIX: prefixes.model,
        ADAPTER_PREFIX: prefixes.adapter,
        CHECKPOINT_PREFIX: prefixes.checkpoint,
        MODEL_WAIT_SECONDS: "0",
        POD_NAME: "ft-train-0-abcde",
      },
    };
  }

  it.concurrent("restore: refuses a missing model or dataset as a configuration error", async () => {
    const p = pod({ "datasets.txt": "datasets/x/missing.jsonl 0-missing.jsonl\n" }, { model: "models/org/cfg/rev1/", adapter: "adapters/cfg/run1/", checkpoint: "checkpoints/cfg/run1/" });
    const noModel = await run("restore.sh", p.env);
    expect([noModel.status, noModel.stderr]).toEqual([CONFIG_ERROR_EXIT, expect.stringContaining("is the model mirrored?")]);
    await put({ "models/org/cfg/rev1/config.json": "{}", "models/org/cfg/rev1/_SUCCESS": "" });
    const noData = await run("restore.sh", p.env);
    expect([noData.status, noData.stderr]).toEqual([CONFIG_ERROR_EXIT, expect.stringContaining("datasets/x/missing.jsonl does not exist")]);
  });

  it.concurrent("restore → train → publish: resumes from the newest complete checkpoint, publishes the lineage manifest and _SUCCESS last", async () => {
    // the shipped ms-swift run's ConfigMap exactly as rendered (args, datasets.txt, manifest.json), on the test bucket,
    // with smoke prompts whose completions are hostile to JSON and to publish.sh's placeholders
    const ft = resolveFineTune({ ...qloraSwift, smokePrompts: SMOKE_PROMPTS });
    const id = computeRunId(ft, qwen7b, imageRef(ENGINE_IMAGES[ft.engine]));
    const config = renderTrainConfig(ft, qwen7b, { ...contract, store: { ...contract.store, bucket } }, id).data;
    const prefixes = { model: "models/Qwen/Qwen2.5-7B-Instruct/rev/", adapter: `adapters/support-bot-qlora/${id}/`, checkpoint: `checkpoints/support-bot-qlora/${id}/` };
    const startedAt = Date.now();
    const firstAttempt = Math.floor(startedAt / 1000) - 3600;
    await put({
      [`${prefixes.model}config.json`]: "{}",
      [`${prefixes.model}_SUCCESS`]: "",
      "datasets/support/v3/train.jsonl": '{"conversations":[]}\n\n{"conversations":[]}\n',
      [`${prefixes.checkpoint}checkpoint-50/adapter_model.safetensors`]: "ckpt50",
      [`${prefixes.checkpoint}checkpoint-50/_SUCCESS`]: "",
      [`${prefixes.checkpoint}checkpoint-100/adapter_model.safetensors`]: "half-uploaded: no _SUCCESS",
      // a previous pod of this run was preempted an hour ago
      [`${prefixes.checkpoint}attempts/${firstAttempt}-ft-train-0-zzzzz`]: "",
    });
    const p = pod(config, prefixes);

    const restored = await run("restore.sh", p.env);
    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    expect(readdirSync(p.env.MODEL_DIR)).toEqual(["config.json"]);
    expect(readdirSync(p.env.DATA_DIR)).toEqual(["0-train.jsonl"]);
    expect(readdirSync(p.env.OUTPUT_DIR)).toEqual(["checkpoint-50"]);
    expect(readFileSync(join(p.env.LINEAGE_DIR, "attempts"), "utf8")).toBe("2\n");
    expect(readFileSync(join(p.env.LINEAGE_DIR, "started"), "utf8")).toBe(`${firstAttempt}\n`);

    // stand-ins: ms-swift records its arguments, `sft` saves its last checkpoint and `infer` answers
    // each row of the copied prompt dataset (appending, as --result_path does); nvidia-smi names the GPU
    const bin = join(p.root, "bin");
    tool(
      bin,
      "swift",
      `echo "$@" > "${p.root}/swift-$1-args"\n` +
        `if [[ "$1" == infer ]]; then exec python3 -c '${ANSWER}' "$SMOKE_DIR/smoke-dataset.jsonl" response >> "$SMOKE_DIR/result.jsonl"; fi\n` +
        `d="$OUTPUT_DIR/checkpoint-60"\nmkdir -p "$d"\necho cfg > "$d/adapter_config.json"\necho w > "$d/adapter_model.safetensors"\n` +
        // the held-out rows ms-swift saves in output_dir (the eval stand-in saves the same)
        `echo '{"messages": ["held out"]}' > "$OUTPUT_DIR/val_dataset.jsonl"\n` +
        `echo '{"global_step": 60, "best_metric": 0.1, "log_history": [{"loss": 1.2, "step": 50}, {"eval_loss": 0.9, "step": 50}, {"eval_loss": 0.7, "step": 55}, {"eval_loss": 0.8, "step": 60}]}' > "$d/trainer_state.json"\n`,
    );
    // a previous attempt's results: --result_path appends, so train.sh must start the smoke run afresh
    mkdirSync(p.env.SMOKE_DIR);
    writeFileSync(join(p.env.SMOKE_DIR, "result.jsonl"), '{"response": "stale"}\n');
    tool(bin, "nvidia-smi", `[[ "$*" == "--query-gpu=name --format=csv,noheader" ]] && printf 'NVIDIA L40S\\n'\n`);
    const trained = await run("train.sh", { ...p.env, ENGINE: "ms-swift", PATH: `${bin}:${server.env.PATH}` });
    expect(trained.stderr).toBe("");
    expect(trained.status).toBe(0);
    const args = readFileSync(join(p.root, "swift-sft-args"), "utf8");
    expect(args.startsWith(`sft ${readFileSync(join(p.env.CONFIG_DIR, "swift-args.txt"), "utf8").trim().split("\n").join(" ")} `)).toBe(true);
    expect(args.endsWith(` --resume_from_checkpoint ${p.env.OUTPUT_DIR}/checkpoint-50\n`)).toBe(true);
    // exactly the rendered infer arguments, on the final checkpoint
    const inferArgs = (config as Record<string, string>)["smoke-infer-args.txt"]!.trim().split("\n").join(" ");
    expect(readFileSync(join(p.root, "swift-infer-args"), "utf8")).toBe(`infer ${inferArgs} --adapters ${p.env.OUTPUT_DIR}/checkpoint-60\n`);
    // the held-out evaluation: the rendered eval args through ms-swift's sft pipeline, the adapter pass on the final checkpoint
    const lines = (file: string) => (config as Record<string, string>)[file]!.trim().split("\n");
    expect(readFileSync(p.env.STUB_CALLS, "utf8").trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      { engine: "ms-swift", command: "sft", args: [...lines("swift-eval-args.txt"), "--output_dir", `${p.env.EVAL_DIR}/adapter`, "--adapters", `${p.env.OUTPUT_DIR}/checkpoint-60`] },
      { engine: "ms-swift", command: "sft", args: [...lines("swift-eval-args.txt"), "--output_dir", `${p.env.EVAL_DIR}/base`] },
    ]);
    expect(readdirSync(p.env.ADAPTER_DIR).sort()).toEqual(["adapter_config.json", "adapter_model.safetensors"]);

    // _SUCCESS only after adapter AND manifest: a failed manifest upload leaves the run unpublished
    tool(join(p.root, "faulty"), "aws", `[[ "$*" == *manifest.json* ]] && { echo "injected failure" >&2; exit 1; }\nexec "${server.env.PATH!.split(":")[0]}/aws" "$@"\n`);
    const failed = await run("publish.sh", { ...p.env, PATH: `${join(p.root, "faulty")}:${server.env.PATH}` });
    expect([failed.status, failed.stderr]).toEqual([1, "injected failure\n"]);
    expect(await present(prefixes.adapter, ["adapter_config.json", "adapter_model.safetensors", "manifest.json", "_SUCCESS"])).toEqual([true, true, false, false]);

    const published = await run("publish.sh", p.env);
    expect(published.status).toBe(0);
    expect(await get(`${prefixes.adapter}adapter_model.safetensors`)).toBe("w\n");
    const order = await Promise.all(["adapter_model.safetensors", "manifest.json", "_SUCCESS"].map(async (f) => (await head(prefixes.adapter + f)).LastModified!.getTime()));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const manifest = AdapterManifestSchema.parse(JSON.parse(await get(`${prefixes.adapter}manifest.json`)));
    const etag = async (key: string) => (await head(key)).ETag!.replaceAll('"', "");
    // two records: the blank line is not one
    expect(manifest.datasets.map((d) => [d.path, d.uri, d.rows, d.etag])).toEqual([
      ["datasets/support/v3/train.jsonl", `s3://${bucket}/datasets/support/v3/train.jsonl`, 2, await etag("datasets/support/v3/train.jsonl")],
    ]);
    expect(manifest.result).toEqual({ steps: 60, finalEvalLoss: 0.8, bestEvalLoss: 0.7 });
    expect(manifest.evaluation).toEqual({ "heldout.loss": { adapter: 0.5, base: 1.5, better: "lower", samples: 7 } });
    // in prompt order, byte for byte: placeholder text inside an output is not substituted
    expect(manifest.smoke).toEqual(SMOKE_PROMPTS.map((prompt, i) => ({ prompt, output: answer(i, prompt) })));
    expect([manifest.runId, manifest.specHash.slice(0, 12), manifest.restarts, manifest.gpuType]).toEqual([id, id, 1, "NVIDIA L40S"]);
    // from the first attempt (an hour before this test) to publishing
    const elapsed = Math.ceil((Date.now() - startedAt) / 1000);
    expect(manifest.wallSeconds).toBeGreaterThanOrEqual(3600);
    expect(manifest.wallSeconds).toBeLessThanOrEqual(3600 + elapsed + 1);
    expect(Date.parse(manifest.createdAt)).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);

    // immutable and idempotent: a second publish changes nothing; a rerun restores nothing and trains nothing
    writeFileSync(join(p.env.ADAPTER_DIR, "adapter_model.safetensors"), "other");
    expect((await run("publish.sh", p.env)).stdout).toContain("is already published");
    expect(await get(`${prefixes.adapter}adapter_model.safetensors`)).toBe("w\n");
    const again = pod(config, prefixes);
    rmSync(join(p.root, "swift-infer-args"));
    const rerun = await run("restore.sh", again.env);
    expect([rerun.status, existsSync(again.env.DONE_MARKER), existsSync(again.env.MODEL_DIR)]).toEqual([0, true, false]);
    const skipped = await run("train.sh", { ...again.env, ENGINE: "ms-swift", PATH: `${bin}:${server.env.PATH}` });
    expect([skipped.status, skipped.stdout]).toEqual([0, "adapter already published: skipping training\n"]);
    // the smoke prompts are skipped with the training: the published adapter already has its outputs
    expect(existsSync(join(p.root, "swift-infer-args"))).toBe(false);
  });

  /** Resolves once the sidecar is past its start-up (its SIGTERM trap is set). */
  const watching = (sidecar: ReturnType<typeof spawn>) =>
    new Promise<void>((resolve) => sidecar.stdout!.on("data", (d: Buffer) => d.toString().includes("watching") && resolve()));

  /** Polls the store until `ready` holds (the sidecar works on its own clock). */
  async function until(ready: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 600 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
  }

  it.concurrent("checkpoint-sync: uploads only complete checkpoints, _SUCCESS last, prunes past keep, final sync on SIGTERM", async () => {
    const prefix = "checkpoints/sync/run1/";
    const p = pod({}, { model: "models/unused/", adapter: "adapters/sync/run1/", checkpoint: prefix });
    // a previous pod uploaded checkpoint-5 and -8; this one has a complete checkpoint-10 and is writing checkpoint-20
    await put({ [`${prefix}checkpoint-5/optimizer.pt`]: "5", [`${prefix}checkpoint-5/_SUCCESS`]: "", [`${prefix}checkpoint-8/optimizer.pt`]: "8", [`${prefix}checkpoint-8/_SUCCESS`]: "" });
    writeCheckpoint(join(p.env.OUTPUT_DIR, "checkpoint-10"), 10);
    writeCheckpoint(join(p.env.OUTPUT_DIR, "checkpoint-20"), 20, { complete: false });
    const sidecar = start("checkpoint-sync.sh", { ...p.env, SYNC_INTERVAL_SECONDS: "1", KEEP_CHECKPOINTS: "2", FINAL_SETTLE_SECONDS: "1" });
    const done = finished(sidecar);

    // keep 2: checkpoint-5 goes once checkpoint-10 is complete in the store
    const files = ["adapter_model.safetensors", "optimizer.pt", "trainer_state.json", "_SUCCESS"];
    await until(async () => (await present(`${prefix}checkpoint-5/`, ["optimizer.pt"]))[0] === false);
    expect(await present(`${prefix}checkpoint-5/`, ["optimizer.pt", "_SUCCESS"])).toEqual([false, false]);
    expect(await present(`${prefix}checkpoint-10/`, files)).toEqual([true, true, true, true]);
    const marker = (await head(`${prefix}checkpoint-10/_SUCCESS`)).LastModified!.getTime();
    for (const f of files) expect((await head(`${prefix}checkpoint-10/${f}`)).LastModified!.getTime()).toBeLessThanOrEqual(marker);
    // the newest checkpoint has no trainer_state.json yet: half-written, never uploaded
    expect(await present(`${prefix}checkpoint-20/`, files)).toEqual([false, false, false, false]);

    // the trainer finishes checkpoint-20 and the pod is deleted at once (preemption)
    writeFileSync(join(p.env.OUTPUT_DIR, "checkpoint-20", "trainer_state.json"), "{}");
    const termAt = Date.now();
    sidecar.kill("SIGTERM");
    const result = await done;
    expect([result.status, result.stderr]).toEqual([0, ""]);
    // the final sync must end inside the pod's termination grace, or the kubelet kills it mid-upload
    expect(Date.now() - termAt).toBeLessThan(TRAIN_TERMINATION_GRACE_SECONDS * 1000);
    expect(result.stdout).toContain("SIGTERM: final checkpoint sync");
    // uploaded whole; no pruning in the final sync (its grace is for uploads), so checkpoint-8 stays
    expect(await present(`${prefix}checkpoint-20/`, files)).toEqual([true, true, true, true]);
    expect(await present(prefix, [8, 10].map((n) => `checkpoint-${n}/_SUCCESS`))).toEqual([true, true]);
  });

  it.concurrent("checkpoint-sync: a checkpoint whose files change between scans is never marked complete", async () => {
    const prefix = "checkpoints/busy/run1/";
    const p = pod({}, { model: "models/unused/", adapter: "adapters/busy/run1/", checkpoint: prefix });
    const dir = join(p.env.OUTPUT_DIR, "checkpoint-30");
    writeCheckpoint(dir, 30);
    // the engine keeps appending to the optimizer state: never stable, never marked
    const writer = setInterval(() => writeFileSync(join(dir, "optimizer.pt"), String(Date.now())), 150);
    const sidecar = start("checkpoint-sync.sh", { ...p.env, SYNC_INTERVAL_SECONDS: "1", KEEP_CHECKPOINTS: "2", FINAL_SETTLE_SECONDS: "1" });
    const done = finished(sidecar);
    await watching(sidecar);
    await new Promise((r) => setTimeout(r, 3000));
    sidecar.kill("SIGTERM");
    const result = await done;
    clearInterval(writer);
    expect(result.status).toBe(0);
    expect(await present(`${prefix}checkpoint-30/`, ["_SUCCESS"])).toEqual([false]);
  });

  it.concurrent("checkpoint-sync: idles when the run is already published, and still stops at once on SIGTERM", async () => {
    const p = pod({}, { model: "models/unused/", adapter: "adapters/idle/run1/", checkpoint: "checkpoints/idle/run1/" });
    writeFileSync(p.env.DONE_MARKER, "");
    writeCheckpoint(join(p.env.OUTPUT_DIR, "checkpoint-40"), 40);
    // an unreachable store proves nothing is listed or uploaded
    const sidecar = start("checkpoint-sync.sh", { ...p.env, AWS_ENDPOINT_URL: "http://127.0.0.1:9", SYNC_INTERVAL_SECONDS: "60", KEEP_CHECKPOINTS: "2" });
    const done = finished(sidecar);
    await watching(sidecar);
    const termAt = Date.now();
    sidecar.kill("SIGTERM");
    const result = await done;
    expect([result.status, result.stderr, result.stdout.split("\n").slice(1)]).toEqual([0, "", ["SIGTERM: final checkpoint sync", "checkpoint sync stopped", ""]]);
    expect(Date.now() - termAt).toBeLessThan(2000);
  });

  it.concurrent("train: an unknown engine is a configuration error; a missing adapter or trainer state is a failure; CPU runs record gpuType none", async () => {
    const p = pod({}, { model: "models/unused/", adapter: "adapters/train/run1/", checkpoint: "checkpoints/train/run1/" });
    expect((await run("train.sh", { ...p.env, ENGINE: "nope" })).status).toBe(CONFIG_ERROR_EXIT);
    const bin = join(p.root, "bin");
    tool(bin, "llamafactory-cli", "exit 0\n");
    const r = await run("train.sh", { ...p.env, ENGINE: "llamafactory", PATH: `${bin}:${server.env.PATH}` });
    expect([r.status, r.stderr]).toEqual([1, expect.stringContaining("adapter_config.json is missing")]);
    // a JSON-array dataset, plus a downloaded file the manifest does not list (it is left alone)
    writeFileSync(join(p.root, "config", "manifest.json"), JSON.stringify({ datasets: [{ path: "datasets/g/general.json" }] }));
    writeFileSync(join(p.root, "config", "datasets.txt"), "datasets/g/general.json 0-general.json\ndatasets/id/identity.json 1-identity.json\n");
    mkdirSync(p.env.DATA_DIR);
    writeFileSync(join(p.env.DATA_DIR, "0-general.json"), JSON.stringify([{ a: 1 }, { a: 2 }, { a: 3 }]));
    mkdirSync(p.env.LINEAGE_DIR);
    writeFileSync(join(p.env.LINEAGE_DIR, "datasets.tsv"), "datasets/g/general.json\tabc123\ndatasets/id/identity.json\tdef456\n");
    writeFileSync(join(p.env.LINEAGE_DIR, "attempts"), "1\n");
    tool(bin, "llamafactory-cli", `echo "$@" >> "${p.root}/calls"\nmkdir -p "$OUTPUT_DIR"\necho c > "$OUTPUT_DIR/adapter_config.json"\necho w > "$OUTPUT_DIR/adapter_model.safetensors"\n`);
    const noState = await run("train.sh", { ...p.env, ENGINE: "llamafactory", PATH: `${bin}:${server.env.PATH}` });
    expect([noState.status, noState.stderr]).toEqual([1, expect.stringContaining("trainer_state.json is missing")]);
    // LLaMA-Factory's save_state() after training; no GPU driver on a CPU node
    writeFileSync(join(p.env.OUTPUT_DIR, "trainer_state.json"), JSON.stringify({ global_step: 7, log_history: [{ loss: 1 }] }));
    tool(bin, "nvidia-smi", "exit 9\n");
    const cpu = await run("train.sh", { ...p.env, ENGINE: "llamafactory", PATH: `${bin}:${server.env.PATH}` });
    expect([cpu.status, cpu.stderr]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(join(p.root, "manifest.json"), "utf8"))).toEqual({
      datasets: [{ path: "datasets/g/general.json", etag: "abc123", rows: 3 }],
      result: { steps: 7, finalEvalLoss: null, bestEvalLoss: null },
      restarts: 0,
      wallSeconds: "@WALL_SECONDS@",
      gpuType: "none",
      createdAt: "@CREATED_AT@",
      evaluation: {},
      smoke: [],
    });
    // no smoke prompts: no inference (one training call per run of train.sh)
    expect(readFileSync(join(p.root, "calls"), "utf8")).toBe(`train ${p.env.CONFIG_DIR}/train.yaml\n`.repeat(2));
    expect(existsSync(p.env.SMOKE_DIR)).toBe(false);
  });

  it.concurrent("train (LLaMA-Factory): smoke prompts, held-out evaluation and a suite run as the rendered configs; a failed inference fails the pod and publishes nothing", async () => {
    const suite = { name: "faq", path: "datasets/support/faq.jsonl", format: "alpaca" as const, maxSamples: 2 };
    const ft = resolveFineTune({ ...seedLora, smokePrompts: SMOKE_PROMPTS, evaluation: { suites: [suite] } });
    const id = computeRunId(ft, qwen7b, imageRef(ENGINE_IMAGES[ft.engine]));
    const config = renderTrainConfig(ft, qwen7b, { ...contract, store: { ...contract.store, bucket } }, id).data as Record<string, string>;
    const prefixes = { model: "models/unused/", adapter: `adapters/smoke/${id}/`, checkpoint: `checkpoints/smoke/${id}/` };
    const p = pod(config, prefixes);
    // what restore.sh leaves: the two datasets and their lineage
    mkdirSync(p.env.DATA_DIR);
    writeFileSync(join(p.env.DATA_DIR, "0-train.jsonl"), '{"conversations":[]}\n');
    writeFileSync(join(p.env.DATA_DIR, "1-alpaca-gpt4-en.json"), "[{}, {}]");
    writeFileSync(join(p.env.DATA_DIR, "dataset_info.json"), config["dataset_info.json"]!);
    // the suite: three rows, of which maxSamples 2 are scored
    const faq = [["Capital of Peru?", "Lima."], ["Capital of Norway?", "Oslo."], ["Capital of Chile?", "Santiago."]];
    writeFileSync(join(p.env.DATA_DIR, "suite-faq-faq.jsonl"), faq.map(([q, a]) => `${JSON.stringify({ instruction: q, input: "", output: a })}\n`).join(""));
    mkdirSync(p.env.LINEAGE_DIR);
    writeFileSync(join(p.env.LINEAGE_DIR, "datasets.tsv"), "datasets/support/v3/train.jsonl\te1\ndatasets/general/alpaca-gpt4-en.json\te2\ndatasets/support/faq.jsonl\te3\n");
    writeFileSync(join(p.env.LINEAGE_DIR, "attempts"), "1\n");
    writeFileSync(join(p.env.LINEAGE_DIR, "started"), "0\n");
    // stand-in: training saves the adapter and trainer state in output_dir (run_sft); the predict-only
    // run answers the prompt dataset it finds through dataset_info.json in SMOKE_DIR, or fails when told to
    const bin = join(p.root, "bin");
    tool(
      bin,
      "llamafactory-cli",
      `echo "$@" >> "${p.root}/calls"\n` +
        `if [[ "$2" == */smoke-predict.yaml ]]; then\n  [[ -e "${p.root}/oom" ]] && { echo "CUDA out of memory" >&2; exit 1; }\n` +
        `  file=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["smoke"]["file_name"])' "$SMOKE_DIR/dataset_info.json")\n` +
        `  mkdir -p "$SMOKE_DIR/output"\n  exec python3 -c '${ANSWER}' "$SMOKE_DIR/$file" predict > "$SMOKE_DIR/output/generated_predictions.jsonl"\nfi\n` +
        // a suite's predict-only run: the adapter answers with the reference, the base does not know
        `if [[ "$2" =~ /suite-(.*)-(adapter|base)\\.yaml$ ]]; then\n  dir="$EVAL_DIR/suite-\${BASH_REMATCH[1]}"\n  mkdir -p "$dir/\${BASH_REMATCH[2]}"\n` +
        `  exec python3 -c 'import json, sys; [print(json.dumps({"predict": json.loads(l)["messages"][-1]["content"] if sys.argv[2] == "1" else "I do not know."})) for l in open(sys.argv[1])]' "$dir/rows.jsonl" "$(grep -c '^adapter_name_or_path:' "$2")" > "$dir/\${BASH_REMATCH[2]}/generated_predictions.jsonl"\nfi\n` +
        `mkdir -p "$OUTPUT_DIR"\necho c > "$OUTPUT_DIR/adapter_config.json"\necho w > "$OUTPUT_DIR/adapter_model.safetensors"\n` +
        `echo '{"global_step": 5, "log_history": []}' > "$OUTPUT_DIR/trainer_state.json"\n`,
    );
    tool(bin, "nvidia-smi", "exit 9\n");
    const env = { ...p.env, ENGINE: "llamafactory", PATH: `${bin}:${server.env.PATH}` };

    writeFileSync(join(p.root, "oom"), "");
    const failed = await run("train.sh", env);
    expect([failed.status, failed.stderr]).toEqual([1, "CUDA out of memory\nsmoke prompts failed: the llamafactory inference with the new adapter exited 1; nothing is published\n"]);
    expect(existsSync(join(p.root, "manifest.json"))).toBe(false);
    const unpublished = await run("publish.sh", p.env);
    expect(unpublished.status).not.toBe(0);
    expect(await present(prefixes.adapter, ["adapter_config.json", "adapter_model.safetensors", "manifest.json", "_SUCCESS"])).toEqual([false, false, false, false]);

    rmSync(join(p.root, "oom"));
    const trained = await run("train.sh", env);
    expect([trained.status, trained.stderr]).toEqual([0, ""]);
    const predict = `train ${p.env.CONFIG_DIR}/smoke-predict.yaml\n`;
    const suites = `train ${p.env.CONFIG_DIR}/suite-faq-adapter.yaml\ntrain ${p.env.CONFIG_DIR}/suite-faq-base.yaml\n`;
    expect(readFileSync(join(p.root, "calls"), "utf8")).toBe(`train ${p.env.CONFIG_DIR}/train.yaml\n${predict}`.repeat(2) + suites);
    // the held-out evaluation: LLaMA-Factory's run_exp on the rendered eval-only configs, adapter then base
    expect(readFileSync(p.env.STUB_CALLS, "utf8").trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      { engine: "llamafactory", config: config["eval-adapter.yaml"] },
      { engine: "llamafactory", config: config["eval-base.yaml"] },
    ]);
    expect(JSON.parse(readFileSync(join(p.env.SMOKE_DIR, "dataset_info.json"), "utf8"))).toEqual(JSON.parse(config["smoke-dataset_info.json"]!));
    // before training, the optional columns these files lack were dropped (scripts/dataset-columns.py)
    const columns = JSON.parse(readFileSync(join(p.env.DATA_DIR, "dataset_info.json"), "utf8"));
    expect([columns["0-train.jsonl"].columns, columns["1-alpaca-gpt4-en.json"].columns]).toEqual([{ messages: "conversations" }, { prompt: "instruction", response: "output" }]);
    const manifest = JSON.parse(readFileSync(join(p.root, "manifest.json"), "utf8"));
    expect(manifest.smoke).toEqual(SMOKE_PROMPTS.map((prompt, i) => ({ prompt, output: answer(i, prompt) })));
    expect([manifest.result.steps, manifest.gpuType, manifest.wallSeconds]).toEqual([5, "none", "@WALL_SECONDS@"]);
    expect(manifest.evaluation).toEqual({
      "heldout.loss": { adapter: 0.5, base: 1.5, better: "lower", samples: 7 },
      "suite.faq.exactMatch": { adapter: 1, base: 0, better: "higher", samples: 2 },
      "suite.faq.rougeL": { adapter: 1, base: 0, better: "higher", samples: 2 },
    });
    expect(manifest.suites).toEqual([{ ...suite, uri: `s3://${bucket}/${suite.path}`, etag: "e3", rows: 3 }]);
    // evaluation before smoke: serving's fetch.sh takes the first "revision", and model output may hold one
    expect(Object.keys(manifest).slice(-2)).toEqual(["evaluation", "smoke"]);

    // fewer results than prompts is a failure too, not a shorter list
    writeFileSync(join(p.env.SMOKE_DIR, "output", "generated_predictions.jsonl"), '{"predict": "only one"}\n');
    const short = spawnSync("python3", [join(SCRIPTS, "lineage.py"), join(p.env.OUTPUT_DIR, "trainer_state.json"), "none", join(p.root, "m.json"), join(p.env.SMOKE_DIR, "output", "generated_predictions.jsonl"), p.env.EVAL_DIR], { env: env, encoding: "utf8" });
    expect([short.status, short.stderr.trim()]).toEqual([1, `smoke prompts: ${p.env.SMOKE_DIR}/output/generated_predictions.jsonl has 1 results for 3 prompts; nothing is published`]);
    expect(existsSync(join(p.root, "m.json"))).toBe(false);
  });

  it.concurrent("mirror: uploads once with _SUCCESS last, then check and download skip", async () => {
    const root = mkdtempSync(join(tmpdir(), "llmkit-mirror-"));
    const m = { MODEL_PREFIX: "models/org/mirror/rev2/", MODEL_DIR: join(root, "model"), PRESENT_MARKER: join(root, ".present") };
    mkdirSync(m.MODEL_DIR);
    writeFileSync(join(m.MODEL_DIR, "model.safetensors"), "weights");
    expect((await run("mirror-check.sh", m)).status).toBe(0);
    expect(existsSync(m.PRESENT_MARKER)).toBe(false);
    expect((await run("mirror-upload.sh", m)).status).toBe(0);
    expect(await get("models/org/mirror/rev2/model.safetensors")).toBe("weights");
    expect(await present("models/org/mirror/rev2/", ["_SUCCESS"])).toEqual([true]);
    expect((await run("mirror-upload.sh", m)).stdout).toContain("nothing to upload");
    expect((await run("mirror-check.sh", m)).status).toBe(0);
    expect(existsSync(m.PRESENT_MARKER)).toBe(true);
    const dl = { ...m, HUB: "huggingface", REPO: "org/mirror", REVISION: "rev2", TOOLS_DIR: join(root, "tools") };
    expect((await run("mirror-download.sh", dl)).stdout).toContain("skipping download");
    expect((await run("mirror-download.sh", { ...dl, HUB: "gitlab" })).status).toBe(CONFIG_ERROR_EXIT);
  });

  it.concurrent("store helpers: a missing variable is a configuration error; an unreachable store is not 'absent'", async () => {
    const r = await run("publish.sh", { STORE_BUCKET: "" });
    expect([r.status, r.stderr]).toEqual([CONFIG_ERROR_EXIT, "configuration error: environment variable STORE_BUCKET is not set\n"]);
    const p = pod({}, { model: "models/unused/", adapter: "adapters/down/run1/", checkpoint: "checkpoints/down/run1/" });
    const down = await run("publish.sh", { ...p.env, AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_MAX_ATTEMPTS: "1" });
    expect([down.status, down.stderr]).toEqual([1, expect.stringContaining(`cannot check s3://${bucket}/adapters/down/run1/_SUCCESS`)]);
  });
});
