/**
 * `llmkit status|logs|chat` without a cluster: usage and config refusals (exit 2), `--help` on
 * every command, the chat request and its streamed answer against a fake OpenAI-compatible SSE
 * server on loopback, and status reading a real S3-compatible server (test/s3-server.ts) while the
 * API server is unreachable (exit 1, the store's part still printed). The cluster parts run against
 * a real API server in e2e/cluster/ops-checks.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli as chat } from "../cli/chat.ts";
import { main } from "../cli/llmkit.ts";
import { cli as logs } from "../cli/logs.ts";
import { cli as status } from "../cli/status.ts";
import { sseData } from "../ops/chat.ts";
import { stackTargets } from "../ops/targets.ts";
import { loadStackFile } from "../config/load.ts";
import { capture } from "./capture.ts";
import { freePort, startS3Server, storeClient, type S3Server } from "./s3-server.ts";

const scratch = mkdtempSync(join(tmpdir(), "llmkit-ops-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** An environment with no kube context at all. */
const NO_KUBE = { HOME: scratch, PATH: process.env.PATH ?? "" };

describe("--help and refusals", () => {
  it("prints --help for every command, with llmkit in the usage line", async () => {
    for (const command of ["status", "logs", "chat"]) {
      const r = await capture((print, printErr) => main([command, "--help"], print, printErr));
      expect(r.code).toBe(0);
      expect(r.out.join("\n")).toContain(`usage: llmkit ${command} `);
    }
    const top = await capture((print, printErr) => main(["--help"], print, printErr));
    expect(top.out.join("\n")).toMatch(/ status +runs in the store/);
  });

  it("refuses an unknown stack, a missing fine-tune or prompt, and a missing kube context, with exit 2", async () => {
    const unknown = await capture((p, e) => status(["--stack", "nope"], p, e, { env: NO_KUBE }));
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toMatch(/^unknown stack "nope": .*Pulumi\.nope\.yaml does not exist \(stacks: local, /);

    const ft = await capture((p, e) => logs(["nope", "--stack", "local"], p, e, process.stdout, NO_KUBE));
    expect(ft).toMatchObject({ code: 2, err: ['unknown fine-tune "nope" in stack local (fine-tunes: support-bot)'] });

    const noName = await capture((p, e) => logs(["--stack", "local"], p, e, process.stdout, NO_KUBE));
    expect(noName.code).toBe(2);
    expect(noName.err[0]).toMatch(/^name the fine-tune: llmkit logs <fine-tune> --stack <name>\nusage: /);

    const noCtx = await capture((p, e) => status(["--stack", "local"], p, e, { env: NO_KUBE }));
    expect(noCtx.code).toBe(2);
    expect(noCtx.err).toEqual([
      "no kube context: KUBECONFIG is unset and ~/.kube/config does not exist: point KUBECONFIG at the cluster's kubeconfig (aws: `aws eks update-kubeconfig --name <cluster>`) or pass --kubeconfig",
    ]);

    const noPrompt = await capture((p, e) => chat(["--stack", "local"], p, e, { env: NO_KUBE }));
    expect(noPrompt.code).toBe(2);

    const adapter = await capture((p, e) => chat(["--stack", "local", "--adapter", "x", "hi"], p, e, { env: NO_KUBE }));
    expect(adapter).toMatchObject({ code: 2, err: ['service chat serves no adapter "x" (served models: qwen2-5-0-5b, support-bot; an adapter is served once llmkit:release pins it)'] });

    const svc = await capture((p, e) => chat(["--stack", "workloads-prod", "--service", "reranker", "hi"], p, e, { env: NO_KUBE }));
    expect(svc.code).toBe(2);
    expect(svc.err[0]).toMatch(/^service reranker runs a custom image/);

    const jwtless = await capture((p, e) => chat(["--stack", "workloads-prod", "--service", "chat", "--url", "https://chat.llmkit.example.com/v1", "--client", "nobody", "hi"], p, e, { env: NO_KUBE }));
    expect(jwtless).toMatchObject({ code: 2, err: ["--client nobody: service chat admits support-web, support-batch"] });
  });
});

describe("sseData", () => {
  it("splits events at blank lines whatever the chunking, joins multi-line data, skips comments", async () => {
    const text = ': keep-alive\r\n\r\ndata: {"a":1}\n\ndata: x\ndata: y\n\ndata: [DONE]\n\n';
    for (const size of [1, 3, 7, text.length]) {
      const chunks: Uint8Array[] = [];
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
      const got: string[] = [];
      for await (const d of sseData(chunks)) got.push(d);
      expect(got).toEqual(['{"a":1}', "x\ny", "[DONE]"]);
    }
  });
});

describe("chat against a fake OpenAI-compatible server", () => {
  let server: Server;
  let url: string;
  const requests: { auth?: string; body: Record<string, unknown>; path?: string }[] = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        requests.push({ auth: req.headers.authorization, body: parsed, path: req.url });
        if (req.headers.authorization !== "Bearer good-key") {
          res.writeHead(401, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message: "Unauthorized" } }));
          return;
        }
        res.writeHead(200, { "content-type": "text/event-stream" });
        const pieces = ["Hel", "lo", " there"];
        for (const [i, p] of pieces.entries()) {
          res.write(`data: ${JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content: p } : { content: p }, finish_reason: null }] })}\n\n`);
        }
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "length" }] })}\n\ndata: [DONE]\n\n`);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("streams the answer of the default model (the first pinned adapter) with the key from LLMKIT_API_KEY", async () => {
    const written: string[] = [];
    const r = await capture((p, e) => chat(["--stack", "local", "--url", url, "--max-tokens", "5", "Say", "hi"], p, e, { env: { ...NO_KUBE, LLMKIT_API_KEY: "good-key" }, write: (t) => void written.push(t) }));
    expect(r.code).toBe(0);
    expect(written).toEqual(["Hel", "lo", " there", "\n"]);
    expect(r.err).toEqual([`chat · model support-bot · ${url}/v1`, "(stopped at the token limit: --max-tokens, or the service's max model length)"]);
    expect(requests.at(-1)).toEqual({
      auth: "Bearer good-key",
      path: "/v1/chat/completions",
      body: { model: "support-bot", messages: [{ role: "user", content: "Say hi" }], stream: true, max_tokens: 5 },
    });
  });

  it("sends the base model with --base, and fails with exit 1 and the server's message when the key is refused", async () => {
    const r = await capture((p, e) => chat(["--stack", "local", "--url", `${url}/v1/`, "--base", "hi"], p, e, { env: { ...NO_KUBE, LLMKIT_API_KEY: "bad" }, write: () => {} }));
    expect(requests.at(-1)?.body.model).toBe("qwen2-5-0-5b");
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toBe(`llmkit chat failed: 401 Unauthorized from ${url}/v1/chat/completions: Unauthorized (the API key was refused)`);
  });

  it("says the address does not answer (exit 1)", async () => {
    const port = await freePort();
    const r = await capture((p, e) => chat(["--stack", "local", "--url", `http://127.0.0.1:${port}`, "hi"], p, e, { env: { ...NO_KUBE, LLMKIT_API_KEY: "k" }, write: () => {} }));
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toBe(`llmkit chat failed: POST http://127.0.0.1:${port}/v1/chat/completions failed: ECONNREFUSED`);
  });
});

