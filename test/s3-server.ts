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
 * can reach real AWS. Where the CLI is a Python script (Debian's, pip's), that wrapper hands each
 * call to a preloaded CLI process (`startCliServer`), which cuts a call's CPU ~4x.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

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
 * ~0.7 s of CPU (Python start-up), so tests seed and inspect the bucket with `storeClient` instead.
 */
export const awsCli: string | undefined = ["/usr/bin", ...(process.env.PATH ?? "").split(":").filter((d) => d !== "")].map((d) => join(d, "aws")).find(executable);
export const hasAwsCli = awsCli !== undefined;

/** Prints which CLI and version a test file's store runs use, or why they skip. */
export function reportAwsCli(file: string): void {
  if (awsCli === undefined) {
    console.log(`${file}: store runs skipped, no AWS CLI (install it with \`apt-get install awscli\`)`);
    return;
  }
  console.log(`${file}: store runs use ${awsCli} (${awsCliVersion(awsCli)})`);
}

/**
 * `aws --version`, cached in the temp dir under the executable's real path, size and mtime (an
 * upgrade rewrites it): six store test files would otherwise each pay a CLI start for a log line.
 */
function awsCliVersion(cli: string): string {
  const real = realpathSync(cli);
  const { size, mtimeMs } = statSync(real);
  const cache = join(tmpdir(), `llmkit-aws-version-${createHash("sha256").update(`${real}\0${size}\0${mtimeMs}`).digest("hex").slice(0, 16)}`);
  try {
    return readFileSync(cache, "utf8");
  } catch {
    // not cached yet
  }
  const run = spawnSync(cli, ["--version"], { encoding: "utf8" });
  const version = (run.stdout || run.stderr).trim();
  if (run.status === 0) {
    // rename: parallel test files never read a half-written cache
    const partial = `${cache}.${process.pid}`;
    writeFileSync(partial, version);
    renameSync(partial, cache);
  }
  return version;
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

/** The preloaded CLI (test/aws-cli/): a server that imports the AWS CLI once and forks per call, and the `aws` that calls it. */
const CLI_SERVER = readFileSync(new URL("./aws-cli/preload-server.py", import.meta.url), "utf8");
const cliClient = (python: string, socket: string, cli: string) =>
  `#!${python} -IS
SOCKET = ${JSON.stringify(socket)}
CLI = ${JSON.stringify(cli)}
` + readFileSync(new URL("./aws-cli/client.py", import.meta.url), "utf8");


/** Writes `bin/aws`; for a Python CLI, also starts the CLI server, whose `ready` settles once it listens (or failed: then the wrapper runs the CLI itself). */
function startCliServer(cli: string, bin: string, root: string, preload: boolean): { ready: Promise<void>; stop(): Promise<void> } | undefined {
  const python = preload ? /^#!(\S*python3\S*)\s*\n/.exec(readFileSync(cli, "utf8").slice(0, 200))?.[1] : undefined;
  if (python === undefined) {
    // a binary CLI (the AWS installer's), or no preload: a plain wrapper, each call a full start
    writeFileSync(join(bin, "aws"), `#!/bin/sh\n: "\${AWS_ENDPOINT_URL:?set it: the tests talk to a loopback server only}"\nexec '${cli}' --endpoint-url "$AWS_ENDPOINT_URL" "$@"\n`);
    chmodSync(join(bin, "aws"), 0o755);
    return undefined;
  }
  const socket = join(root, "aws.sock");
  writeFileSync(join(bin, "aws"), cliClient(python, socket, cli));
  chmodSync(join(bin, "aws"), 0o755);
  // PATH only, like the scripts' env (no LANG): Python fixes its stdio encoding at start-up
  const server = spawn(python, ["-c", CLI_SERVER, socket, cli], { env: { PATH: process.env.PATH ?? "" }, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((r) => {
    server.once("exit", () => r());
    server.once("error", () => r()); // no CLI server: the wrapper runs the CLI itself
  });
  const ready = new Promise<void>((resolve) => {
    server.stdout.once("data", () => resolve());
    void exited.then(resolve);
  });
  return {
    ready,
    stop: async () => {
      server.stdin.end();
      await exited;
    },
  };
}

/**
 * Starts a server with `bucket` created (or none when omitted); resolves once it listens.
 * `preloadCli: false` skips the CLI server (~0.5 s of CPU to start) for tests that never run `aws`.
 */
export async function startS3Server({ bucket = "", preloadCli = true }: { bucket?: string; preloadCli?: boolean } = {}): Promise<S3Server> {
  const root = mkdtempSync(join(tmpdir(), "llmkit-s3-"));
  const [data, bin, home] = ["data", "bin", "home"].map((d) => join(root, d)) as [string, string, string];
  for (const d of [data, bin, home]) mkdirSync(d);
  const cliServer = awsCli === undefined ? undefined : startCliServer(awsCli, bin, root, preloadCli);
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
  await cliServer?.ready;
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
      await cliServer?.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Seeds and inspects a server's bucket in-process: each `aws` call a test makes costs a CLI start. */
export interface StoreClient {
  readonly s3: S3Client;
  /** Writes every key with its body, in parallel. */
  put(objects: Record<string, string>): Promise<void>;
  get(key: string): Promise<string>;
  /** Every key under `prefix`, sorted. */
  keys(prefix: string): Promise<string[]>;
  destroy(): void;
}

export function storeClient(server: S3Server): StoreClient {
  const s3 = new S3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    // as AWS_REQUEST_CHECKSUM_CALCULATION in `env`: no aws-chunked trailers, which s3rver rejects
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  // The SDK sends and signs bucket-level requests (ListObjectsV2) as `/<bucket>/`, but s3rver
  // verifies the signature over `/<bucket>` (lib/middleware/authentication.js builds the
  // canonical URI from the bucket name alone), so every listing would fail with
  // SignatureDoesNotMatch. Sending `/<bucket>`, which S3 treats the same, keeps both sides equal.
  s3.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { path?: string };
      if (request.path !== undefined && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: "build", name: "s3rverBucketPath" },
  );
  const { bucket } = server;
  return {
    s3,
    put: async (objects) => {
      await Promise.all(Object.entries(objects).map(([Key, body]) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Buffer.from(body) }))));
    },
    get: async (key) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString("utf8"),
    keys: async (prefix) => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      // one page (up to 1000 keys) is all a test bucket holds
      if (listed.IsTruncated) throw new Error(`more than one page of keys under ${prefix}`);
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    destroy: () => s3.destroy(),
  };
}

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` without blocking the event loop, so independent store tests overlap their CLI
 * start-ups (describe(…, { concurrent: true })); `onStdout` sees stdout as it grows, to act while
 * a script waits.
 */
export function runProcess(command: string, args: string[], env: Record<string, string>, onStdout: (stdout: string) => void = () => {}): Promise<ProcessResult> {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => onStdout((stdout += d.toString())));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}
