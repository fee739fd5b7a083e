/**
 * Adapters that follow their fine-tune's current run (env local): what the Deployment carries, and
 * adapter-follow.sh run for real with bash, the AWS CLI, an S3-compatible server and a stand-in for
 * vLLM's runtime LoRA API on loopback (the routes and shapes of vllm 0.21.0, cited in the script).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageRef, images } from "../lib/versions.ts";
import { storeEnv } from "../lib/store-env.ts";
import { hasAwsCli, reportAwsCli, startS3Server, storeClient, type S3Server, type StoreClient } from "../../test/s3-server.ts";
import { resolveService } from "./defaults.ts";
import { renderVllmArgs } from "./engine-args.ts";
import { FOLLOW_POLL_SECONDS, FOLLOW_RESOURCES, renderDeployment } from "./render.ts";
import { FOLLOW_SCRIPT, SERVING_SCRIPTS } from "./scripts.ts";
import { contract, localChat, localSupportBot, qwen05b } from "./__fixtures__/specs.ts";

const follows = resolveService(localChat, qwen05b, [{ ...localSupportBot, follow: true }]);
const pinned = resolveService(localChat, qwen05b, [localSupportBot]);
reportAwsCli("serving/follow.test.ts");

describe("a followed adapter", () => {
  it("is not fetched nor listed at start: vLLM starts on the base model with LoRA and the runtime API on", () => {
    const spec = renderDeployment(follows, contract).spec.template.spec;
    const [engine] = spec.containers;
    expect(renderVllmArgs(follows).slice(-7)).toEqual(["--enable-lora", "--max-loras", "1", "--max-lora-rank", "16", "--max-cpu-loras", "1"]);
    expect(renderVllmArgs(follows)).not.toContain("--lora-modules");
    expect(engine.env.filter((e) => e.name === "VLLM_ALLOW_RUNTIME_LORA_UPDATING")).toEqual([{ name: "VLLM_ALLOW_RUNTIME_LORA_UPDATING", value: "True" }]);
    expect(spec.initContainers[0]!.env.find((e) => e.name === "ADAPTER_PREFIXES")).toEqual({ name: "ADAPTER_PREFIXES", value: "" });
  });

  it("is loaded by an adapter-follow container beside the engine", () => {
    const follow = renderDeployment(follows, contract).spec.template.spec.containers[1];
    expect(follow).toEqual({
      name: "adapter-follow",
      image: imageRef(images.awsCli),
      command: ["bash", `/scripts/${FOLLOW_SCRIPT}`],
      env: [
        ...storeEnv(contract.store),
        { name: "STORE_BUCKET", value: contract.store.bucket },
        { name: "FOLLOW_ADAPTERS", value: "support-bot=adapters/support-bot/4b78589955b6/" },
        { name: "MODELS_DIR", value: "/models" },
        { name: "MODEL_REVISION", value: qwen05b.revision },
        { name: "MAX_LORA_RANK", value: "16" },
        { name: "ENGINE_PORT", value: "8000" },
        { name: "POLL_SECONDS", value: String(FOLLOW_POLL_SECONDS) },
        { name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: "chat-api-key", key: "api-key" } } },
        { name: "HOME", value: "/tmp" },
      ],
      resources: FOLLOW_RESOURCES,
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: false,
        seccompProfile: { type: "RuntimeDefault" },
      },
      volumeMounts: [
        { name: "models", mountPath: "/models" },
        { name: "scripts", mountPath: "/scripts", readOnly: true },
      ],
    });
  });

  it("leaves a pinned adapter's Deployment without the container and the runtime API", () => {
    const spec = renderDeployment(pinned, contract).spec.template.spec;
    expect(spec.containers.map((c) => c.name)).toEqual(["vllm"]);
    expect(spec.containers[0].env.map((e) => e.name)).not.toContain("VLLM_ALLOW_RUNTIME_LORA_UPDATING");
  });
});

/** vLLM's runtime LoRA routes as the script uses them; `loaded` is what /v1/models lists. */
function fakeEngine(key: string) {
  const loaded = new Map<string, string>();
  const posts: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      if (req.headers.authorization !== `Bearer ${key}`) return void res.writeHead(401).end('{"error":"Unauthorized"}');
      if (req.method === "GET" && req.url === "/v1/models") {
        const data = [{ id: "qwen", object: "model", root: "/models/base" }, ...[...loaded].map(([id, root]) => ({ id, object: "model", owned_by: "vllm", root, parent: "qwen", permission: [{ id: "p" }] }))];
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data }));
      }
      if (req.method === "POST" && req.url === "/v1/load_lora_adapter") {
        const r = JSON.parse(body) as { lora_name: string; lora_path: string };
        posts.push(r);
        loaded.set(r.lora_name, r.lora_path);
        return void res.writeHead(200).end(`Success: LoRA adapter '${r.lora_name}' added successfully.`);
      }
      res.writeHead(404).end();
    });
  });
  return { server, loaded, posts };
}

