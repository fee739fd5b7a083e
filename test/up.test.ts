/** `npm run up` argument handling and workspace settings (the deploy itself needs a Pulumi CLI). */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubeContext } from "../cli/kube-context.ts";
import { ensureLocalState, failureSummary, parseUpArgs, policyEnv, workspaceEnv } from "../cli/up.ts";
import { workspaceProjectFile, workspaceStackFile } from "../cli/workspace.ts";

describe("parseUpArgs", () => {
  it("defaults to up", () => {
    expect(parseUpArgs(["--stack", "local"])).toEqual({ stack: "local", action: "up", yes: false, expectNoChanges: false, retry: true });
  });
  it("reads preview, backend, stacks dir, the drift check and the short stack flag", () => {
    expect(parseUpArgs(["-s", "local", "--preview", "--backend", "file:///tmp/x", "--stacks-dir", "/srv/stacks", "--expect-no-changes"])).toEqual({
      stack: "local",
      action: "preview",
      yes: false,
      expectNoChanges: true,
      retry: true,
      backend: "file:///tmp/x",
      stacksDir: "/srv/stacks",
    });
  });
  it("needs --yes to destroy", () => {
    expect(() => parseUpArgs(["--stack", "local", "--destroy"])).toThrow(/add --yes to confirm/);
    expect(parseUpArgs(["--stack", "local", "--destroy", "--yes"]).action).toBe("destroy");
  });
  it.each([
    [[], /--stack is required/],
    [["--stack", "local", "--preview", "--destroy", "--yes"], /cannot be combined/],
    [["--stack", "local", "--destroy", "--yes", "--expect-no-changes"], /does not apply to --destroy/],
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

describe("workspaceStackFile", () => {
  const source = "# reviewed in git\nconfig:\n  llmkit:env: local\n";
  it("copies the stack file as it is the first time", () => {
    expect(workspaceStackFile(source, undefined)).toBe(source);
  });
  it("keeps the salt `pulumi stack init` wrote into the previous copy, and only the secrets-provider keys", () => {
    const previous = "encryptionsalt: v1:abc:def\nsecretsprovider: passphrase\nconfig:\n  llmkit:env: stale\n";
    expect(workspaceStackFile(source, previous)).toBe(`${source}secretsprovider: passphrase\nencryptionsalt: v1:abc:def\n`);
  });
  it("lets the stack file's own secrets provider win", () => {
    const own = "secretsprovider: awskms://alias/llmkit\nconfig:\n  llmkit:env: prod\n";
    expect(workspaceStackFile(own, "secretsprovider: passphrase\n")).toBe(own);
  });
});

describe("workspaceProjectFile", () => {
  it("drops main and stackConfigDir (inline program, copies beside the project file)", () => {
    const project = "name: llmkit\nruntime:\n  name: nodejs\nmain: index.ts\nstackConfigDir: stacks\n";
    expect(workspaceProjectFile(project)).toBe("name: llmkit\nruntime:\n  name: nodejs\n");
  });
});

describe("policyEnv", () => {
  it("follows the stack's env unless LLMKIT_POLICY_ENV is set", () => {
    expect(policyEnv("local", {})).toBe("local");
    expect(policyEnv("local", { LLMKIT_POLICY_ENV: "" })).toBe("local");
    expect(policyEnv("dev", { LLMKIT_POLICY_ENV: "prod" })).toBe("prod");
  });
});

describe("kubeContext", () => {
  const dir = mkdtempSync(join(tmpdir(), "llmkit-kubeconfig-"));
  const none = join(dir, "none.yaml");
  const other = join(dir, "other.yaml");
  writeFileSync(none, "apiVersion: v1\nkind: Config\n");
  writeFileSync(other, "apiVersion: v1\nkind: Config\ncurrent-context: kind-llmkit\n");
  it("reads the first current-context of the KUBECONFIG list, as kubectl does", () => {
    expect(kubeContext({ KUBECONFIG: `${join(dir, "missing")}:${none}:${other}` })).toBe("kind-llmkit");
  });
  it("falls back to ~/.kube/config, and is undefined without one", () => {
    expect(kubeContext({}, dir)).toBeUndefined();
    mkdirSync(join(dir, ".kube"));
    copyFileSync(other, join(dir, ".kube", "config"));
    expect(kubeContext({}, dir)).toBe("kind-llmkit");
  });
});

describe("failureSummary", () => {
  it("keeps the CLI's error lines of an Automation API CommandError, once each", () => {
    const message = [
      "code: -2",
      " stdout: Previewing update (local):",
      " stderr: Command failed with exit code 1: pulumi preview --stack local",
      "warning: using pulumi-analyzer-policy-nodejs from $PATH",
      "error: no resource plugin 'pulumi-resource-kubernetes' found",
      " err?: Error: Command failed with exit code 1",
      "error: no resource plugin 'pulumi-resource-kubernetes' found",
    ].join("\n");
    expect(failureSummary(message)).toBe("no resource plugin 'pulumi-resource-kubernetes' found");
  });
  it("passes other messages through", () => {
    expect(failureSummary("the Pulumi CLI was not found on PATH")).toBe("the Pulumi CLI was not found on PATH");
  });
});
