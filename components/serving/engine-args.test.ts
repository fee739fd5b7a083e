import { describe, expect, it } from "vitest";
import { resolveService } from "./defaults.ts";
import { flagsOf, renderVllmArgs } from "./engine-args.ts";
import { chat, localChat, localSupportBot, qwen05b, qwen7b, supportBot } from "./__fixtures__/specs.ts";

describe("renderVllmArgs", () => {
  it("renders the exact arguments of the dev service", () => {
    expect(renderVllmArgs(resolveService(chat, qwen7b, [supportBot]))).toEqual([
      "/models/base",
      "--served-model-name", "qwen2-5-7b",
      "--port", "8000",
      "--max-model-len", "8192",
      "--tensor-parallel-size", "1",
      "--shutdown-timeout", "60",
      "--gpu-memory-utilization", "0.9",
      "--enable-lora",
      "--max-loras", "4",
      "--max-lora-rank", "16",
      "--max-cpu-loras", "4",
      "--lora-modules",
      '{"name":"support-bot","path":"/models/adapters/support-bot/c2f47069e7bc","base_model_name":"qwen2-5-7b"}',
    ]);
  });

  it("puts every adapter after one --lora-modules (a repeated flag replaces the list) and sizes the rank", () => {
    const args = renderVllmArgs(
      resolveService({ ...chat, gpus: 4 }, qwen7b, [supportBot, { name: "legal", runId: "0123456789ab", baseModel: "qwen2-5-7b", rank: 48 }]),
    );
    expect(args.filter((a) => a === "--lora-modules")).toHaveLength(1);
    expect(args.slice(args.indexOf("--lora-modules") + 1)).toEqual([
      '{"name":"support-bot","path":"/models/adapters/support-bot/c2f47069e7bc","base_model_name":"qwen2-5-7b"}',
      '{"name":"legal","path":"/models/adapters/legal/0123456789ab","base_model_name":"qwen2-5-7b"}',
    ]);
    expect(args[args.indexOf("--max-lora-rank") + 1]).toBe("64");
    expect(args[args.indexOf("--tensor-parallel-size") + 1]).toBe("4");
  });

  it("emits no LoRA flags without adapters", () => {
    expect(flagsOf(renderVllmArgs(resolveService({ ...chat, adapters: [] }, qwen7b, [])))).toEqual([
      "--served-model-name", "--port", "--max-model-len", "--tensor-parallel-size", "--shutdown-timeout", "--gpu-memory-utilization",
    ]);
  });

  it("leaves GPU memory out on the CPU backend", () => {
    const args = renderVllmArgs(resolveService(localChat, qwen05b, [localSupportBot]));
    expect(args.slice(0, 11)).toEqual([
      "/models/base", "--served-model-name", "qwen2-5-0-5b", "--port", "8000", "--max-model-len", "2048", "--tensor-parallel-size", "1", "--shutdown-timeout", "60",
    ]);
    expect(args).not.toContain("--gpu-memory-utilization");
  });

  it("never carries the API key", () => {
    const args = renderVllmArgs(resolveService(chat, qwen7b, [supportBot]));
    expect(args.some((a) => a.includes("api-key") || a.includes("api_key"))).toBe(false);
  });
});
