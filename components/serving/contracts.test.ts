/**
 * CI-only cross-check (docs/architecture.md §7.6): every flag and vLLM variable the renderers emit must
 * exist in the pinned upstream, listed in ../shared/contracts/vllm.json. Skips with a note when
 * ../shared is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LORA_MAX_RANKS, resolveService } from "./defaults.ts";
import { flagsOf, renderVllmArgs } from "./engine-args.ts";
import { renderDeployment } from "./render.ts";
import { chat, contract, localChat, localSupportBot, qwen05b, qwen7b, supportBot } from "./__fixtures__/specs.ts";

const CONTRACTS = new URL("../../../shared/contracts/", import.meta.url);
const present = existsSync(CONTRACTS);
if (!present) console.log(`contracts.test.ts: skipped, ${CONTRACTS.pathname} is absent (the upstream contract lists live outside the repo)`);

const load = (file: string) => JSON.parse(readFileSync(new URL(file, CONTRACTS), "utf8"));

/** Every variant the renderer branches on: GPU/CPU, with and without adapters, auth on and off. */
const variants = [
  resolveService(chat, qwen7b, [supportBot]),
  resolveService({ ...chat, adapters: [], auth: { type: "none" } }, qwen7b, []),
  resolveService({ ...chat, gpus: 4 }, qwen7b, [supportBot, { ...supportBot, name: "b", rank: 320 }]),
  resolveService(localChat, qwen05b, [localSupportBot]),
];

describe.skipIf(!present)("upstream contracts", () => {
  it("every emitted flag is a `vllm serve` flag, none removed, and the model is the positional", () => {
    const vllm = load("vllm.json");
    expect(vllm.serve_positional).toEqual(["model_tag"]);
    for (const svc of variants) {
      const flags = flagsOf(renderVllmArgs(svc));
      expect(flags.filter((f) => !vllm.serve_flags.includes(f))).toEqual([]);
      expect(flags.filter((f) => vllm.flags_removed_since_v0_7.includes(f))).toEqual([]);
      expect(renderVllmArgs(svc)[0]!.startsWith("--")).toBe(false);
    }
  });

  it("every VLLM_* variable exists, and the allowed LoRA ranks and /health match", () => {
    const vllm = load("vllm.json");
    for (const svc of variants) {
      const env = renderDeployment(svc, contract).spec.template.spec.containers[0].env.map((e) => e.name);
      expect(env.filter((n) => n.startsWith("VLLM_") && !vllm.env_vars_in_both_copies.includes(n))).toEqual([]);
    }
    expect(vllm.env_vars_confirmed).toContain("VLLM_API_KEY");
    expect([...LORA_MAX_RANKS]).toEqual(vllm.lora_max_ranks);
    expect(vllm.health_paths).toContain("/health");
  });
});
