/**
 * The bucket Job's script runs for real (docs/architecture.md §7.5): bash and the AWS CLI against an
 * S3-compatible server (test/s3-server.ts) on loopback, with the env the Job renders.
 * Skips with a note when no AWS CLI is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, hasAwsCli, reportAwsCli, runProcess, startS3Server, type S3Server } from "../../../test/s3-server.ts";
import { localPlatform } from "../__fixtures__/configs.ts";
import { platformContract } from "../contract.ts";
import { renderBucketJob } from "./store.ts";

reportAwsCli("bucket-script.test.ts");

/** The Job's container command and literal env, on `server`'s PATH, HOME and credentials, with the endpoint pointed at `endpoint`. */
function jobProcess(server: S3Server, endpoint: string, extra: Record<string, string> = {}) {
  const container = renderBucketJob(platformContract(localPlatform())).spec.template.spec.containers[0]!;
  const env: Record<string, string> = { ...server.env };
  for (const e of container.env) if (e.value !== undefined) env[e.name] = e.value;
  Object.assign(env, { AWS_ENDPOINT_URL: endpoint, HOME: server.env.HOME }, extra);
  const [cmd, ...args] = container.command;
  return () => runProcess(cmd!, args, env);
}

// concurrent: the second case talks to another endpoint, so the two never meet
describe.skipIf(!hasAwsCli)("bucket Job script against an S3-compatible server", { concurrent: true }, () => {
  let server: S3Server;

  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("creates the bucket once, then finds it", async () => {
    const run = jobProcess(server, server.endpoint);
    const first = await run();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("bucket llmkit created");
    const second = await run();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain("bucket llmkit exists");
  });

  it("fails (so the Job retries) while the store does not answer", async () => {
    // One attempt: the CLI's own retries only add time here; the Job's backoff does the retrying.
    const run = jobProcess(server, `http://127.0.0.1:${await freePort()}`, { AWS_MAX_ATTEMPTS: "1" });
    expect((await run()).status).not.toBe(0);
  });
});
