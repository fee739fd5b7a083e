/**
 * The pod scripts run for real (DESIGN.md §7.5): bash, the AWS CLI and an S3-compatible server
 * (moto) on loopback; only the training engines are stand-ins (they need GPUs and model weights).
 * Skips with a note when `aws` or `moto_server` is not installed.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_ERROR_EXIT } from "./layout.ts";
import { MIRROR_SCRIPTS, TRAINING_SCRIPTS } from "./scripts.ts";

const SCRIPTS = new URL("./scripts/", import.meta.url).pathname;
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const tools = has("aws") && has("moto_server");
if (!tools) console.log("scripts.test.ts: store runs skipped, `aws` and `moto_server` (pip install 'moto[server]') are needed");

describe("scripts", () => {
  it.each(Object.keys({ ...MIRROR_SCRIPTS, ...TRAINING_SCRIPTS }))("%s parses with bash -n", (file) => {
    expect(spawnSync("bash", ["-n", join(SCRIPTS, file)]).status).toBe(0);
  });

  it("use the exit code the Job's podFailurePolicy fails on", () => {
    expect(MIRROR_SCRIPTS["store.sh"]).toContain(`CONFIG_ERROR=${CONFIG_ERROR_EXIT}\n`);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe.skipIf(!tools)("scripts against an S3-compatible server", { timeout: 60_000 }, () => {
  let server: ChildProcess;
  let env: Record<string, string>;
  const bucket = "llmkit-test";

  beforeAll(async () => {
    const port = await freePort();
    server = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    env = {
      PATH: process.env.PATH ?? "",
      HOME: mkdtempSync(join(tmpdir(), "llmkit-home-")),
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: "us-east-1",
      STORE_BUCKET: bucket,
    };
    for (let i = 0; i < 100; i++) {
      if (spawnSync("aws", ["s3api", "create-bucket", "--bucket", bucket], { env }).status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("moto_server did not start");
  }, 20_000);
  afterAll(() => {
    server?.kill();
  });

  const aws = (...args: string[]) => execFileSync("aws", args, { env, encoding: "utf8" });
  /** Seeds many objects with one CLI call (each call costs ~0.5 s of CLI start-up). */
  const seed = (objects: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "llmkit-seed-"));
    for (const [key, body] of Object.entries(objects)) {
      mkdirSync(join(dir, key, ".."), { recursive: true });
      writeFileSync(join(dir, key), body);
    }
    aws("s3", "sync", "--only-show-errors", dir, `s3://${bucket}/`);
  };
  const get = (key: string) => aws("s3", "cp", `s3://${bucket}/${key}`, "-");
  const exists = (key: string) => spawnSync("aws", ["s3api", "head-object", "--bucket", bucket, "--key", key], { env }).status === 0;
  const run = (script: string, extra: Record<string, string>) =>
    spawnSync("bash", [join(SCRIPTS, script)], { env: { ...env, ...extra }, encoding: "utf8" });

  function pod(files: Record<string, string>) {
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
        DONE_MARKER: join(root, ".published"),
        MODEL_PREFIX: "models/org/m/rev1/",
        ADAPTER_PREFIX: "adapters/ft/run1/",
        CHECKPOINT_PREFIX: "checkpoints/ft/run1/",
        MODEL_WAIT_SECONDS: "0",
      },
    };
  }

  it("restore: refuses a missing model or dataset as a configuration error", () => {
    const p = pod({ "datasets.txt": "datasets/x/train.jsonl 0-train.jsonl\n" });
    const noModel = run("restore.sh", p.env);
    expect([noModel.status, noModel.stderr]).toEqual([CONFIG_ERROR_EXIT, expect.stringContaining("is the model mirrored?")]);
    seed({ "models/org/m/rev1/config.json": "{}", "models/org/m/rev1/_SUCCESS": "" });
    const noData = run("restore.sh", p.env);
    expect([noData.status, noData.stderr]).toEqual([CONFIG_ERROR_EXIT, expect.stringContaining("datasets/x/train.jsonl does not exist")]);
  });

  it("restore → train → publish: resumes from the newest complete checkpoint and publishes _SUCCESS last", () => {
    seed({
      "datasets/x/train.jsonl": '{"instruction":"hi","input":"","output":"hello"}\n',
      "checkpoints/ft/run1/checkpoint-50/adapter_model.safetensors": "ckpt50",
      "checkpoints/ft/run1/checkpoint-50/_SUCCESS": "",
      "checkpoints/ft/run1/checkpoint-100/adapter_model.safetensors": "half-written",
    });
    const p = pod({
      "datasets.txt": "datasets/x/train.jsonl 0-train.jsonl\n",
      "swift-args.txt": "--output_dir\nOUT\n",
      "manifest.json": '{"name": "ft", "createdAt": "@CREATED_AT@"}\n',
    });
    const restored = run("restore.sh", p.env);
    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    expect(readdirSync(p.env.MODEL_DIR)).toEqual(["config.json"]);
    expect(readFileSync(join(p.env.DATA_DIR, "0-train.jsonl"), "utf8")).toContain("hello");
    expect(readdirSync(p.env.OUTPUT_DIR)).toEqual(["checkpoint-50"]);

    // stand-in for ms-swift: records its arguments and saves checkpoint-60 with an adapter
    const bin = join(p.root, "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "swift"),
      `#!/usr/bin/env bash\necho "$@" > "${p.root}/swift-args"\nmkdir -p "$OUTPUT_DIR/checkpoint-60"\necho cfg > "$OUTPUT_DIR/checkpoint-60/adapter_config.json"\necho w > "$OUTPUT_DIR/checkpoint-60/adapter_model.safetensors"\n`,
    );
    chmodSync(join(bin, "swift"), 0o755);
    const trained = run("train.sh", { ...p.env, ENGINE: "ms-swift", PATH: `${bin}:${env.PATH}` });
    expect(trained.status).toBe(0);
    expect(readFileSync(join(p.root, "swift-args"), "utf8")).toBe(`sft --output_dir OUT --resume_from_checkpoint ${p.env.OUTPUT_DIR}/checkpoint-50\n`);
    expect(readdirSync(p.env.ADAPTER_DIR).sort()).toEqual(["adapter_config.json", "adapter_model.safetensors"]);

    const published = run("publish.sh", p.env);
    expect(published.status).toBe(0);
    expect(get("adapters/ft/run1/adapter_model.safetensors")).toBe("w\n");
    expect(JSON.parse(get("adapters/ft/run1/manifest.json")).createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(exists("adapters/ft/run1/_SUCCESS")).toBe(true);

    // immutable: a second publish leaves the adapter alone; a later restore skips everything
    writeFileSync(join(p.env.ADAPTER_DIR, "adapter_model.safetensors"), "other");
    expect(run("publish.sh", p.env).status).toBe(0);
    expect(get("adapters/ft/run1/adapter_model.safetensors")).toBe("w\n");
    const again = pod({ "datasets.txt": "" });
    expect(run("restore.sh", again.env).status).toBe(0);
    expect(existsSync(again.env.DONE_MARKER)).toBe(true);
    expect(run("train.sh", { ...again.env, ENGINE: "nonexistent" }).stdout).toContain("skipping training");
  });

  it("train: an unknown engine is a configuration error; a missing adapter is a failure", () => {
    const p = pod({});
    expect(run("train.sh", { ...p.env, ENGINE: "nope" }).status).toBe(CONFIG_ERROR_EXIT);
    const bin = join(p.root, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "llamafactory-cli"), "#!/usr/bin/env bash\nexit 0\n");
    chmodSync(join(bin, "llamafactory-cli"), 0o755);
    const r = run("train.sh", { ...p.env, ENGINE: "llamafactory", PATH: `${bin}:${env.PATH}` });
    expect([r.status, r.stderr]).toEqual([1, expect.stringContaining("adapter_config.json is missing")]);
  });

  it("mirror: uploads once with _SUCCESS last, then check and download skip", () => {
    const root = mkdtempSync(join(tmpdir(), "llmkit-mirror-"));
    const m = { MODEL_PREFIX: "models/org/mirror/rev2/", MODEL_DIR: join(root, "model"), PRESENT_MARKER: join(root, ".present") };
    mkdirSync(m.MODEL_DIR);
    writeFileSync(join(m.MODEL_DIR, "model.safetensors"), "weights");
    expect(run("mirror-check.sh", m).status).toBe(0);
    expect(existsSync(m.PRESENT_MARKER)).toBe(false);
    expect(run("mirror-upload.sh", m).status).toBe(0);
    expect(get("models/org/mirror/rev2/model.safetensors")).toBe("weights");
    expect(exists("models/org/mirror/rev2/_SUCCESS")).toBe(true);
    expect(run("mirror-upload.sh", m).stdout).toContain("nothing to upload");
    expect(run("mirror-check.sh", m).status).toBe(0);
    expect(existsSync(m.PRESENT_MARKER)).toBe(true);
    const dl = { ...m, HUB: "huggingface", REPO: "org/mirror", REVISION: "rev2", TOOLS_DIR: join(root, "tools") };
    expect(run("mirror-download.sh", dl).stdout).toContain("skipping download");
    expect(run("mirror-download.sh", { ...dl, HUB: "gitlab" }).status).toBe(CONFIG_ERROR_EXIT);
  });

  it("store helpers: a missing variable is a configuration error; an unreachable store is not 'absent'", () => {
    const r = run("publish.sh", { STORE_BUCKET: "" });
    expect([r.status, r.stderr]).toEqual([CONFIG_ERROR_EXIT, "configuration error: environment variable STORE_BUCKET is not set\n"]);
    const p = pod({});
    const down = run("publish.sh", { ...p.env, AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_MAX_ATTEMPTS: "1" });
    expect([down.status, down.stderr]).toEqual([1, expect.stringContaining(`cannot check s3://${bucket}/adapters/ft/run1/_SUCCESS`)]);
  });
});
