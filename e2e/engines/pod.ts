/**
 * Runs a rendered pod's containers here, as the kubelet would run them, against the lane's S3
 * server: init containers in order, native sidecars (restartPolicy: Always) started beside the
 * later ones and stopped with SIGTERM after the main containers, then the main containers.
 *
 * What differs from a cluster, and only this:
 * - every volume mount path (and /tmp, and the llama.cpp image's /app) is mapped to a directory of
 *   the pod under the lane's temp dir, in commands, args, env values and the ConfigMap's files
 *   alike (`PathMap`), so `/work/output` is `<pod>/work/output` everywhere;
 * - an image is replaced by the same program installed here (`toolsFor`): aws-cli by the AWS CLI
 *   on PATH with the test server's endpoint wrapper, the engine images by the lane's venvs,
 *   llama.cpp `full` by its convert_hf_to_gguf.py + gguf-py under the vLLM venv's python;
 * - the store endpoint and credentials (AWS_*) are the test server's;
 * - the engines get CUDA_VISIBLE_DEVICES="" and the offline switches, so nothing looks for a GPU
 *   or a hub.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  restartPolicy?: string;
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}

/** Maps the pod's absolute paths to local ones; longest prefix first, whole path segments only. */
export class PathMap {
  private readonly map: Map<string, string>;
  private readonly pattern: RegExp;
  constructor(map: Record<string, string>) {
    this.map = new Map(Object.entries(map));
    // one pass, longest first: a mapped path (under the host's /tmp) is never mapped again
    const keys = [...this.map.keys()].sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.pattern = new RegExp(`(?<![\\w.-])(${keys.join("|")})(?=/|$|[\\s"',:;#)\\]}])`, "gm");
  }
  apply(text: string): string {
    return text.replace(this.pattern, (m) => this.map.get(m) ?? m);
  }
}

export interface Tools {
  /** Directories put first on PATH for this image. */
  path: string[];
  /** Extra environment for this image (engines: offline switches, no GPU). */
  env: Record<string, string>;
}

export interface PodContext {
  name: string;
  root: string;
  map: PathMap;
  /** The S3 server's env (endpoint, credentials, the aws wrapper on PATH). */
  storeEnv: Record<string, string>;
  toolsFor(image: string): Tools;
  log: (line: string) => void;
}

export interface Proc {
  container: string;
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; output: string }>;
  output(): string;
}

const STORE_KEYS = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION"];

/**
 * Writes a ConfigMap's data into `dir` (read-only, as a configMap volume with defaultMode 0444),
 * paths mapped; `map` null for a ConfigMap of user data (uploaded datasets), which a pod reads
 * byte for byte and which names no pod path.
 */
export function writeConfigMap(data: Record<string, string>, dir: string, map: PathMap | null): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(data)) {
    writeFileSync(join(dir, file), map === null ? text : map.apply(text));
    chmodSync(join(dir, file), 0o444);
  }
}

export function containerEnv(c: Container, ctx: PodContext): Record<string, string> {
  const tools = ctx.toolsFor(c.image);
  const env: Record<string, string> = {
    PATH: [...tools.path, ctx.storeEnv.PATH ?? process.env.PATH ?? ""].join(":"),
    HOME: join(ctx.root, "tmp"),
    LANG: "C.UTF-8",
    USER: "root",
  };
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = ctx.map.apply(e.value);
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = ctx.name;
    else if (e.valueFrom?.secretKeyRef !== undefined) env[e.name] = ctx.storeEnv[e.valueFrom.secretKeyRef.key] ?? "";
  }
  // the store is the lane's S3 server, whatever endpoint the stack names
  for (const k of STORE_KEYS) if (ctx.storeEnv[k] !== undefined) env[k] = ctx.storeEnv[k]!;
  if (env.AWS_REGION !== undefined) env.AWS_REGION = ctx.storeEnv.AWS_DEFAULT_REGION ?? env.AWS_REGION;
  return { ...env, ...tools.env };
}

/** Every container process still running, so an interrupted lane can stop them (run.ts). */
export const running = new Set<ChildProcess>();

/** Kills every running container's process group (SIGKILL). */
export function killAll(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Starts one container's process in its own process group (so the whole tree can be stopped). */
export function start(c: Container, ctx: PodContext): Proc {
  const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => ctx.map.apply(a));
  if (argv.length === 0) throw new Error(`${ctx.name}/${c.name}: no command (image entrypoints are not emulated)`);
  const env = containerEnv(c, ctx);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: join(ctx.root, "tmp"), env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  running.add(child);
  let output = "";
  const onData = (d: Buffer) => {
    const text = d.toString();
    output += text;
    for (const line of text.split("\n")) if (line.trim() !== "") ctx.log(`${ctx.name}/${c.name}: ${line}`);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const done = new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) => {
    child.once("error", (err) => resolve({ code: 127, signal: null, output: `${output}${String(err)}` }));
    child.once("close", (code, signal) => {
      running.delete(child);
      writeFileSync(join(ctx.root, `${c.name}.log`), output, { flag: "a" });
      // the container's PID 1 is gone: the runtime kills whatever it left behind
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // nothing left
      }
      resolve({ code, signal, output });
    });
  });
  return { container: c.name, child, done, output: () => output };
}

/** SIGTERM to the container's main process, SIGKILL to its group after `graceSeconds`. */
export async function terminate(p: Proc, graceSeconds: number): Promise<{ code: number | null; signal: string | null; output: string }> {
  if (p.child.exitCode === null && p.child.signalCode === null) {
    try {
      p.child.kill("SIGTERM");
    } catch {
      // already gone
    }
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-p.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, graceSeconds * 1000);
  const r = await p.done;
  clearTimeout(timer);
  return r;
}

export class ContainerFailed extends Error {
  constructor(
    readonly pod: string,
    readonly container: string,
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`${pod}/${container} exited ${code}`);
  }
}

export interface RunPodOptions {
  /** Called once the named init container started; resolves to "sigterm" to delete the pod then. */
  during?: { container: string; act: (p: Proc) => Promise<"sigterm" | undefined> };
  graceSeconds: number;
}

/**
 * Runs the pod to completion (or to its deletion when `during` asks for it). Returns each
 * container's output; throws ContainerFailed on the first failing container (after stopping sidecars).
 */
export async function runPod(spec: PodSpec, ctx: PodContext, opts: RunPodOptions): Promise<{ outputs: Record<string, string>; deleted: boolean }> {
  mkdirSync(join(ctx.root, "tmp"), { recursive: true });
  const outputs: Record<string, string> = {};
  const sidecars: Proc[] = [];
  const stopSidecars = async () => {
    for (const s of sidecars) outputs[s.container] = (await terminate(s, opts.graceSeconds)).output;
  };
  try {
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const p = start(c, ctx);
      if (c.restartPolicy === "Always") {
        sidecars.push(p);
        continue;
      }
      if (opts.during?.container === c.name) {
        const verdict = await opts.during.act(p);
        if (verdict === "sigterm") {
          // pod deletion: SIGTERM to every running container at once, then the grace period
          const all = [p, ...sidecars];
          const results = await Promise.all(all.map((x) => terminate(x, opts.graceSeconds)));
          all.forEach((x, i) => (outputs[x.container] = results[i]!.output));
          sidecars.length = 0;
          return { outputs, deleted: true };
        }
      }
      const r = await p.done;
      outputs[c.name] = r.output;
      if (r.code !== 0) throw new ContainerFailed(ctx.name, c.name, r.code, r.output);
    }
  } finally {
    await stopSidecars();
  }
  return { outputs, deleted: false };
}
