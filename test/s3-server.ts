/**
 * A real S3-compatible server for the store-script tests, from node_modules only (no Python):
 * @20minutes/s3rver (the maintained fork of s3rver) in a child process on 127.0.0.1, on a port the
 * OS picks, quiet, with real SigV4 checks. A child process, not in-process, because the tests run
 * the scripts with spawnSync, which blocks this process's event loop.
 *
 * `env` points every `aws` the scripts run at it: a wrapper on PATH that adds
 * `--endpoint-url "$AWS_ENDPOINT_URL"`, because Debian bookworm's AWS CLI (2.9.19) predates the
 * AWS_ENDPOINT_URL setting (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html;
 * its bundled botocore never reads it), and it refuses to run without that variable, so no test
 * can reach real AWS.
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The AWS CLI the store tests use: Debian's v2 (/usr/bin/aws; the amazon/aws-cli image the Jobs
 * run is v2 too) first, else the first `aws` on PATH. Found without running it: a CLI start costs
 * ~0.5-0.8 s, paid once per test file in reportAwsCli.
 */
export const awsCli: string | undefined = ["/usr/bin", ...(process.env.PATH ?? "").split(":").filter((d) => d !== "")].map((d) => join(d, "aws")).find(executable);
export const hasAwsCli = awsCli !== undefined;

/** Prints which CLI and version a test file's store runs use, or why they skip. */
export function reportAwsCli(file: string): void {
  if (awsCli === undefined) {
    console.log(`${file}: store runs skipped, no AWS CLI (install it with \`apt-get install awscli\`)`);
    return;
  }
  const version = spawnSync(awsCli, ["--version"], { encoding: "utf8" });
  console.log(`${file}: store runs use ${awsCli} (${(version.stdout || version.stderr).trim()})`);
}

/** A loopback port nothing listens on (for "the store does not answer" cases). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** s3rver's fixed account (@20minutes/s3rver lib/models/account.js): it checks SigV4 signatures made with this key pair. */
export const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface S3Server {
  readonly endpoint: string;
  readonly bucket: string;
  /** For spawning scripts and `aws`: credentials, endpoint, region, STORE_BUCKET, a scratch HOME and PATH with the wrapper first. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

// Started with -e so the package needs no bin; it exits when its stdin closes (the test process died).
const CHILD = `
const S3rver = require(process.argv[1]);
new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: process.argv[2], configureBuckets: JSON.parse(process.argv[3]) })
  .run()
  .then((a) => console.log(a.port), (e) => { console.error(e); process.exit(1); });
process.stdin.on("end", () => process.exit(0)).resume();
`;

/** Starts a server with `bucket` created (or none when omitted); resolves once it listens. */
export async function startS3Server({ bucket = "" }: { bucket?: string } = {}): Promise<S3Server> {
  const root = mkdtempSync(join(tmpdir(), "llmkit-s3-"));
  const [data, bin, home] = ["data", "bin", "home"].map((d) => join(root, d)) as [string, string, string];
  for (const d of [data, bin, home]) mkdirSync(d);
  if (awsCli !== undefined) {
    writeFileSync(join(bin, "aws"), `#!/bin/sh\n: "\${AWS_ENDPOINT_URL:?set it: the tests talk to a loopback server only}"\nexec '${awsCli}' --endpoint-url "$AWS_ENDPOINT_URL" "$@"\n`);
    chmodSync(join(bin, "aws"), 0o755);
  }
  const pkg = createRequire(import.meta.url).resolve("@20minutes/s3rver");
  const buckets = JSON.stringify(bucket === "" ? [] : [{ name: bucket }]);
  const child = spawn(process.execPath, ["-e", CHILD, pkg, data, buckets], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let stdout = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes("\n")) resolve(Number(stdout.trim()));
    });
    child.once("exit", (code) => reject(new Error(`the S3 server exited (${code}) before listening: ${stderr}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    HOME: home,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    // Recent CLIs and SDKs send CRC checksums by default, on streamed uploads as aws-chunked
    // trailers (x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER), which s3rver rejects
    // (lib/signature/v4.js); send them only where S3 requires one. Older CLIs ignore these.
    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-dataintegrity.html
    AWS_REQUEST_CHECKSUM_CALCULATION: "when_required",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "when_required",
    ...(bucket === "" ? {} : { STORE_BUCKET: bucket }),
  };
  return {
    endpoint,
    bucket,
    env,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill();
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
