/**
 * Runs the Pulumi program offline, under mocks, for any stack file, and records every resource
 * it registers (docs/architecture.md §7.3). No engine, no credentials, no network.
 *
 * Pulumi's runtime is process-global, so each run installs fresh mocks and config, runs the
 * program inside a root Stack resource exactly as the language host does
 * (`runInPulumiStack`), and returns only once no registration is in flight (see `settle`).
 * Runs must not overlap; sequential runs in one process are safe.
 */
import * as pulumi from "@pulumi/pulumi";
import { STACKS_DIR } from "../config/load.ts";
import { isKubernetesObjectType, toKubernetesObject, type KubernetesObject } from "./manifests.ts";
import { mockCall, mockState } from "./mock-outputs.ts";
import { readEngineConfig, type EngineConfig } from "./stack-config.ts";
import { fromWire } from "./wire.ts";

export interface ResourceRecord {
  readonly type: string;
  readonly name: string;
  /** Name of the parent resource; null for resources directly under the stack. */
  readonly parent: string | null;
  /** Inputs as the engine receives them, every Pulumi secret replaced by "[secret]". */
  readonly inputs: Record<string, unknown>;
}

export interface RenderedObject {
  readonly resource: ResourceRecord;
  /** The object with secrets in the clear (mock values), for schema validation. */
  readonly object: KubernetesObject;
  /** The object with secrets redacted, for writing and printing. */
  readonly manifest: KubernetesObject;
}

export interface RunOutcome {
  readonly stack: string;
  readonly resources: ResourceRecord[];
  readonly objects: RenderedObject[];
  readonly outputs: Record<string, unknown> | undefined;
  /** What failed the program first: a thrown error, a rejected registration or apply. */
  readonly error: Error | undefined;
}

export type RunResult = Omit<RunOutcome, "error">;

export type Program = () => unknown;

export interface RunOptions {
  /** Folder holding the stack files (also where referenced platform stacks are read). */
  readonly stacksDir?: string;
  /** The program to run. @default the default export of ../index.ts */
  readonly program?: Program;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

interface Request {
  getType(): string;
  getName(): string;
  getParent(): string;
  getObject?(): { toJavaScript(): Record<string, unknown> } | undefined;
  getProperties?(): { toJavaScript(): Record<string, unknown> } | undefined;
}
type MonitorMethod = (req: Request, callback: unknown) => unknown;
interface MockMonitor {
  registerResource: MonitorMethod;
  readResource: MonitorMethod;
}

/** `waitForRPCs` is @internal in @pulumi/pulumi's typings but is what `disconnect` awaits. */
function waitForRPCs(): Promise<void> {
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (wait === undefined) throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs: update render/harness.ts");
  return wait();
}

/**
 * Every resource constructor takes an "RPC keep-alive" synchronously, and releases it once its
 * registration has been answered; `waitForRPCs` waits until none is held. A resource created
 * later inside an `apply` (after some output resolved) takes its keep-alive in a microtask, so
 * after each wait we let the microtask queue drain completely (one macrotask turn), wait again,
 * and stop only when a whole round registered nothing new at the monitor.
 */
async function settle(registrations: () => number): Promise<void> {
  for (;;) {
    const before = registrations();
    await waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
    await waitForRPCs();
    if (registrations() === before) return;
  }
}

function parentName(parentUrn: string): string | null {
  if (parentUrn === "" || parentUrn.split("::")[2]?.endsWith(ROOT_STACK_TYPE)) return null;
  return parentUrn.split("::").pop()!;
}

async function defaultProgram(): Promise<unknown> {
  const mod = (await import("../index.ts")) as { default: Program };
  return mod.default();
}

let running = false;

/** Runs the program with the given engine config; never throws for program failures. */
export async function runWithConfig(stack: string, engine: EngineConfig, opts: RunOptions = {}): Promise<RunOutcome> {
  if (running) throw new Error("runStack: runs share Pulumi's global runtime and must not overlap");
  running = true;
  const stacksDir = opts.stacksDir ?? STACKS_DIR;
  const awsRegion = engine.config["aws:region"] ?? "us-west-2";
  const resources: ResourceRecord[] = [];
  const objects: RenderedObject[] = [];
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    await pulumi.runtime.setMocks(
      { newResource: (a) => ({ id: `${a.name}-id`, state: mockState(a, stacksDir, awsRegion) }), call: (a) => mockCall(a, awsRegion) },
      "llmkit",
      stack,
      false,
      "organization",
    );
    pulumi.runtime.setAllConfig(engine.config, engine.secretKeys);
    const record = (req: Request, wire: Record<string, unknown>) => {
      const type = req.getType();
      if (type === ROOT_STACK_TYPE) return;
      const resource = { type, name: req.getName(), parent: parentName(req.getParent()), inputs: fromWire(wire, "redacted") as Record<string, unknown> };
      resources.push(resource);
      if (isKubernetesObjectType(type)) {
        objects.push({
          resource,
          object: toKubernetesObject(type, fromWire(wire, "plain") as Record<string, unknown>),
          manifest: toKubernetesObject(type, resource.inputs),
        });
      }
    };
    // The mock monitor is what the SDK sends each registration to; the raw request carries the
    // parent and the inputs in wire form (secrets still marked), which newResource does not.
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    const register = monitor.registerResource.bind(monitor);
    const read = monitor.readResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      record(req, req.getObject?.()?.toJavaScript() ?? {});
      return register(req, cb);
    };
    monitor.readResource = (req, cb) => {
      record(req, req.getProperties?.()?.toJavaScript() ?? {});
      return read(req, cb);
    };

    const program = opts.program ?? defaultProgram;
    let outputs: Record<string, unknown> | undefined;
    try {
      outputs = await pulumi.runtime.runInPulumiStack(() => Promise.resolve(program()));
    } catch (err) {
      failures.unshift(err);
    }
    await settle(() => resources.length);
    const failure = failures[0];
    const error = failure === undefined || failure instanceof Error ? failure : new Error(`program failed: ${JSON.stringify(failure)}`);
    return { stack, resources, objects, outputs, error };
  } finally {
    process.off("unhandledRejection", onRejection);
    running = false;
  }
}

/** Runs the program for `stacks/Pulumi.<stack>.yaml`; throws what failed the program. */
export async function runStack(stack: string, opts: RunOptions = {}): Promise<RunResult> {
  const outcome = await runWithConfig(stack, readEngineConfig(stack, opts.stacksDir ?? STACKS_DIR), opts);
  if (outcome.error !== undefined) throw outcome.error;
  return { stack: outcome.stack, resources: outcome.resources, objects: outcome.objects, outputs: outcome.outputs };
}
