/** `npm run render`, run for real as a child process. */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stackFilePath } from "../config/load.ts";
import { crdsAvailable } from "../render/schemas/crds.ts";

const ROOT = resolve(import.meta.dirname, "..");
const TMP = mkdtempSync(join(tmpdir(), "llmkit-render-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function render(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "cli/render.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("render CLI", () => {
  it("writes one manifest per object and resources.json, secrets redacted, and a summary", async () => {
    const out = join(TMP, "good");
    const r = await render(["--stack", "workloads-dev", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const files = readdirSync(join(out, "manifests")).sort();
    expect(files).toContain("llmkit.deployment.chat.yaml");
    expect(files).toContain("llmkit.secret.chat-api-key.yaml");
    expect(files.every((f) => /^llmkit\.[a-z]+\.[a-z0-9.-]+\.yaml$/.test(f))).toBe(true);

    const secret = parse(readFileSync(join(out, "manifests", "llmkit.secret.chat-api-key.yaml"), "utf8"));
    expect(Object.keys(secret).slice(0, 3)).toEqual(["apiVersion", "kind", "metadata"]);
    expect(secret.stringData).toBe("[secret]");

    const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as { type: string; name: string; parent: unknown; inputs: unknown }[];
    expect(resources.every((x) => Object.keys(x).join() === "type,name,parent,inputs")).toBe(true);
    expect(resources.filter((x) => x.type.startsWith("kubernetes:")).length).toBe(files.length);
    expect(JSON.stringify(resources)).not.toContain("mock-password-");

    expect(r.stdout).toMatch(/^warning: llmkit:fineTunes\[1\]: oversized: needs ~12\.4 GiB per GPU of pool "training-l40s"'s 48\.0 GiB; /);
    // vLLM and the chat UI
    expect(r.stdout).toContain("2  kubernetes:apps/v1:Deployment\n");
    // with ../shared every object has a schema; without it every add-on object (Gateway API, Envoy
    // Gateway, KEDA, Prometheus Operator) is skipped with a note (render/validate.ts)
    const addonKinds = files.filter((f) => /^llmkit\.(gateway|httproute|securitypolicy|backendtrafficpolicy|httproutefilter|scaledobject|prometheusrule|servicemonitor)\./.test(f)).length;
    const counts = crdsAvailable()
      ? `${files.length} valid, 0 invalid, 0 skipped, 0 allowed without schema`
      : `${files.length - addonKinds} valid, 0 invalid, ${addonKinds} skipped, 0 allowed without schema`;
    expect(r.stdout).toContain(`${resources.length} resources; ${files.length} Kubernetes objects: ${counts}`);
  });

  it("prints each config problem and exits 2, without a stack trace", async () => {
    const stacks = join(TMP, "stacks");
    const out = join(TMP, "bad");
    rmSync(stacks, { recursive: true, force: true });
    mkdirSync(stacks);
    copyFileSync(stackFilePath("platform-dev"), join(stacks, "Pulumi.platform-dev.yaml"));
    const good = readFileSync(stackFilePath("workloads-dev"), "utf8");
    writeFileSync(join(stacks, "Pulumi.broken.yaml"), good.replace("llmkit:env: dev", "llmkit:env: qa").replace("gpus: 1", "gpuz: 1"));
    const r = await render(["--stack", "broken", "--stacks-dir", stacks, "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^stack "broken" has \d+ config error\(s\):\n/);
    expect(r.stderr).toContain('  - llmkit:env: must be one of "local", "dev", "staging", "prod", got string "qa"');
    expect(r.stderr).toMatch(/llmkit:fineTunes\[0\]: unknown key "gpuz"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses an unknown stack and bad usage with exit 2", async () => {
    const [unknown, usage] = await Promise.all([render(["--stack", "nope", "--out", join(TMP, "nope")]), render(["--stak", "local"])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown stack "nope": .*Pulumi\.nope\.yaml does not exist \(stacks: local, platform-dev/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage: npm run render -- --stack <name>");
  });
});
