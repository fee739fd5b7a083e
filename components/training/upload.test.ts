import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FineTuneConfig } from "./inputs.ts";
import { hasAwsCli, reportAwsCli, runProcess, startS3Server, storeClient, type S3Server, type StoreClient } from "../../test/s3-server.ts";
import { resolveFineTune } from "./defaults.ts";
import { planFineTune } from "./fine-tune.ts";
import { UPLOAD_MAX_BYTES, UPLOAD_SCRIPT, uploadProblem, uploadedDataset } from "./upload.ts";
import { contract, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const ROWS = '{"instruction":"Who are you?","input":"","output":"I am Fern."}\n';
// the first 16 hex characters of sha256(ROWS) (printf %s "$ROWS" | sha256sum)
const KEY = "datasets/uploads/396c3c77b8c3e219/train.jsonl";
const withUpload = (content = ROWS): FineTuneConfig => ({
  ...seedLora,
  datasets: [{ ...uploadedDataset("data/support/train.jsonl", content), format: "alpaca", purpose: "domain" }, seedLora.datasets[1]!],
});
reportAwsCli("upload.test.ts");

describe("uploaded datasets", () => {
  it("get a content-addressed store key", () => {
    expect(uploadedDataset("data/support/train.jsonl", ROWS)).toEqual({ path: KEY, uploadFile: { file: "data/support/train.jsonl", content: ROWS } });
  });

  it("render an immutable ConfigMap of the files and an upload-datasets step before everything else", () => {
    const plan = planFineTune({ spec: withUpload(), model: qwen7b, contract });
    const id = plan.runId;
    expect(plan.uploads).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `support-bot-data-${id}`, namespace: "llmkit", labels: plan.config.metadata.labels },
      immutable: true,
      data: { "0-train.jsonl": ROWS },
    });
    const data = plan.config.data as Record<string, string>;
    expect(data["uploads.txt"]).toBe(`0-train.jsonl ${KEY}\n`);
    expect(data["datasets.txt"]).toBe(`${KEY} 0-train.jsonl\ndatasets/general/alpaca-gpt4-en.json 1-alpaca-gpt4-en.json\n`);
    const pod = plan.job.spec.template.spec;
    expect(pod.initContainers.map((c) => c.name)).toEqual(["upload-datasets", "restore", "checkpoint-sync", "train"]);
    const upload = pod.initContainers[0]!;
    expect([upload.command, upload.env.slice(-2), upload.volumeMounts]).toEqual([
      ["bash", `/config/${UPLOAD_SCRIPT}`],
      [
        { name: "ADAPTER_PREFIX", value: `adapters/support-bot/${id}/` },
        { name: "UPLOAD_DIR", value: "/uploads" },
      ],
      [
        { name: "config", mountPath: "/config", readOnly: true },
        { name: "uploads", mountPath: "/uploads", readOnly: true },
      ],
    ]);
    expect(pod.volumes.at(-1)).toEqual({ name: "uploads", configMap: { name: `support-bot-data-${id}`, defaultMode: 0o444 } });
  });

  it("are absent from a run that uploads nothing", () => {
    const plan = planFineTune({ spec: seedLora, model: qwen7b, contract });
    expect([plan.uploads, (plan.config.data as Record<string, string>)["uploads.txt"], plan.job.spec.template.spec.volumes.map((v) => v.name)]).toEqual([null, undefined, ["work", "dshm", "config"]]);
  });

  it("change the run id when the file changes, and only then", () => {
    const id = (spec: FineTuneConfig) => planFineTune({ spec, model: qwen7b, contract }).runId;
    expect(id(withUpload())).toBe(id(withUpload()));
    expect(id(withUpload(`${ROWS}${ROWS}`))).not.toBe(id(withUpload()));
    // the project path is not hashed: moving the file keeps the run
    const moved = { ...withUpload(), datasets: [{ ...uploadedDataset("data/other/train.jsonl", ROWS), format: "alpaca" as const, purpose: "domain" as const }, seedLora.datasets[1]!] };
    expect(id(moved)).toBe(id(withUpload()));
    expect(resolveFineTune(withUpload()).datasets[0]).toEqual({ path: KEY, format: "alpaca", purpose: "domain", samples: null, uploaded: true });
  });

  it("refuse a key that is not the content's and files larger than one ConfigMap carries", () => {
    const tampered = { ...withUpload(), datasets: [{ ...withUpload().datasets[0]!, path: "datasets/support/train.jsonl" }] };
    expect(uploadProblem(tampered)).toBe(
      `datasets[0]: path "datasets/support/train.jsonl" is not the content-addressed key of data/support/train.jsonl (${KEY}): build the entry with uploadedDataset()`,
    );
    expect(() => planFineTune({ spec: tampered, model: qwen7b, contract })).toThrow("is not the content-addressed key");
    const big = "x".repeat(UPLOAD_MAX_BYTES + 1);
    expect(uploadProblem(withUpload(big))).toBe(
      `uploads ${UPLOAD_MAX_BYTES + 1} bytes, more than the ${UPLOAD_MAX_BYTES} bytes one ConfigMap carries: put the larger files into the store yourself and name their keys in path`,
    );
  });
});

