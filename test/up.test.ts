/** `npm run up` argument handling and workspace settings (the deploy itself needs a Pulumi CLI). */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureLocalState, parseUpArgs, workspaceEnv } from "../cli/up.ts";

describe("parseUpArgs", () => {
  it("defaults to up", () => {
    expect(parseUpArgs(["--stack", "local"])).toEqual({ stack: "local", action: "up", yes: false });
  });
  it("reads preview, backend and the short stack flag", () => {
    expect(parseUpArgs(["-s", "local", "--preview", "--backend", "file:///tmp/x"])).toEqual({
      stack: "local",
      action: "preview",
      yes: false,
      backend: "file:///tmp/x",
    });
  });
  it("needs --yes to destroy", () => {
    expect(() => parseUpArgs(["--stack", "local", "--destroy"])).toThrow(/add --yes to confirm/);
    expect(parseUpArgs(["--stack", "local", "--destroy", "--yes"]).action).toBe("destroy");
  });
  it.each([
    [[], /--stack is required/],
    [["--stack", "local", "--preview", "--destroy", "--yes"], /cannot be combined/],
    [["--stack", "local", "--force"], /Unknown option '--force'/],
    [["local"], /Unexpected argument 'local'/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseUpArgs(argv)).toThrow(message);
  });
});

describe("workspaceEnv", () => {
  const args = parseUpArgs(["--stack", "local"]);
  it("keeps state and passphrase under .pulumi by default", () => {
    expect(workspaceEnv("/repo", args, {})).toEqual({
      PULUMI_BACKEND_URL: "file:///repo/.pulumi/state",
      PULUMI_CONFIG_PASSPHRASE_FILE: "/repo/.pulumi/passphrase",
    });
  });
  it("lets the environment choose backend and passphrase", () => {
    expect(workspaceEnv("/repo", args, { PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "x" })).toEqual({
      PULUMI_BACKEND_URL: "s3://state",
    });
    expect(workspaceEnv("/repo", args, { PULUMI_CONFIG_PASSPHRASE_FILE: "/secrets/p" })).toEqual({
      PULUMI_BACKEND_URL: "file:///repo/.pulumi/state",
      PULUMI_CONFIG_PASSPHRASE_FILE: "/secrets/p",
    });
  });
  it("prefers --backend over the environment", () => {
    const withBackend = parseUpArgs(["--stack", "local", "--backend", "file:///elsewhere"]);
    expect(workspaceEnv("/repo", withBackend, { PULUMI_BACKEND_URL: "s3://state" }).PULUMI_BACKEND_URL).toBe("file:///elsewhere");
  });
});

describe("ensureLocalState", () => {
  it("creates the state folder and a private passphrase once, never overwriting it", () => {
    const root = mkdtempSync(join(tmpdir(), "llmkit-up-"));
    const env = workspaceEnv(root, parseUpArgs(["--stack", "local"]), {});
    ensureLocalState(env);
    const file = env.PULUMI_CONFIG_PASSPHRASE_FILE!;
    const first = readFileSync(file, "utf8");
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, ".pulumi/state")).isDirectory()).toBe(true);
    ensureLocalState(env);
    expect(readFileSync(file, "utf8")).toBe(first);
  });
  it("keeps a passphrase the user already has", () => {
    const root = mkdtempSync(join(tmpdir(), "llmkit-up-"));
    const file = join(root, "mine");
    writeFileSync(file, "my-passphrase");
    ensureLocalState({ PULUMI_BACKEND_URL: `file://${root}/state`, PULUMI_CONFIG_PASSPHRASE_FILE: file });
    expect(readFileSync(file, "utf8")).toBe("my-passphrase");
  });
});
