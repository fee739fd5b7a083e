/**
 * `aws:region` (the AWS provider's region, pulumi/pulumi-aws provider config) must equal
 * `llmkit:platform.region`: the loader refuses a stack file where they differ, so render exits 2
 * and the program registers nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { cli } from "../cli/render.ts";
import { runWithConfig } from "../render/harness.ts";
import { readEngineConfig } from "../render/stack-config.ts";
import { ConfigError, loadStackFile, providerConfigProblems, stackFilePath } from "./load.ts";

const DIR = mkdtempSync(join(tmpdir(), "llmkit-provider-config-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const PROBLEM =
  'aws:region: "us-east-1" differs from llmkit:platform.region "us-west-2": the AWS provider would build in us-east-1 ' +
  "what pool zones, the contract and the workloads' store address place in us-west-2: set aws:region to us-west-2";

/** platform-dev with its aws:region changed (or removed). */
function writePlatformDev(name: string, region: string | undefined): void {
  const doc = parse(readFileSync(stackFilePath("platform-dev"), "utf8")) as { config: Record<string, unknown> };
  if (region === undefined) delete doc.config["aws:region"];
  else doc.config["aws:region"] = region;
  writeFileSync(stackFilePath(name, DIR), stringify(doc));
}

describe("providerConfigProblems", () => {
  const platform = loadStackFile("platform-dev").platform;
  it("accepts the same region, or none (the provider's own default applies)", () => {
    expect(providerConfigProblems({ "aws:region": "us-west-2" }, platform)).toEqual([]);
    expect(providerConfigProblems({}, platform)).toEqual([]);
  });
  it("ignores aws:region for platforms not on AWS", () => {
    expect(providerConfigProblems({ "aws:region": "us-east-1" }, loadStackFile("local").platform)).toEqual([]);
  });
  it("refuses a different region", () => {
    expect(providerConfigProblems({ "aws:region": "us-east-1" }, platform)).toEqual([PROBLEM]);
  });
});

describe("a stack file whose aws:region differs from platform.region", () => {
  writePlatformDev("split-region", "us-east-1");
  writePlatformDev("no-region", undefined);

  it("is refused by the loader", () => {
    expect(() => loadStackFile("split-region", DIR)).toThrow(ConfigError);
    try {
      loadStackFile("split-region", DIR);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([PROBLEM]);
    }
    expect(loadStackFile("no-region", DIR).platform.provider).toBe("aws");
  });

  it("makes render exit 2 with the problem", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await cli(["--stack", "split-region", "--stacks-dir", DIR, "--out", join(DIR, "out")])).toBe(2);
      expect(err.mock.calls.map((c) => c.join(" ")).join("\n")).toBe(`stack "split-region" has 1 config error(s):\n  - ${PROBLEM}`);
    } finally {
      err.mockRestore();
    }
  });

  it("makes the program refuse before registering anything", async () => {
    const run = await runWithConfig("split-region", readEngineConfig("split-region", DIR), { stacksDir: DIR });
    expect(run.error).toBeInstanceOf(ConfigError);
    expect((run.error as ConfigError).problems).toEqual([PROBLEM]);
    expect(run.resources).toEqual([]);
  });
});
