/**
 * Every bad config of test/bad-configs.ts, end to end: as a stack file, `npm run render` prints
 * each problem and exits 2 without writing anything, and the program itself (as `pulumi up` runs
 * it) fails with the same ConfigError before registering a single resource.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { cli } from "../cli/render.ts";
import { ConfigError, projectRoot, stackFilePath } from "../config/load.ts";
import { BAD_CONFIGS, type Raw } from "./bad-configs.ts";
import { runWithConfig } from "../render/harness.ts";
import { readEngineConfig } from "../render/stack-config.ts";

const TMP = mkdtempSync(join(tmpdir(), "llmkit-refusal-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
// A project of its own: stacks/ here, and a copy of the file the local stack uploads
// (datasets[].upload paths are relative to the folder holding stacks/; a link leading out of
// the project is refused, so a copy, not a symlink).
const DIR = join(TMP, "stacks");
mkdirSync(DIR);
mkdirSync(join(TMP, "data/support"), { recursive: true });
copyFileSync(join(projectRoot(), "data/support/train.jsonl"), join(TMP, "data/support/train.jsonl"));
// Workloads cases are checked against their platform stack, read from the same folder.
copyFileSync(stackFilePath("platform-dev"), join(DIR, "Pulumi.platform-dev.yaml"));

function writeStack(name: string, raw: Raw): void {
  const config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [`llmkit:${k}`, v]));
  writeFileSync(stackFilePath(name, DIR), stringify({ config }));
}

async function renderCli(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    const code = await cli(args);
    return { code, stderr: err.mock.calls.map((c) => c.join(" ")).join("\n"), stdout: log.mock.calls.map((c) => c.join(" ")).join("\n") };
  } finally {
    err.mockRestore();
    log.mockRestore();
  }
}

describe.each(BAD_CONFIGS.map((c, i) => ({ ...c, file: `bad-${i}` })))("$name", ({ file, raw, problems }) => {
  writeStack(file, raw);

  it("render prints every problem with its path and exits 2, writing nothing", async () => {
    const out = join(TMP, "out", file);
    const r = await renderCli(["--stack", file, "--stacks-dir", DIR, "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    // upload paths are named from this project's root, not the repository's
    const expected = problems.map((p) => `  - ${p.replaceAll(projectRoot(), TMP)}`);
    expect(r.stderr.split("\n")).toEqual([`stack "${file}" has ${problems.length} config error(s):`, ...expected]);
    expect(existsSync(out)).toBe(false);
  });

  it("the program refuses it before registering any resource", async () => {
    const run = await runWithConfig(file, readEngineConfig(file, DIR), { stacksDir: DIR });
    expect(run.error).toBeInstanceOf(ConfigError);
    // The engine marks whole top-level keys secret, so the program names the key, not the leaf.
    const expected = problems.map((p) => p.replace(/^(llmkit:\w+)\S*(: is a secure value)/, "$1$2"));
    expect((run.error as ConfigError).problems).toEqual(expected);
    expect(run.resources).toEqual([]);
  });
});
