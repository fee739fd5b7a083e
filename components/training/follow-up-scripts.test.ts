/**
 * merge.sh and gguf.sh run for real (docs/architecture.md §7.5): bash, the AWS CLI and an S3-compatible
 * server on loopback (test/s3-server.ts); only the engines and llama.cpp's converter are
 * stand-ins (they need model weights). Skips the store runs with a note when no AWS CLI is installed.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasAwsCli, reportAwsCli, runProcess, startS3Server, storeClient, type S3Server, type StoreClient } from "../../test/s3-server.ts";
import { CONFIG_ERROR_EXIT } from "./layout.ts";

const SCRIPTS = new URL("./scripts/", import.meta.url).pathname;
reportAwsCli("training/follow-up-scripts.test.ts");

describe("follow-up scripts", () => {
  it.each(["merge.sh", "gguf.sh"])("%s parses with bash -n and refuses an unknown step as a configuration error", (file) => {
    expect(spawnSync("bash", ["-n", join(SCRIPTS, file)]).status).toBe(0);
    const r = spawnSync("bash", [join(SCRIPTS, file), "nope"], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([CONFIG_ERROR_EXIT, expect.stringContaining('unknown step "nope"')]);
  });
});

// concurrent: each case uses its own run ids, and most of their time is spent in AWS CLI calls
describe.skipIf(!hasAwsCli)("merge.sh and gguf.sh against an S3-compatible server", { concurrent: true }, () => {
  let server: S3Server;
  let store: StoreClient;
  beforeAll(async () => {
    server = await startS3Server({ bucket: "llmkit-follow-up" });
    store = storeClient(server);
  });
  afterAll(async () => {
    store?.destroy();
    await server?.stop();
  });

  const run = (script: string, step: string, env: Record<string, string>, onStdout?: (stdout: string) => void) =>
    runProcess("bash", [join(SCRIPTS, script), step], { ...server.env, ...env }, onStdout);

  /** A bin/ directory on PATH with `name` as a stand-in executable. */
  function standIn(root: string, name: string, body: string): string {
    const bin = join(root, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}`);
    chmodSync(join(bin, name), 0o755);
    return `${bin}:${server.env.PATH}`;
  }

  function mergePod(run: string) {
    const root = mkdtempSync(join(tmpdir(), "llmkit-merge-"));
    mkdirSync(join(root, "config"));
    writeFileSync(join(root, "config", "swift-export-args.txt"), "--adapters\nADAPTER\n--merge_lora\ntrue\n");
    return {
      root,
      env: {
        CONFIG_DIR: join(root, "config"),
        MERGED_PREFIX: `merged/ft/${run}/`,
        ADAPTER_PREFIX: `adapters/ft/${run}/`,
        MODEL_PREFIX: "models/org/m/rev1/",
        MODEL_DIR: join(root, "model"),
        ADAPTER_DIR: join(root, "adapter"),
        MERGED_DIR: join(root, "merged"),
        DONE_MARKER: join(root, ".merged"),
        ADAPTER_WAIT_SECONDS: "0",
        POLL_SECONDS: "1",
      },
    };
  }

  it("merge: refuses a missing adapter as a configuration error once the wait is over", async () => {
    const p = mergePod("missing");
    const r = await run("merge.sh", "restore", p.env);
    expect([r.status, r.stderr]).toEqual([CONFIG_ERROR_EXIT, expect.stringContaining(`adapters/ft/missing/_SUCCESS does not exist after 0s: the adapter was never published`)]);
  });

  it("merge: waits for the adapter's _SUCCESS, merges with the engine, uploads with _SUCCESS last, then skips", async () => {
    await store.put({
      "models/org/m/rev1/config.json": "{}",
      "models/org/m/rev1/_SUCCESS": "",
      "adapters/ft/r1/adapter_config.json": "{}",
      "adapters/ft/r1/adapter_model.safetensors": "lora",
      "adapters/ft/r1/manifest.json": "{}",
    });
    const p = mergePod("r1");
    // the training Job publishes _SUCCESS while restore waits
    let published = false;
    const restore = await run("merge.sh", "restore", { ...p.env, ADAPTER_WAIT_SECONDS: "30" }, (out) => {
      if (!published && out.includes("waiting for")) {
        published = true;
        void store.put({ "adapters/ft/r1/_SUCCESS": "" });
      }
    });
    expect([restore.status, restore.stdout]).toEqual([0, "waiting for s3://llmkit-follow-up/adapters/ft/r1/_SUCCESS\nrestored the base model and the adapter\n"]);
    expect(readdirSync(p.env.MODEL_DIR)).toEqual(["config.json"]);
    expect(readdirSync(p.env.ADAPTER_DIR).sort()).toEqual(["adapter_config.json", "adapter_model.safetensors"]);

    // stand-in for ms-swift: records its arguments and writes a merged model
    const PATH = standIn(p.root, "swift", `echo "$@" > "${p.root}/swift-args"\nmkdir -p "$MERGED_DIR"\necho '{}' > "$MERGED_DIR/config.json"\necho w > "$MERGED_DIR/model.safetensors"\n`);
    const merged = await run("merge.sh", "merge", { ...p.env, ENGINE: "ms-swift", PATH });
    expect(merged.status).toBe(0);
    expect(readFileSync(join(p.root, "swift-args"), "utf8")).toBe("export --adapters ADAPTER --merge_lora true\n");
    const uploaded = await run("merge.sh", "upload", p.env);
    expect([uploaded.status, uploaded.stderr]).toEqual([0, ""]);
    expect(await store.keys("merged/ft/r1/")).toEqual(["merged/ft/r1/_SUCCESS", "merged/ft/r1/config.json", "merged/ft/r1/model.safetensors"]);

    // a second run skips every step and never overwrites
    const again = mergePod("r1");
    expect((await run("merge.sh", "restore", again.env)).stdout).toContain("is already merged: nothing to do");
    expect(existsSync(again.env.DONE_MARKER)).toBe(true);
    expect((await run("merge.sh", "merge", { ...again.env, ENGINE: "nonexistent" })).stdout).toContain("already merged: skipping");
    mkdirSync(again.env.MERGED_DIR);
    writeFileSync(join(again.env.MERGED_DIR, "model.safetensors"), "other");
    expect((await run("merge.sh", "upload", again.env)).status).toBe(0);
    expect(await store.get("merged/ft/r1/model.safetensors")).toBe("w\n");
  });

  it("merge: an exporter that writes no model fails (retried), an unknown engine is a configuration error", async () => {
    const p = mergePod("r2");
    const PATH = standIn(p.root, "llamafactory-cli", "exit 0\n");
    const r = await run("merge.sh", "merge", { ...p.env, ENGINE: "llamafactory", PATH });
    expect([r.status, r.stderr]).toEqual([1, expect.stringContaining("config.json is missing")]);
    expect((await run("merge.sh", "merge", { ...p.env, ENGINE: "vllm" })).status).toBe(CONFIG_ERROR_EXIT);
  });

  function ggufPod(run: string) {
    const root = mkdtempSync(join(tmpdir(), "llmkit-gguf-"));
    return {
      root,
      env: {
        MERGED_PREFIX: `merged/ft/${run}/`,
        GGUF_PREFIX: `gguf/ft/${run}/`,
        GGUF_FILE: "ft-q8_0.gguf",
        MERGED_DIR: join(root, "merged"),
        OUT_DIR: join(root, "gguf"),
        OUTTYPE: "q8_0",
        DONE_MARKER: join(root, ".exported"),
        MERGED_WAIT_SECONDS: "0",
        POLL_SECONDS: "1",
      },
    };
  }

  it("gguf: refuses a run that was never merged, converts and uploads once, then skips", async () => {
    const missing = ggufPod("never");
    const refused = await run("gguf.sh", "restore", missing.env);
    expect([refused.status, refused.stderr]).toEqual([CONFIG_ERROR_EXIT, expect.stringContaining("the merged model was never published")]);

    await store.put({ "merged/ft/g1/config.json": "{}", "merged/ft/g1/model.safetensors": "w", "merged/ft/g1/_SUCCESS": "" });
    const p = ggufPod("g1");
    expect((await run("gguf.sh", "restore", p.env)).status).toBe(0);
    expect(readdirSync(p.env.MERGED_DIR).sort()).toEqual(["config.json", "model.safetensors"]);
    // stand-in for convert_hf_to_gguf.py: checks its arguments, writes the output file
    const convert = join(p.root, "convert.py");
    writeFileSync(
      convert,
      "import sys\nargs = sys.argv[1:]\nassert args[1:] == ['--outfile', args[2], '--outtype', 'q8_0'], args\nopen(args[2], 'w').write('GGUF:' + args[0])\n",
    );
    const converted = await run("gguf.sh", "convert", { ...p.env, CONVERT_SCRIPT: convert });
    expect(converted.stderr).toBe("");
    expect(converted.status).toBe(0);
    expect((await run("gguf.sh", "upload", p.env)).status).toBe(0);
    expect(await store.keys("gguf/ft/g1/")).toEqual(["gguf/ft/g1/_SUCCESS", "gguf/ft/g1/ft-q8_0.gguf"]);

    const again = ggufPod("g1");
    expect((await run("gguf.sh", "restore", again.env)).stdout).toContain("is already exported: nothing to do");
    expect((await run("gguf.sh", "convert", { ...again.env, CONVERT_SCRIPT: "/nonexistent" })).stdout).toContain("already exported: skipping");
  });

  it("gguf: a converter that writes nothing fails", async () => {
    const p = ggufPod("g2");
    const convert = join(p.root, "noop.py");
    writeFileSync(convert, "pass\n");
    const r = await run("gguf.sh", "convert", { ...p.env, CONVERT_SCRIPT: convert });
    expect([r.status, r.stderr]).toEqual([1, expect.stringContaining("ft-q8_0.gguf is missing or empty")]);
  });
});
