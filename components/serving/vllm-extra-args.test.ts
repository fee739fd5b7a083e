/** engine.extraArgs and image: what reaches the vLLM container (bad inputs: test/bad-configs-engine.ts). */
import { describe, expect, it } from "vitest";
import { servingSchema } from "./inputs.ts";
import { resolveService } from "./defaults.ts";
import { renderVllmArgs } from "./engine-args.ts";
import { renderDeployment } from "./render.ts";
import { renderVllmExtraArgs, VLLM_EXTRA_ARG_RULES } from "./vllm-extra-args.ts";
import { chat, contract, localChat, localSupportBot, qwen05b, qwen7b, supportBot } from "./__fixtures__/specs.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const extraArgs = {
  "max-num-seqs": 64,
  "enable-prefix-caching": true,
  "enable-chunked-prefill": false,
  "allowed-origins": ["https://app.example.com", "https://admin.example.com"],
  "allow-credentials": true,
  "compilation-config": { cudagraph_mode: "FULL_DECODE_ONLY" },
  middleware: ["acme.audit.Middleware", "acme.trace.Middleware"],
};

describe("serving engine.extraArgs", () => {
  it("passes the schema (the loader's check) and renders after the kit's flags, in the order written", () => {
    const spec = servingSchema.parse({ ...chat, engine: { ...chat.engine, extraArgs } });
    const args = renderVllmArgs(resolveService(spec, qwen7b, [supportBot]));
    expect(args.slice(args.indexOf("--max-num-seqs"))).toEqual([
      "--max-num-seqs", "64",
      "--enable-prefix-caching",
      "--no-enable-chunked-prefill",
      "--allowed-origins", '["https://app.example.com","https://admin.example.com"]',
      "--allow-credentials",
      "--compilation-config", '{"cudagraph_mode":"FULL_DECODE_ONLY"}',
      "--middleware", "acme.audit.Middleware", "acme.trace.Middleware",
    ]);
    // the kit's own flags come first and are unchanged
    expect(args.slice(0, args.indexOf("--max-num-seqs"))).toEqual(renderVllmArgs(resolveService(chat, qwen7b, [supportBot])));
  });

  it("renders nothing without extraArgs", () => {
    expect(renderVllmExtraArgs(undefined)).toEqual([]);
    expect(renderVllmExtraArgs({})).toEqual([]);
  });

  it("every flag the kit renders is one an extra flag cannot set (kit-set or refused)", () => {
    const svc = resolveService({ ...chat, gpus: 2 }, qwen7b, [supportBot]);
    const kitFlags = renderVllmArgs(svc).filter((a) => a.startsWith("--")).map((a) => a.slice(2));
    expect(kitFlags.filter((f) => VLLM_EXTRA_ARG_RULES.kitSets[f] === undefined)).toEqual([]);
    // and every kit-set or refused name is a real flag of the pinned vLLM
    const names = [...Object.keys(VLLM_EXTRA_ARG_RULES.kitSets), ...Object.keys(VLLM_EXTRA_ARG_RULES.refused)];
    expect(names.filter((n) => !VLLM_EXTRA_ARG_RULES.accepted.has(n))).toEqual([]);
  });
});

describe("serving image override", () => {
  it("the Deployment's vllm container runs the override, digest included; the pinned image otherwise", () => {
    const image = { repository: "registry.example.com/mirror/vllm-openai", tag: "v0.21.0-patched.1", digest: DIGEST };
    const vllm = (spec: typeof chat) => renderDeployment(resolveService(spec, qwen7b, [supportBot]), contract).spec.template.spec.containers.find((c) => c.name === "vllm")!;
    expect(vllm(servingSchema.parse({ ...chat, image })).image).toBe(`registry.example.com/mirror/vllm-openai:v0.21.0-patched.1@${DIGEST}`);
    expect(vllm(chat).image).toBe("vllm/vllm-openai:v0.21.0");
  });

  it("overrides the CPU image on a CPU service, keeping the version label of the pinned release", () => {
    const image = { repository: "registry.example.com/mirror/vllm-cpu", tag: "v0.21.0" };
    const svc = resolveService(servingSchema.parse({ ...localChat, image }), qwen05b, [localSupportBot]);
    const deployment = renderDeployment(svc, contract);
    expect(deployment.spec.template.spec.containers.find((c) => c.name === "vllm")!.image).toBe("registry.example.com/mirror/vllm-cpu:v0.21.0");
    expect(deployment.metadata.labels["app.kubernetes.io/version"]).toBe("0.21.0");
  });
});
