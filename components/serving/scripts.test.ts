/**
 * fetch.sh runs for real (docs/architecture.md §7.5): bash, the AWS CLI and an S3-compatible server
 * (test/s3-server.ts) on loopback. Skips the store runs with a note when no AWS CLI is installed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasAwsCli, reportAwsCli, runProcess, startS3Server, storeClient, type S3Server } from "../../test/s3-server.ts";
import { FETCH_SCRIPT } from "./scripts.ts";

const SCRIPT = new URL(`./scripts/${FETCH_SCRIPT}`, import.meta.url).pathname;
reportAwsCli("serving/scripts.test.ts");

it("fetch.sh parses with bash -n", () => {
  expect(spawnSync("bash", ["-n", SCRIPT]).status).toBe(0);
});

const REV = "a09a35458c702b33eeacc393d103063234e8bc28";
const MODEL = `models/Qwen/Qwen2.5-7B-Instruct/${REV}/`;
const manifest = (revision: string) => JSON.stringify({ name: "x", baseModel: { name: "qwen2-5-7b", repo: "Qwen/Qwen2.5-7B-Instruct", revision } }, null, 2);
const adapter = (prefix: string, rank: number, revision = REV, success = true) => ({
  [`${prefix}adapter_config.json`]: JSON.stringify({ r: rank, lora_alpha: 32 }),
  [`${prefix}adapter_model.safetensors`]: "weights",
  [`${prefix}manifest.json`]: manifest(revision),
  ...(success ? { [`${prefix}_SUCCESS`]: "" } : {}),
});

// concurrent: the cases only read the bucket, and most of their time is spent in AWS CLI calls
describe.skipIf(!hasAwsCli)("fetch.sh against an S3-compatible server", { concurrent: true }, () => {
  let server: S3Server;
  let env: Record<string, string>;
  const bucket = "llmkit-test";

  beforeAll(async () => {
    server = await startS3Server({ bucket });
    env = server.env;
    const store = storeClient(server);
    await store.put({
      [`${MODEL}config.json`]: "{}",
      [`${MODEL}model.safetensors`]: "base weights",
      [`${MODEL}_SUCCESS`]: "",
      ...adapter("adapters/good/aaaaaaaaaaaa/", 16),
      ...adapter("adapters/wide/bbbbbbbbbbbb/", 64),
      ...adapter("adapters/half/cccccccccccc/", 16, REV, false),
      ...adapter("adapters/other/dddddddddddd/", 16, "0".repeat(40)),
    });
    store.destroy();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const run = async (adapters: string[], extra: Record<string, string> = {}) => {
    const models = mkdtempSync(join(tmpdir(), "llmkit-models-"));
    const vars = {
      MODEL_PREFIX: MODEL,
      MODEL_REVISION: REV,
      MODELS_DIR: models,
      BASE_MODEL_DIR: join(models, "base"),
      MAX_LORA_RANK: "16",
      ADAPTER_PREFIXES: adapters.join(" "),
      ...extra,
    };
    return { models, ...(await runProcess("bash", [SCRIPT], { ...env, ...vars })) };
  };

  it("restores exactly the base model and the pinned adapters, without markers", async () => {
    const r = await run(["adapters/good/aaaaaaaaaaaa/", "adapters/wide/bbbbbbbbbbbb/"], { MAX_LORA_RANK: "64" });
    expect([r.status, r.stdout.trim()]).toEqual([0, `restored s3://${bucket}/${MODEL} and 2 adapter(s)`]);
    expect(readdirSync(join(r.models, "base")).sort()).toEqual(["config.json", "model.safetensors"]);
    expect(readdirSync(join(r.models, "adapters")).sort()).toEqual(["good", "wide"]);
    expect(readdirSync(join(r.models, "adapters/good/aaaaaaaaaaaa")).sort()).toEqual(["adapter_config.json", "adapter_model.safetensors", "manifest.json"]);
    expect(readFileSync(join(r.models, "base/model.safetensors"), "utf8")).toBe("base weights");
  });

  it("restores the base model alone when no adapter is pinned", async () => {
    const r = await run([]);
    expect([r.status, readdirSync(r.models)]).toEqual([0, ["base"]]);
  });

  it("refuses an adapter prefix without _SUCCESS before downloading anything", async () => {
    const r = await run(["adapters/good/aaaaaaaaaaaa/", "adapters/half/cccccccccccc/"]);
    expect([r.status, r.stderr.trim()]).toEqual([
      3,
      `refusing adapter s3://${bucket}/adapters/half/cccccccccccc/: it has no _SUCCESS marker, so it is incomplete or still being written`,
    ]);
    expect(readdirSync(r.models)).toEqual([]);
  });

  it("refuses an unpublished run id and an unmirrored model", async () => {
    const [unpublished, r] = await Promise.all([run(["adapters/good/ffffffffffff/"]), run([], { MODEL_PREFIX: "models/Qwen/missing/x/" })]);
    expect(unpublished.status).toBe(3);
    expect([r.status, r.stderr]).toEqual([3, expect.stringContaining("refusing base model s3://llmkit-test/models/Qwen/missing/x/: it has no _SUCCESS marker")]);
  });

  it("refuses an adapter whose rank exceeds --max-lora-rank", async () => {
    const r = await run(["adapters/wide/bbbbbbbbbbbb/"]);
    expect([r.status, r.stderr.trim()]).toEqual([
      3,
      "refusing adapter adapters/wide/bbbbbbbbbbbb/: its LoRA rank 64 exceeds --max-lora-rank 16 (set the adapter's rank in the service args)",
    ]);
  });

  it("refuses an adapter trained on another base revision", async () => {
    const r = await run(["adapters/other/dddddddddddd/"]);
    expect([r.status, r.stderr.trim()]).toEqual([
      3,
      `refusing adapter adapters/other/dddddddddddd/: it was trained on base revision '${"0".repeat(40)}' but this service serves ${REV}`,
    ]);
  });

  it("stops on a missing variable", async () => {
    const r = await run([], { MAX_LORA_RANK: "" });
    expect([r.status, r.stderr.trim()]).toEqual([3, "configuration error: environment variable MAX_LORA_RANK is not set"]);
  });
});
