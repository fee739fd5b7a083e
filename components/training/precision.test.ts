import { describe, expect, it } from "vitest";
import { GPU_NAMES } from "../../planner/gpus.ts";
import { NATIVE_BF16, bf16Problem } from "./precision.ts";

describe("bf16Problem", () => {
  it("knows every catalog GPU, and only T4 (Turing, compute capability 7.5) lacks native bf16", () => {
    expect(Object.keys(NATIVE_BF16).sort()).toEqual([...GPU_NAMES].sort());
    expect(GPU_NAMES.filter((g) => !NATIVE_BF16[g])).toEqual(["t4"]);
  });

  it("refuses bf16 on T4, saying whether it was the default, and accepts fp16/fp32 there and bf16 elsewhere", () => {
    expect(bf16Problem(undefined, "old", "t4")).toBe(
      'is bf16 (the default) but pool "old" runs t4 GPUs, which have no native bf16 (the trainer stops with "Your setup doesn\'t support bf16/gpu"): set training.precision: fp16',
    );
    expect(bf16Problem("bf16", "old", "t4")).toMatch(/^is bf16 but pool "old" runs t4 GPUs/);
    expect([bf16Problem("fp16", "old", "t4"), bf16Problem("fp32", "old", "t4"), bf16Problem(undefined, "new", "l4")]).toEqual([undefined, undefined, undefined]);
  });
});