describe("status with a real S3 server and an unreachable API server", () => {
  // the run the local stack trains now; its service follows it (no pin)
  const CURRENT = stackTargets(loadStackFile("local")).adapters[0]!.currentRunId!;
  let s3: S3Server;
  let kubeconfig: string;
  let apiPort: number;
  beforeAll(async () => {
    s3 = await startS3Server({ bucket: "llmkit", preloadCli: false });
    const client = storeClient(s3);
    const manifest = (runId: string, createdAt: string, loss: number) =>
      JSON.stringify({ schemaVersion: 1, runId, createdAt, result: { steps: 3, finalEvalLoss: loss, bestEvalLoss: loss }, smoke: [{ prompt: "Hi", output: "Hello!" }] });
    await client.put({
      [`adapters/support-bot/${CURRENT}/manifest.json`]: manifest(CURRENT, "2026-03-02T00:00:00.000Z", 0.5),
      [`adapters/support-bot/${CURRENT}/_SUCCESS`]: "",
      "adapters/support-bot/0123456789ab/manifest.json": manifest("0123456789ab", "2026-03-01T00:00:00.000Z", 0.7),
      "adapters/support-bot/0123456789ab/_SUCCESS": "",
      "adapters/support-bot/fedcba987654/adapter_config.json": "{}",
    });
    client.destroy();
    apiPort = await freePort();
    kubeconfig = join(scratch, "kubeconfig");
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${apiPort}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
  });
  afterAll(async () => await s3.stop());

  it("prints the store's runs and the cluster error, exit 1", async () => {
    const r = await capture((p, e) => status(["--stack", "local", "--kubeconfig", kubeconfig], p, e, { env: NO_KUBE, storeClient: () => storeClient(s3).s3 }));
    const server = `https://127.0.0.1:${apiPort}`;
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([
      "stack local: namespace llmkit, store s3://llmkit",
      "",
      `adapter support-bot (current run ${CURRENT}, pinned none, followed by chat)`,
      `  cluster: listing Jobs in llmkit: cannot reach the API server at ${server} (ECONNREFUSED): is the current kube context the right cluster, and is it up?`,
      "  RUN           STATE       EVAL LOSS  PUBLISHED",
      `  ${CURRENT}  published   0.5000     2026-03-02T00:00:00.000Z  current`,
      '      smoke "Hi" → "Hello!"',
      "  0123456789ab  published   0.7000     2026-03-01T00:00:00.000Z",
      '      smoke "Hi" → "Hello!"',
      "  fedcba987654  incomplete  -          -",
      "",
      "service chat (vllm): replicas unknown",
      "  endpoint http://chat.llmkit.svc.cluster.local:8000/v1",
      `  cluster: reading Deployment llmkit/chat: cannot reach the API server at ${server} (ECONNREFUSED): is the current kube context the right cluster, and is it up?`,
      "  ADAPTER      PINNED                LOADED",
      `  support-bot  follows ${CURRENT}  ?`,
    ]);
    expect(r.code).toBe(1);
  });

  it("names the port-forward when the store's in-cluster address does not resolve", async () => {
    const r = await capture((p, e) => status(["--stack", "local", "--kubeconfig", kubeconfig], p, e, { env: NO_KUBE }));
    expect(r.code).toBe(1);
    const line = r.out.find((l) => l.startsWith("  store: "));
    expect(line).toMatch(/^ {2}store: cannot read s3:\/\/llmkit at http:\/\/llmkit-store\.llmkit\.svc\.cluster\.local:9000 \(.*\): that address resolves only inside the cluster: run `kubectl -n llmkit port-forward svc\/llmkit-store 9000` and pass --store-endpoint http:\/\/127\.0\.0\.1:9000$/);
  });
});
