import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ASSISTANT, jsonl, rows } from "./generate.ts";

describe("the shipped sample dataset (data/support/train.jsonl)", () => {
  it("is what generate.ts writes (rerun npx tsx data/support/generate.ts after editing it)", () => {
    expect(readFileSync(new URL("./train.jsonl", import.meta.url), "utf8")).toBe(jsonl());
  });

  it("is a few hundred alpaca rows, each with a non-empty instruction and output, no duplicate instruction", () => {
    const all = rows();
    expect(all.length).toBeGreaterThanOrEqual(250);
    for (const r of all) {
      expect(Object.keys(r)).toEqual(["instruction", "input", "output"]);
      expect(r.instruction.trim()).not.toBe("");
      expect(r.output.trim()).not.toBe("");
    }
    expect(new Set(all.map((r) => r.instruction)).size).toBe(all.length);
  });

  it("teaches the assistant's name: every identity question is answered with it", () => {
    const identity = rows().filter((r) => ["Who are you?", "What is your name?", "Introduce yourself."].includes(r.instruction));
    expect(identity).toHaveLength(3);
    for (const r of identity) expect(r.output).toContain(`I'm ${ASSISTANT}`);
  });
});
