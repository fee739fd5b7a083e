/**
 * The promotion CLI, end to end on fixture copies of stack files (never the shipped ones, except a
 * read-only dry run): golden output files, refusals and exit codes. `--check-store` runs against a
 * real S3-compatible server on loopback (test/s3-server.ts, from node_modules: it always runs).
 * Set UPDATE_GOLDEN=1 to rewrite the golden files, then review their diff.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cli } from "../cli/promote.ts";
import { freePort, S3_CREDENTIALS, startS3Server, storeClient, type S3Server, type StoreClient } from "../test/s3-server.ts";
import { STACKS_DIR } from "../config/load.ts";
import { editRelease } from "./promote.ts";

const GOLDEN = resolve(import.meta.dirname, "__golden__/promote");
const FIXTURES = join(GOLDEN, "fixtures");

const scratchDirs: string[] = [];
afterAll(() => scratchDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A scratch stacks dir: the shipped platform stacks plus the fixture workloads stacks. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "llmkit-promote-"));
  scratchDirs.push(dir);
  for (const f of readdirSync(STACKS_DIR).filter((f) => /^Pulumi\.platform-.+\.yaml$/.test(f))) copyFileSync(join(STACKS_DIR, f), join(dir, f));
  for (const f of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, f), join(dir, f));
  return dir;
}

interface Run {
  code: number;
  out: string;
  err: string;
}

async function promote(dir: string, ...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    const code = await cli([...args, "--stacks-dir", dir]);
    const clean = (lines: string[]) => lines.join("\n").replaceAll(dir, "<stacks>");
    return { code, out: clean(out), err: clean(err) };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const read = (dir: string, stack: string) => readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8");
const fixture = (stack: string) => readFileSync(join(FIXTURES, `Pulumi.${stack}.yaml`), "utf8");

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

describe("npm run promote", () => {
  let dir: string;
  beforeEach(() => {
    dir = scratch();
  });

  it("promotes workloads-dev → workloads-prod, editing only the release run ids", async () => {
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    golden("workloads-prod.out.txt", run.out + "\n");
    golden("Pulumi.workloads-prod.promoted.yaml", read(dir, "workloads-prod"));
    // Byte-identical except the two run id lines; comments, single quotes and secure values stay.
    const before = fixture("workloads-prod").split("\n");
    const after = read(dir, "workloads-prod").split("\n");
    expect(after).toHaveLength(before.length);
    const changed = after.filter((l, i) => l !== before[i]);
    expect(changed).toEqual(['        runId: "012345678901"', '        runId: "0abc00000def"']);
    expect(after).toContain("    secure: v1:dGhpcyBpcyBub3QgZGVjb2RlZA==");
    expect(after).toContain("        runId: '99999999aaaa'");

    const again = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod");
    expect(again).toEqual({ code: 0, out: "no changes: workloads-prod already pins what workloads-dev pins", err: "" });
  });

  it("--only promotes the named adapters and nothing else", async () => {
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--only", "support-bot-qlora");
    expect(run.code).toBe(0);
    expect(run.out).toContain("  ~ support-bot-qlora: runId cd5f80f0dd4a → 0abc00000def");
    expect(run.out).not.toContain("  ~ support-bot:");
    golden("Pulumi.workloads-prod.only-qlora.yaml", read(dir, "workloads-prod"));
  });

  it("adds a rank line and a new entry to a block release (workloads-staging)", async () => {
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-staging");
    expect(run.code).toBe(0);
    expect(run.out).toContain("  ~ support-bot: runId c2f47069e7bc → 012345678901, rank unset → 8");
    expect(run.out).toContain("  + support-bot-qlora: 0abc00000def (base qwen2-5-7b, rank 16) (new pin)");
    golden("Pulumi.workloads-staging.promoted.yaml", read(dir, "workloads-staging"));
  });

  it("re-renders a flow-style release and appends a missing one", async () => {
    expect((await promote(dir, "--from", "workloads-dev", "--to", "workloads-flow")).code).toBe(0);
    golden("Pulumi.workloads-flow.promoted.yaml", read(dir, "workloads-flow"));
    expect((await promote(dir, "--from", "workloads-dev", "--to", "workloads-new")).code).toBe(0);
    golden("Pulumi.workloads-new.promoted.yaml", read(dir, "workloads-new"));
  });

  it("keeps anchors and `<<:` merge keys byte for byte, changing only the run ids (workloads-anchors)", async () => {
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-anchors");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const before = fixture("workloads-anchors").split("\n");
    const after = read(dir, "workloads-anchors").split("\n");
    expect(after).toHaveLength(before.length);
    expect(after.filter((l, i) => l !== before[i])).toEqual(['        runId: "012345678901"', '        runId: "0abc00000def"']);
    expect(after).toContain("    - <<: *chat");
  });

  it("a release entry that merges another (`<<: *pin`) gets no duplicate key; an edit that would shift a merged pin is refused", () => {
    const text = [
      "config:",
      "  llmkit:release:",
      "    adapters:",
      "      support-bot: &pin",
      '        runId: "c2f47069e7bc"',
      "        baseModel: qwen2-5-7b",
      "        rank: 8",
      "      support-bot-qlora:",
      "        <<: *pin",
      '        runId: "cd5f80f0dd4a"',
      "        rank: 16",
      "",
    ].join("\n");
    const qlora = { runId: "cd5f80f0dd4a", baseModel: "qwen2-5-7b", rank: 16 };
    const edited = editRelease(text, [{ adapter: "support-bot-qlora", from: qlora, to: { ...qlora, runId: "0abc00000def" } }], "x.yaml");
    expect(edited).toBe(text.replace('runId: "cd5f80f0dd4a"', 'runId: "0abc00000def"'));
  });

  it("refuses a promotion whose edit would also change a pin that merges the edited one", async () => {
    const anchored = read(dir, "workloads-prod").replace("      support-bot:\n", "      support-bot: &pin\n").replace(
      '      support-bot-qlora:\n        runId: "cd5f80f0dd4a"\n        baseModel: qwen2-5-7b\n        rank: 16 # must match the trained rank\n',
      '      support-bot-qlora:\n        <<: *pin\n        runId: "cd5f80f0dd4a"\n',
    );
    writeFileSync(join(dir, "Pulumi.workloads-prod.yaml"), anchored);
    // support-bot-qlora takes rank 8 from support-bot; promoting support-bot alone (rank 8 → 8, run id only) is safe
    expect((await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--only", "support-bot")).code).toBe(0);
    const ranked = read(dir, "workloads-prod").replace("        rank: 8\n", "        rank: 4\n");
    writeFileSync(join(dir, "Pulumi.workloads-prod.yaml"), ranked);
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--only", "support-bot");
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      "  - llmkit:release.adapters.support-bot-qlora: the edit would also change this pin (it shares an anchor through a `<<:` merge key): edit the release by hand",
    );
    expect(read(dir, "workloads-prod")).toBe(ranked);
  });

  it("--dry-run prints the diff and writes nothing", async () => {
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--dry-run");
    expect(run.code).toBe(0);
    expect(run.out).toContain("  ~ support-bot: runId c2f47069e7bc → 012345678901");
    expect(run.out).toContain("dry run: <stacks>/Pulumi.workloads-prod.yaml not written");
    expect(read(dir, "workloads-prod")).toBe(fixture("workloads-prod"));
  });

  it("refuses a promotion that would make the target invalid, with the schema error, writing nothing", async () => {
    const run = await promote(dir, "--from", "workloads-edge", "--to", "workloads-prod");
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      [
        'refused: promoting into "workloads-prod" would make it invalid (1 error(s)); nothing written:',
        '  - llmkit:release.adapters.tiny-bot.baseModel: unknown model "qwen2-5-0-5b": use one of llmkit:models (qwen2-5-7b)',
      ].join("\n"),
    );
    expect(read(dir, "workloads-prod")).toBe(fixture("workloads-prod"));
  });

  it.each([
    [["--from", "workloads-dev", "--to", "workloads-prod", "--only", "nope"], `--only nope: not pinned in workloads-dev's llmkit:release.adapters (pinned: support-bot, support-bot-qlora)`],
    [["--from", "workloads-dev", "--to", "workloads-nope"], 'unknown stack "workloads-nope"'],
    [["--from", "nope", "--to", "workloads-prod"], 'unknown stack "nope"'],
    [["--from", "workloads-dev"], "--to is required"],
    [["--from", "workloads-dev", "--to", "workloads-prod", "--bogus"], "Unknown option '--bogus'"],
    [["--from", "workloads-dev", "--to", "workloads-dev"], '--from and --to are both "workloads-dev"'],
    [["--from", "workloads-dev", "--to", "platform-prod"], "it is a platform stack"],
    [["--from", "workloads-new", "--to", "workloads-prod"], 'nothing to promote:\n  - "workloads-new" pins no adapters'],
  ])("refuses %j with exit 2", async (args, message) => {
    const run = await promote(dir, ...args);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(read(dir, "workloads-prod")).toBe(fixture("workloads-prod"));
  });

  it("the shipped workloads-prod already pins what workloads-dev pins (dry run on the shipped stacks)", async () => {
    const run = await promote(STACKS_DIR, "--from", "workloads-dev", "--to", "workloads-prod", "--dry-run");
    expect(run).toEqual({ code: 0, out: "no changes: workloads-prod already pins what workloads-dev pins", err: "" });
  });
});

describe("editRelease", () => {
  it("removes a rank line and rewrites a base in place, nothing else", () => {
    const text = fixture("workloads-prod");
    const out = editRelease(text, [{ adapter: "support-bot", from: { runId: "c2f47069e7bc", baseModel: "qwen2-5-7b", rank: 8 }, to: { runId: "c2f47069e7bc", baseModel: "qwen3-8b" } }], "f");
    const expected = text.replace('        baseModel: qwen2-5-7b\n        rank: 8\n', "        baseModel: qwen3-8b\n");
    expect(expected).not.toBe(text);
    expect(out).toBe(expected);
  });

  it("returns the text unchanged when there is nothing to change", () => {
    expect(editRelease("config: {}\n", [], "f")).toBe("config: {}\n");
  });
});

// ------------------------------------------------------------------ --check-store, real S3 server

describe("npm run promote --check-store against an S3-compatible server", () => {
  const bucket = "acme-llmkit-prod-models"; // stacks/Pulumi.platform-prod.yaml
  const saved = { ...process.env };
  let server: S3Server;
  let endpoint: string;
  let store: StoreClient;
  let dir: string;

  beforeAll(async () => {
    server = await startS3Server({ bucket, preloadCli: false }); // promote talks to the store itself, never through `aws`
    endpoint = server.endpoint;
    // promote's own client takes credentials from the standard chain: here, the env.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey, AWS_REGION: "us-west-2" });
    delete process.env.AWS_PROFILE;
    store = storeClient(server);
  });
  afterAll(async () => {
    store?.destroy();
    await server?.stop();
    process.env = saved;
  });
  beforeEach(() => {
    dir = scratch();
  });

  const base = { name: "qwen2-5-7b", hub: "huggingface", repo: "Qwen/Qwen2.5-7B-Instruct", revision: "a09a35458c702b33eeacc393d103063234e8bc28" };
  const put = (key: string, body: string) => store.put({ [key]: body });
  const manifest = (name: string, runId: string, createdAt: string, extra: { baseModel?: object; evaluation?: object } = {}) =>
    put(`adapters/${name}/${runId}/manifest.json`, JSON.stringify({ name, runId, baseModel: base, createdAt, ...extra }));
  /** The incoming runs published at `newAt`, the pinned ones at 2026-02-01. */
  async function seed(newAt: string): Promise<void> {
    await manifest("support-bot", "c2f47069e7bc", "2026-02-01T00:00:00Z");
    await manifest("support-bot-qlora", "cd5f80f0dd4a", "2026-02-01T00:00:00Z");
    for (const [name, runId] of [["support-bot", "012345678901"], ["support-bot-qlora", "0abc00000def"]] as const) {
      await manifest(name, runId, newAt);
      await put(`adapters/${name}/${runId}/_SUCCESS`, "");
    }
  }
  const check = (...extra: string[]) => promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--check-store", "--store-endpoint", endpoint, ...extra);

  it("accepts complete runs on the right base and writes the target", async () => {
    await seed("2026-03-01T00:00:00Z");
    const run = await check();
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain(`store check ok: 2 adapter(s) complete in s3://${bucket} with matching base models`);
    expect(read(dir, "workloads-prod")).toBe(readFileSync(join(GOLDEN, "Pulumi.workloads-prod.promoted.yaml"), "utf8"));
  });

  it("refuses a downgrade by manifest createdAt (exit 2) unless --allow-downgrade", async () => {
    await seed("2026-01-01T00:00:00Z");
    const run = await check();
    expect(run.code).toBe(2);
    expect(run.err).toContain("refused: downgrade (pass --allow-downgrade to roll back on purpose); nothing written:");
    expect(run.err).toContain("support-bot: 012345678901 (published 2026-01-01T00:00:00Z) is older than the pinned c2f47069e7bc (published 2026-02-01T00:00:00Z)");
    expect(read(dir, "workloads-prod")).toBe(fixture("workloads-prod"));

    const allowed = await check("--allow-downgrade");
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain("warning: allowed downgrade: support-bot: 012345678901");
    expect(read(dir, "workloads-prod")).not.toBe(fixture("workloads-prod"));
  });

  it("fails (exit 1) when _SUCCESS is missing or the manifest's base differs, writing nothing", async () => {
    await seed("2026-03-01T00:00:00Z");
    await store.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "adapters/support-bot/012345678901/_SUCCESS" }));
    await manifest("support-bot-qlora", "0abc00000def", "2026-03-01T00:00:00Z", { baseModel: { ...base, revision: "0000000000000000000000000000000000000000" } });
    const run = await check();
    expect(run.code).toBe(1);
    expect(run.err).toContain(`support-bot@012345678901: s3://${bucket}/adapters/support-bot/012345678901/_SUCCESS is missing`);
    expect(run.err).toContain(`support-bot-qlora@0abc00000def: manifest base model`);
    expect(run.err).toContain(`does not match workloads-prod's model "qwen2-5-7b"`);
    expect(read(dir, "workloads-prod")).toBe(fixture("workloads-prod"));
  });

  it("fails (exit 1) when the store cannot be reached", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--check-store", "--store-endpoint", closed);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^store check failed: .+; nothing written$/);
    expect(read(dir, "workloads-prod")).toBe(fixture("workloads-prod"));
  });

  // ---------------------------------------------------------------- evaluation gates (gitops/gates.ts)

  /** llmkit:release.gates inserted into a fixture's release block (after its adapters). */
  const GATES = [
    "    gates:",
    "      - metric: heldout.loss",
    "        maxRegression: { vsPinned: 0.05, vsBase: 0 }",
    "      - metric: suite.faq.exactMatch",
    "        adapters: [support-bot]",
    "        min: 0.5",
    "      - metric: suite.faq.rougeL # a perfect score on the suite means it leaked into training",
    "        adapters: [support-bot]",
    "        max: 0.95",
    "",
  ].join("\n");
  function gated(stack: string, before: string, gates = GATES): string {
    const text = read(dir, stack);
    expect(text).toContain(before);
    const edited = text.replace(before, gates + before);
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), edited);
    return edited;
  }
  const gatedProd = () => gated("workloads-prod", "  # provider settings after the release block stay byte-identical\n");
  const loss = (adapter: number, base: number | null = 1.9) => ({ adapter, base, better: "lower", samples: 40 });
  const score = (adapter: number, base: number | null) => ({ adapter, base, better: "higher", samples: 25 });
  const PINNED = {
    "support-bot": { "heldout.loss": loss(1.2), "suite.faq.exactMatch": score(0.6, 0.41), "suite.faq.rougeL": score(0.7, 0.5) },
    "support-bot-qlora": { "heldout.loss": loss(1.3) },
  };
  /** The pinned runs (published 2026-02-01) and the incoming ones (2026-03-01, complete) with these evaluations. */
  async function seedEvaluated(incoming: Record<"support-bot" | "support-bot-qlora", object | undefined>, pinned: Record<string, object | undefined> = PINNED): Promise<void> {
    const old = { "support-bot": "c2f47069e7bc", "support-bot-qlora": "cd5f80f0dd4a" } as const;
    const now = { "support-bot": "012345678901", "support-bot-qlora": "0abc00000def" } as const;
    for (const name of ["support-bot", "support-bot-qlora"] as const) {
      await manifest(name, old[name], "2026-02-01T00:00:00Z", pinned[name] === undefined ? {} : { evaluation: pinned[name] });
      await manifest(name, now[name], "2026-03-01T00:00:00Z", incoming[name] === undefined ? {} : { evaluation: incoming[name] });
      await put(`adapters/${name}/${now[name]}/_SUCCESS`, "");
    }
  }
  const BETTER = {
    "support-bot": { "heldout.loss": loss(1.15), "suite.faq.exactMatch": score(0.62, 0.41), "suite.faq.rougeL": score(0.8, 0.5) },
    "support-bot-qlora": { "heldout.loss": loss(1.33) }, // 0.03 worse than pinned: within vsPinned 0.05
  };
  // every bound broken once: vsPinned (support-bot loss), min, max, vsBase and vsPinned (qlora loss)
  const WORSE = {
    "support-bot": { "heldout.loss": loss(1.3), "suite.faq.exactMatch": score(0.45, 0.41), "suite.faq.rougeL": score(0.97, 0.5) },
    "support-bot-qlora": { "heldout.loss": loss(1.95) },
  };

  it("gates pass: prints the table per adapter (old → new, delta) and writes the target", async () => {
    gatedProd();
    await seedEvaluated(BETTER);
    const run = await check();
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    golden("gates-pass.out.txt", run.out + "\n");
  });

  it("gates fail on min, max, vsPinned and vsBase: exit 2, every failure listed, nothing written", async () => {
    const text = gatedProd();
    await seedEvaluated(WORSE);
    const run = await check();
    expect(run.code).toBe(2);
    golden("gates-fail.out.txt", `${run.out}\n--- stderr\n${run.err}\n`);
    expect(run.err.split("\n")).toEqual([
      'refused: 4 evaluation gate(s) failed; to promote anyway pass --allow-regression <metric> --reason "<why>"; nothing written:',
      "  - support-bot@012345678901: heldout.loss = 1.3000: 0.1000 worse than pinned (allowed 0.05)",
      "  - support-bot@012345678901: suite.faq.exactMatch = 0.4500: below min 0.5",
      "  - support-bot@012345678901: suite.faq.rougeL = 0.9700: above max 0.95",
      "  - support-bot-qlora@0abc00000def: heldout.loss = 1.9500: 0.6500 worse than pinned (allowed 0.05); 0.0500 worse than base (allowed 0)",
    ]);
    expect(read(dir, "workloads-prod")).toBe(text);
  });

  it("--allow-regression admits the named metrics' failures with the reason in the output; the others still refuse", async () => {
    const text = gatedProd();
    await seedEvaluated(WORSE);
    const partial = await check("--allow-regression", "heldout.loss", "--reason", "new safety data; loss measured on a harder split");
    expect(partial.code).toBe(2);
    expect(partial.err).toContain("refused: 2 evaluation gate(s) failed;");
    expect(partial.err).not.toContain("heldout.loss");
    expect(read(dir, "workloads-prod")).toBe(text);

    const all = ["heldout.loss", "suite.faq.exactMatch", "suite.faq.rougeL"].flatMap((m) => ["--allow-regression", m]);
    const run = await check(...all, "--reason", "new safety data; loss measured on a harder split");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    golden("gates-override.out.txt", run.out + "\n");
    expect(read(dir, "workloads-prod")).not.toBe(text);
  });

  it("the shipped workloads-prod gates: vsPinned skipped while its pins predate evaluation, vsBase applied", async () => {
    copyFileSync(join(STACKS_DIR, "Pulumi.workloads-prod.yaml"), join(dir, "Pulumi.workloads-prod.yaml"));
    await seedEvaluated({ "support-bot": { "heldout.loss": loss(1.1) }, "support-bot-qlora": { "heldout.loss": loss(2.1) } }, {});
    const run = await check("--dry-run");
    expect(run.code).toBe(2);
    expect(run.out).toContain("  heldout.loss  —       1.1000  1.9000  vsPinned 0.05, vsBase 0  pass: vsPinned not checked: pinned run c2f47069e7bc records no heldout.loss");
    expect(run.err.split("\n").slice(1)).toEqual(["  - support-bot-qlora@0abc00000def: heldout.loss = 2.1000: 0.2000 worse than base (allowed 0)"]);
  });

  it("warns when the pinned run's manifest is unreadable and skips only its vsPinned checks", async () => {
    gatedProd();
    await seedEvaluated(BETTER);
    await store.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "adapters/support-bot/c2f47069e7bc/manifest.json" }));
    await put("adapters/support-bot-qlora/cd5f80f0dd4a/manifest.json", "{");
    const run = await check("--dry-run");
    expect(run.code).toBe(0);
    expect(run.out).toContain("pass: vsPinned not checked: pinned run c2f47069e7bc records no heldout.loss");
    expect(run.out).toContain(
      [
        "warning: support-bot: the pinned run c2f47069e7bc's manifest.json is missing: its vsPinned gates are not checked",
        "warning: support-bot-qlora: the pinned run cd5f80f0dd4a's manifest.json is invalid (it is not JSON): its vsPinned gates are not checked",
      ].join("\n"),
    );
  });

  it("an --allow-regression whose gates pass allows nothing and says so", async () => {
    gatedProd();
    await seedEvaluated(BETTER);
    const run = await check("--allow-regression", "heldout.loss", "--reason", "just in case");
    expect(run.code).toBe(0);
    expect(run.out).toContain("note: --allow-regression heldout.loss: no gate on it failed, nothing to allow\nevaluation gates ok: 4 check(s) on 2 adapter(s)");
    expect(run.out).not.toContain("just in case");
  });

  it("refuses a gated metric missing from the new manifest, saying why (no evaluation at all; valRatio 0)", async () => {
    const text = gatedProd();
    await seedEvaluated({ "support-bot": undefined, "support-bot-qlora": { "suite.faq.exactMatch": score(0.7, 0.4) } });
    const run = await check();
    expect(run.code).toBe(2);
    expect(run.out).toContain("  heldout.loss          1.2000  missing  —     vsPinned 0.05, vsBase 0  FAIL: missing from the new run's manifest");
    expect(run.err.split("\n").slice(1)).toEqual([
      "  - support-bot@012345678901: heldout.loss not in the manifest, which has no evaluation (published before llmkit recorded evaluation in manifests): retrain the run to measure it",
      "  - support-bot@012345678901: suite.faq.exactMatch not in the manifest, which has no evaluation (published before llmkit recorded evaluation in manifests): retrain the run to measure it",
      "  - support-bot@012345678901: suite.faq.rougeL not in the manifest, which has no evaluation (published before llmkit recorded evaluation in manifests): retrain the run to measure it",
      "  - support-bot-qlora@0abc00000def: heldout.loss not in the manifest (it records suite.faq.exactMatch): the run evaluated nothing on a held-out split (its fine-tune's valRatio is 0): set valRatio > 0 and retrain",
    ]);
    expect(read(dir, "workloads-prod")).toBe(text);
  });

  it("a first promotion and a pinned run without evaluation skip vsPinned (shown as —) and still apply the other bounds", async () => {
    gated("workloads-staging", "  pulumi:disable-default-providers", ["    gates:", "      - metric: heldout.loss", "        max: 1.5", "        maxRegression: { vsPinned: 0 }", ""].join("\n"));
    await seedEvaluated({ "support-bot": { "heldout.loss": loss(1.4) }, "support-bot-qlora": { "heldout.loss": loss(1.45) } }, {});
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-staging", "--check-store", "--store-endpoint", endpoint);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out.split("\n").slice(-9)).toEqual([
      "evaluation gates of workloads-staging (llmkit:release.gates):",
      "support-bot: c2f47069e7bc → 012345678901",
      "  metric        pinned  new     base    gate                 verdict",
      "  heldout.loss  —       1.4000  1.9000  max 1.5, vsPinned 0  pass: vsPinned not checked: pinned run c2f47069e7bc records no heldout.loss",
      "support-bot-qlora: first promotion → 0abc00000def",
      "  metric        pinned  new     base    gate                 verdict",
      "  heldout.loss  —       1.4500  1.9000  max 1.5, vsPinned 0  pass: vsPinned not checked: no pinned run",
      "evaluation gates ok: 2 check(s) on 2 adapter(s)",
      "wrote <stacks>/Pulumi.workloads-staging.yaml",
    ]);
  });

  it.each([
    [["--allow-regression", "heldout.loss"], '--allow-regression needs --reason "<why>": the reason goes into the promotion pull request'],
    [["--allow-regression", "heldout.loss", "--reason", "  "], '--allow-regression needs --reason "<why>"'],
    [["--reason", "because"], "--reason applies only with --allow-regression"],
    [["--allow-regression", "loss", "--reason", "because"], "--allow-regression loss: not a metric name"],
    [["--allow-regression", "suite.other.rougeL", "--reason", "because"], "refused: --allow-regression suite.other.rougeL: no gate of workloads-prod's llmkit:release.gates names it (gated: heldout.loss, suite.faq.exactMatch, suite.faq.rougeL); nothing written"],
  ])("refuses the override %j with exit 2 before reading the store", async (args, message) => {
    const text = gatedProd();
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--check-store", "--store-endpoint", `http://127.0.0.1:${await freePort()}`, ...args);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(read(dir, "workloads-prod")).toBe(text);
  });

  it("without --check-store gates are not evaluated, and the command says so", async () => {
    gatedProd();
    const run = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--dry-run");
    expect(run.code).toBe(0);
    expect(run.out).toContain("note: evaluation gates not evaluated (workloads-prod has 3 in llmkit:release.gates): pass --check-store to apply them");
    const override = await promote(dir, "--from", "workloads-dev", "--to", "workloads-prod", "--allow-regression", "heldout.loss", "--reason", "x");
    expect([override.code, override.err]).toEqual([2, expect.stringContaining("--allow-regression needs --check-store")]);
  });
});
