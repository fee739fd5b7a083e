import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FineTuneConfig } from "./inputs.ts";
import { hasAwsCli, reportAwsCli, runProcess, startS3Server, storeClient, type S3Server, type StoreClient } from "../../test/s3-server.ts";
import { WAIT_DATASETS_SCRIPT, datasetWaitConfigData, datasetWaitContainers, mirroredPrefixes } from "./dataset-wait.ts";
import { resolveFineTune } from "./defaults.ts";
import { renderTrainConfig, renderTrainJob } from "./train-job.ts";
import { contract, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const MIRROR = "datasets/HuggingFaceH4/ultrachat_200k/8049631c405ae6576f93f445c6b8166f76f5505a/";
const mirrored: FineTuneConfig = {
  ...seedLora,
  datasets: [
    seedLora.datasets[0]!,
    { path: `${MIRROR}data/a.parquet`, mirror: MIRROR, format: "openai", purpose: "general", samples: 100 },
    { path: `${MIRROR}data/b.parquet`, mirror: MIRROR, format: "openai", purpose: "general", samples: 100 },
  ],
};
reportAwsCli("dataset-wait.test.ts");

describe("wait-datasets rendering", () => {
  it("is absent when no dataset comes from a hub mirror", () => {
    const ft = resolveFineTune(seedLora);
    expect(mirroredPrefixes(ft)).toEqual([]);
    expect(datasetWaitConfigData(ft)).toEqual({});
    expect(renderTrainJob(ft, qwen7b, contract, "0123456789ab").spec.template.spec.initContainers[0]!.name).toBe("restore");
  });

  it("runs first, once per mirror, and ships its script", () => {
    const ft = resolveFineTune(mirrored);
    expect(mirroredPrefixes(ft)).toEqual([MIRROR]);
    const [wait] = datasetWaitContainers(ft, "0123456789ab", "amazon/aws-cli:2.36.7", [{ name: "STORE_BUCKET", value: "b" }], []);
    expect(wait!.env).toEqual([
      { name: "STORE_BUCKET", value: "b" },
      { name: "ADAPTER_PREFIX", value: "adapters/support-bot/0123456789ab/" },
      { name: "MIRROR_PREFIXES", value: MIRROR },
      { name: "WAIT_SECONDS", value: "21600" },
      { name: "POLL_SECONDS", value: "30" },
    ]);
    expect(wait!.command).toEqual(["bash", "/config/wait-datasets.sh"]);
    const init = renderTrainJob(ft, qwen7b, contract, "0123456789ab").spec.template.spec.initContainers.map((c) => c.name);
    expect(init.slice(0, 2)).toEqual(["wait-datasets", "restore"]);
    expect(Object.keys(renderTrainConfig(ft, qwen7b, contract, "0123456789ab").data)).toContain(WAIT_DATASETS_SCRIPT);
  });
});

// concurrent: each case uses its own prefixes, and most of their time is AWS CLI start-up
describe.skipIf(!hasAwsCli)("wait-datasets.sh against an S3-compatible server", { concurrent: true }, () => {
  let server: S3Server;
  let store: StoreClient;
  const bucket = "llmkit-wait";
  const scripts = mkdtempSync(join(tmpdir(), "llmkit-wait-"));

  beforeAll(async () => {
    server = await startS3Server({ bucket });
    store = storeClient(server);
    const ft = resolveFineTune(mirrored);
    const data = renderTrainConfig(ft, qwen7b, contract, "0123456789ab").data as Record<string, string>;
    for (const file of ["store.sh", WAIT_DATASETS_SCRIPT]) writeFileSync(join(scripts, file), data[file]!);
  });
  afterAll(async () => {
    store?.destroy();
    await server?.stop();
  });

  const put = (key: string) => store.put({ [key]: "" });
  /** Runs the script; `onOutput` sees stdout as it grows (to act while the script waits). */
  const run = (env: Record<string, string>, onOutput?: (stdout: string) => void) =>
    runProcess("bash", [join(scripts, WAIT_DATASETS_SCRIPT)], { ...server.env, POLL_SECONDS: "1", WAIT_SECONDS: "30", ...env }, onOutput);

  it("waits until every mirror has written _SUCCESS", async () => {
    await put("datasets/x/r1/_SUCCESS");
    let released = false;
    const result = await run({ ADAPTER_PREFIX: "adapters/a/1/", MIRROR_PREFIXES: "datasets/x/r1/ datasets/y/r2/" }, (out) => {
      if (!released && out.includes("waiting for s3://llmkit-wait/datasets/y/r2/_SUCCESS")) {
        released = true;
        void put("datasets/y/r2/_SUCCESS");
      }
    });
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain("waiting for s3://llmkit-wait/datasets/x/r1/_SUCCESS");
    expect(result.stdout).toContain("mirrored datasets complete: datasets/x/r1/ datasets/y/r2/");
  });

  it("gives up with a configuration error (exit 3) after WAIT_SECONDS", async () => {
    const result = await run({ ADAPTER_PREFIX: "adapters/a/2/", MIRROR_PREFIXES: "datasets/never/r/", WAIT_SECONDS: "0" });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("s3://llmkit-wait/datasets/never/r/_SUCCESS does not exist after 0s: is its llmkit:datasets entry mirrored?");
  });

  it("does not wait when the adapter is already published", async () => {
    await put("adapters/a/3/_SUCCESS");
    const result = await run({ ADAPTER_PREFIX: "adapters/a/3/", MIRROR_PREFIXES: "datasets/never/r/" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("already published: nothing to wait for");
  });
});