// concurrent: each case uses its own adapter prefix and keys
describe.skipIf(!hasAwsCli)("upload-datasets.sh against an S3-compatible server", { concurrent: true }, () => {
  let server: S3Server;
  let store: StoreClient;
  const bucket = "llmkit-upload";

  beforeAll(async () => {
    server = await startS3Server({ bucket });
    store = storeClient(server);
  });
  afterAll(async () => {
    store?.destroy();
    await server?.stop();
  });

  /** The script with the run's train ConfigMap beside it and the data ConfigMap's files in UPLOAD_DIR. */
  const run = (adapter: string, files: Record<string, string>, list: string) => {
    const config = mkdtempSync(join(tmpdir(), "llmkit-upload-config-"));
    const uploads = mkdtempSync(join(tmpdir(), "llmkit-upload-files-"));
    const data = planFineTune({ spec: withUpload(), model: qwen7b, contract }).config.data as Record<string, string>;
    for (const file of ["store.sh", UPLOAD_SCRIPT]) writeFileSync(join(config, file), data[file]!);
    writeFileSync(join(config, "uploads.txt"), list);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(uploads, name), text);
    return runProcess("bash", [join(config, UPLOAD_SCRIPT)], { ...server.env, ADAPTER_PREFIX: adapter, UPLOAD_DIR: uploads });
  };

  it("copies each file to its key, and leaves a key that exists alone", async () => {
    await store.put({ "datasets/uploads/2222/b.jsonl": "already there" });
    const r = await run("adapters/a/1/", { "0-a.jsonl": ROWS, "1-b.jsonl": "new bytes" }, "0-a.jsonl datasets/uploads/1111/a.jsonl\n1-b.jsonl datasets/uploads/2222/b.jsonl\n");
    expect([r.status, r.stdout.trim().split("\n")]).toEqual([
      0,
      [`uploaded s3://${bucket}/datasets/uploads/1111/a.jsonl`, `s3://${bucket}/datasets/uploads/2222/b.jsonl is already in the store`],
    ]);
    expect([await store.get("datasets/uploads/1111/a.jsonl"), await store.get("datasets/uploads/2222/b.jsonl")]).toEqual([ROWS, "already there"]);
  });

  it("does nothing when the run is already published", async () => {
    await store.put({ "adapters/a/2/_SUCCESS": "" });
    const r = await run("adapters/a/2/", { "0-a.jsonl": ROWS }, "0-a.jsonl datasets/uploads/3333/a.jsonl\n");
    expect([r.status, r.stdout.trim()]).toEqual([0, `s3://${bucket}/adapters/a/2/ is already published: nothing to upload`]);
    expect(await store.keys("datasets/uploads/3333/")).toEqual([]);
  });

  it("stops with a configuration error when a listed file is missing", async () => {
    const r = await run("adapters/a/3/", {}, "0-a.jsonl datasets/uploads/4444/a.jsonl\n");
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("0-a.jsonl is missing from the run's data ConfigMap");
  });
});
