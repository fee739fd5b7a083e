/**
 * The engine lane's `gate:` scenario, promotion half (e2e/engines/README.md): the kit's own
 * `promote --check-store` CLI, run as its own process against the lane's S3 server, on two real
 * runs of one adapter that the lane trained there — the stack's run and a deliberately worse one
 * (the same fine-tune with a destructive learning rate: same data, same held-out rows, a
 * different run id). The stack files are copies of the rendered engines stack with only
 * `llmkit:release` replaced; the expected output is spelt out here line by line.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument, Scalar } from "yaml";

/**
 * The worse run: lf-qwen trained again at a learning rate 400× the stack's 0.005. Adam moves every
 * LoRA weight by about the learning rate per step, so the run overshoots instead of descending; the
 * lane asserts its held-out loss ends above the stack's run by more than the gate allows before
 * relying on it (measured: e2e/engines/README.md).
 */
export const WORSE = { fineTune: "lf-qwen", learningRate: 2 } as const;

/** The gate under test: the new run's held-out loss may be at most 0.05 above the pinned run's. */
export const GATE = { metric: "heldout.loss", vsPinned: 0.05 } as const;

/** The target stack (pins one run, carries the gate) and the two sources (each pins one run). */
export const STACKS = { target: "gate-prod", good: "gate-good", worse: "gate-worse" } as const;

/** `text` (a stack file) with `fineTune`'s training.learningRate set: the worse run's stack. */
export function withLearningRate(text: string, fineTune: string, learningRate: number): string {
  const doc = parseDocument(text);
  const fts = (doc.getIn(["config", "llmkit:fineTunes"]) as { toJSON(): { name: string }[] }).toJSON();
  const i = fts.findIndex((f) => f.name === fineTune);
  if (i < 0) throw new Error(`the engines stack has no fine-tune ${fineTune}`);
  doc.setIn(["config", "llmkit:fineTunes", i, "training", "learningRate"], learningRate);
  return doc.toString();
}

const quoted = (v: string) => Object.assign(new Scalar(v), { type: Scalar.QUOTE_DOUBLE }); // a run id may be all digits

/**
 * Writes the three stacks into `dir`: `text` (the rendered engines stack) with the adapter's pin
 * set (the other pins stay: serving names them) and, in the target, the gate.
 */
export function writeGateStacks(dir: string, text: string, pin: { adapter: string; baseModel: string; rank: number }, runs: { good: string; worse: string }): void {
  const write = (stack: string, runId: string, gates: boolean) => {
    const doc = parseDocument(text);
    doc.setIn(["config", "llmkit:release", "adapters", pin.adapter], doc.createNode({ runId: quoted(runId), baseModel: pin.baseModel, rank: pin.rank }));
    if (gates) doc.setIn(["config", "llmkit:release", "gates"], doc.createNode([{ metric: GATE.metric, adapters: [pin.adapter], maxRegression: { vsPinned: GATE.vsPinned } }]));
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), doc.toString());
  };
  write(STACKS.target, runs.good, true);
  write(STACKS.good, runs.good, false);
  write(STACKS.worse, runs.worse, false);
}

export interface CliRun {
  code: number | null;
  out: string[];
  err: string[];
}

/**
 * `npm run promote -- <args>` as a process of its own (node + tsx, what the npm script runs). On
 * Node < 22 the AWS SDK prints a NodeVersionSupportWarning to stderr on its first client
 * (@aws-sdk/core client/emitWarningIfUnsupportedVersion.js); its own switch silences it, so stderr
 * holds only what the CLI says.
 */
export function promoteCli(root: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", "cli/promote.ts", ...args], {
      cwd: root,
      env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const lines = (s: string) => s.split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1));
    child.once("error", (e) => done({ code: 127, out: lines(out), err: [...lines(err), String(e)] }));
    child.once("close", (code) => done({ code, out: lines(out), err: lines(err) }));
  });
}

/** One run's manifest figures the gate reads. */
export interface Scored {
  runId: string;
  createdAt: string;
  loss: { adapter: number; base: number | null };
}

const f4 = (v: number) => v.toFixed(4);
const signed = (v: number) => (v >= 0 ? "+" : "-") + f4(Math.abs(v));

/** The gate table the CLI prints for one adapter, header and row, columns padded to their widest cell. */
function table(pinned: Scored, incoming: Scored, verdict: string): string[] {
  const rows = [
    ["metric", "pinned", "new", "base", "gate", "verdict"],
    [GATE.metric, f4(pinned.loss.adapter), f4(incoming.loss.adapter), incoming.loss.base === null ? "—" : f4(incoming.loss.base), `vsPinned ${GATE.vsPinned}`, verdict],
  ];
  const width = (c: number) => Math.max(...rows.map((r) => r[c]!.length));
  return rows.map((r) => "  " + r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(width(c)))).join("  "));
}

/** What the CLI must print for promoting `incoming` over `pinned` (stdout, stderr), per case. */
export function expected(root: { dir: string; bucket: string; adapter: string }, from: string, pinned: Scored, incoming: Scored, opts: { allow?: string; downgrade?: boolean } = {}): { out: string[]; err: string[] } {
  const delta = incoming.loss.adapter - pinned.loss.adapter;
  const move = `${f4(pinned.loss.adapter)} → ${f4(incoming.loss.adapter)} (${signed(delta)})`;
  const fails = delta > GATE.vsPinned;
  const failure = `${root.adapter}@${incoming.runId}: ${GATE.metric} = ${f4(incoming.loss.adapter)}: ${f4(delta)} worse than pinned (allowed ${GATE.vsPinned})`;
  const verdict = !fails ? `pass: ${move}` : `${opts.allow !== undefined ? "ALLOWED" : "FAIL"}: ${move}; ${f4(delta)} worse than pinned (allowed ${GATE.vsPinned})`;
  const out = [
    `promote ${from} → ${STACKS.target}: 1 adapter(s)`,
    `  ~ ${root.adapter}: runId ${pinned.runId} → ${incoming.runId}`,
    ...(opts.downgrade ? [`warning: allowed downgrade: ${root.adapter}: ${incoming.runId} (published ${incoming.createdAt}) is older than the pinned ${pinned.runId} (published ${pinned.createdAt})`] : []),
    `store check ok: 1 adapter(s) complete in s3://${root.bucket} with matching base models`,
    `evaluation gates of ${STACKS.target} (llmkit:release.gates):`,
    `${root.adapter}: ${pinned.runId} → ${incoming.runId}`,
    ...table(pinned, incoming, verdict),
  ];
  const wrote = `wrote ${join(root.dir, `Pulumi.${STACKS.target}.yaml`)}`;
  if (!fails) return { out: [...out, "evaluation gates ok: 1 check(s) on 1 adapter(s)", wrote], err: [] };
  if (opts.allow === undefined) {
    return { out, err: [`refused: 1 evaluation gate(s) failed; to promote anyway pass --allow-regression <metric> --reason "<why>"; nothing written:`, `  - ${failure}`] };
  }
  return {
    out: [
      ...out,
      `warning: allowed regression: ${failure}`,
      `override reason (--allow-regression ${GATE.metric}): ${opts.allow}`,
      "evaluation gates overridden: 1 of 1 check(s) on 1 adapter(s) failed and were allowed",
      wrote,
    ],
    err: [],
  };
}