describe.skipIf(!hasAwsCli)("adapter-follow.sh against an S3-compatible server and a stand-in engine", () => {
  let s3: S3Server;
  let store: StoreClient;
  const engine = fakeEngine("engine-key");
  let port = 0;
  const scripts = mkdtempSync(join(tmpdir(), "llmkit-follow-scripts-"));
  const REV = qwen05b.revision;
  const manifest = (revision: string) => JSON.stringify({ name: "bot", baseModel: { name: "qwen", revision } });

  beforeAll(async () => {
    s3 = await startS3Server({ bucket: "llmkit-follow" });
    store = storeClient(s3);
    await new Promise<void>((resolve) => engine.server.listen(0, "127.0.0.1", resolve));
    port = (engine.server.address() as { port: number }).port;
    for (const [file, text] of Object.entries(SERVING_SCRIPTS)) writeFileSync(join(scripts, file), text);
  });
  afterAll(async () => {
    store?.destroy();
    engine.server.close();
    await s3?.stop();
  });

  /** Runs the loop until `until` holds for its output (and `settleMs` more), then stops it. */
  const follow = (adapters: string, until: (out: { stdout: string; stderr: string }) => boolean, onStdout: (stdout: string) => void = () => {}, settleMs = 0) => {
    const models = mkdtempSync(join(tmpdir(), "llmkit-follow-models-"));
    const env = { ...s3.env, FOLLOW_ADAPTERS: adapters, MODELS_DIR: models, MODEL_REVISION: REV, MAX_LORA_RANK: "16", ENGINE_PORT: String(port), POLL_SECONDS: "1", VLLM_API_KEY: "engine-key" };
    const child = spawn("bash", [join(scripts, FOLLOW_SCRIPT)], { env, stdio: ["ignore", "pipe", "pipe"] });
    const out = { stdout: "", stderr: "" };
    return new Promise<{ stdout: string; stderr: string; models: string }>((resolve) => {
      let stopping = false;
      const check = () => {
        if (stopping || !until(out)) return;
        stopping = true;
        setTimeout(() => child.kill(), settleMs);
      };
      child.stdout.on("data", (d: Buffer) => {
        out.stdout += d.toString();
        onStdout(out.stdout);
        check();
      });
      child.stderr.on("data", (d: Buffer) => {
        out.stderr += d.toString();
        check();
      });
      child.once("close", () => resolve({ ...out, models }));
    });
  };

  it("serves the base until the run is published, then restores, checks and loads it, and loads it again after an engine restart", async () => {
    const prefix = "adapters/bot/aaaaaaaaaaaa/";
    let published = false;
    let restarted = false;
    const r = await follow(`bot=${prefix}`, (o) => (o.stdout.match(/adapter bot: loaded /g) ?? []).length >= 2, (stdout) => {
      if (!published && stdout.includes("is not published yet")) {
        published = true;
        void store.put({ [`${prefix}adapter_config.json`]: '{"r": 8}', [`${prefix}adapter_model.safetensors`]: "w", [`${prefix}manifest.json`]: manifest(REV), [`${prefix}_SUCCESS`]: "" });
      }
      if (!restarted && stdout.includes("adapter bot: loaded ")) {
        restarted = true;
        engine.loaded.clear(); // a restarted engine forgets runtime adapters
      }
    });
    const dir = join(r.models, "adapters/bot/aaaaaaaaaaaa");
    expect(r.stdout).toContain(`adapter bot: s3://llmkit-follow/${prefix} is not published yet (its run is training); serving the base model meanwhile`);
    expect(engine.posts).toEqual([
      { lora_name: "bot", lora_path: dir },
      { lora_name: "bot", lora_path: dir },
    ]);
    expect(readdirSync(dir).sort()).toEqual(["adapter_config.json", "adapter_model.safetensors", "manifest.json"]);
    expect(r.stderr).toBe("");
  });

  it("refuses a run trained on another base revision once, and never loads it", async () => {
    const prefix = "adapters/other/bbbbbbbbbbbb/";
    await store.put({ [`${prefix}adapter_config.json`]: '{"r": 8}', [`${prefix}manifest.json`]: manifest("0".repeat(40)), [`${prefix}_SUCCESS`]: "" });
    const before = engine.posts.length;
    // two more polls: a refused run is not restored, checked or refused again
    const r = await follow(`other=${prefix}`, (o) => o.stderr.includes("refusing adapter"), () => {}, 2500);
    expect(r.stderr.trim()).toBe(`refusing adapter ${prefix}: it was trained on base revision '${"0".repeat(40)}' but this service serves ${REV}`);
    expect(existsSync(join(r.models, "adapters/other/bbbbbbbbbbbb.refused"))).toBe(true);
    expect(engine.posts.length).toBe(before);
  });
});
