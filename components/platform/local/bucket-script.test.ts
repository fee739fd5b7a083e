/**
 * The bucket Job's script runs for real (DESIGN.md §7.5): bash and the AWS CLI against an
 * S3-compatible server (moto) on loopback, with the env the Job renders.
 * Skips with a note when `aws` or `moto_server` is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localPlatform } from "../__fixtures__/configs.ts";
import { platformContract } from "../contract.ts";
import { renderBucketJob } from "./store.ts";

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const tools = has("aws") && has("moto_server");
if (!tools) console.log("bucket-script.test.ts: skipped, `aws` and `moto_server` (pip install 'moto[server]') are needed");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The Job's container command and literal env, with the endpoint pointed at `endpoint`. */
function jobProcess(endpoint: string, extra: Record<string, string> = {}) {
  const container = renderBucketJob(platformContract(localPlatform())).spec.template.spec.containers[0]!;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  };
  for (const e of container.env) if (e.value !== undefined) env[e.name] = e.value;
  env.AWS_ENDPOINT_URL = endpoint;
  env.HOME = mkdtempSync(join(tmpdir(), "llmkit-home-"));
  Object.assign(env, extra);
  const [cmd, ...args] = container.command;
  return () => spawnSync(cmd!, args, { env, encoding: "utf8" });
}

describe.skipIf(!tools)("bucket Job script against an S3-compatible server", { timeout: 60_000 }, () => {
  let server: ChildProcess;
  let endpoint: string;

  beforeAll(async () => {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    server = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    const env = { PATH: process.env.PATH ?? "", AWS_ACCESS_KEY_ID: "t", AWS_SECRET_ACCESS_KEY: "t", AWS_DEFAULT_REGION: "us-east-1" };
    for (let i = 0; i < 100; i++) {
      if (spawnSync("aws", ["--endpoint-url", endpoint, "s3api", "list-buckets"], { env }).status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("moto_server did not start");
  }, 20_000);
  afterAll(() => {
    server?.kill();
  });

  it("creates the bucket once, then finds it", () => {
    const run = jobProcess(endpoint);
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("bucket llmkit created");
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain("bucket llmkit exists");
  });

  it("fails (so the Job retries) while the store does not answer", async () => {
    // One attempt: the CLI's own retries only add time here; the Job's backoff does the retrying.
    const run = jobProcess(`http://127.0.0.1:${await freePort()}`, { AWS_MAX_ATTEMPTS: "1" });
    expect(run().status).not.toBe(0);
  });
});
