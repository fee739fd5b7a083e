import { describe, expect, it } from "vitest";
import type { FineTuneConfig } from "./inputs.ts";
import { resolveFineTune } from "./defaults.ts";
import { fineTuneProblems, validateFineTune } from "./validate.ts";
import { contract, qloraSwift, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const problems = (spec: FineTuneConfig, model = qwen7b) => fineTuneProblems(resolveFineTune(spec), model, contract);

describe("fineTuneProblems", () => {
  it("accepts the shipped specs", () => {
    expect(problems(seedLora)).toEqual([]);
    expect(problems(qloraSwift)).toEqual([]);
    expect(problems({ ...seedLora, pool: "cpu", gpus: 0 })).toEqual([]);
  });

  const cases: [string, FineTuneConfig, string[]][] = [
    ["unknown pool", { ...seedLora, pool: "nope" }, ['pool "nope" is not in the platform contract (pools: training-l40s, cpu)']],
    ["GPUs on a CPU pool", { ...seedLora, pool: "cpu" }, ['pool "cpu" has no GPUs but gpus is 1: use a GPU pool or gpus: 0']],
    ["more GPUs than a node has", { ...seedLora, gpus: 2 }, ['gpus is 2 but nodes of pool "training-l40s" have 1: one pod cannot span nodes']],
    ["qlora without bits", { ...qloraSwift, quantBits: undefined }, ["method qlora needs quantBits (4 or 8)"]],
    ["bits on lora", { ...seedLora, quantBits: 4 }, ['quantBits applies only to method "qlora"']],
    ["qlora on CPU", { ...qloraSwift, pool: "cpu", gpus: 0 }, ["QLoRA quantises with bitsandbytes on a GPU: request at least 1 GPU"]],
    ["fractional alpha on ms-swift", { ...qloraSwift, lora: { alpha: 16.5 } }, ["lora.alpha 16.5 must be a whole number for ms-swift (tuner_args.py lora_alpha: int)"]],
    ["comma in a LLaMA-Factory target", { ...seedLora, lora: { targets: ["q_proj,k_proj"] } }, [
      "lora.targets entries must not contain ',' (LLaMA-Factory splits lora_target on commas)",
    ]],
    ["identity file that is not JSON", { ...seedLora, identity: { name: "Ada", author: "Acme", path: "datasets/identity.parquet", format: "alpaca" } }, [
      'identity.path "datasets/identity.parquet" must be a .json or .jsonl file: the placeholders are filled in JSON',
    ]],
    // hiyouga/LLaMA-Factory@v0.9.5 model_utils/quantization.py:166-172 needs bitsandbytes, which the image lacks
    ["QLoRA on LLaMA-Factory", { ...qloraSwift, engine: "llamafactory", template: "qwen" }, [
      "engine is llamafactory but method is qlora: the pinned LLaMA-Factory image (hiyouga/llamafactory:0.9.5) has no bitsandbytes, which QLoRA quantisation needs; use engine: ms-swift for QLoRA (or method: lora)",
    ]],
    ["name too long for the Job", { ...seedLora, name: "a".repeat(45) }, [
      `name "${"a".repeat(45)}" is too long: the Job name "<name>-train-<runId>" must fit 63 characters`,
    ]],
  ];
  it.each(cases)("%s", (_label, spec, expected) => expect(problems(spec)).toEqual(expected));

  it("refuses ms-swift on a base whose model type neither the catalog nor the config knows", () => {
    // modelscope/ms-swift@v4.5.2 swift/model/model_meta.py:224-230: no --model_type, several matches → ValueError
    const coder = { ...qwen7b, repo: "Qwen/Qwen2.5-Coder-7B-Instruct" };
    expect(problems(qloraSwift, coder)).toEqual([
      'ms-swift needs the model type of "Qwen/Qwen2.5-Coder-7B-Instruct" and planner/models.ts has none: set msSwiftModelType on model "qwen2-5-7b"',
    ]);
    expect(problems(qloraSwift, { ...coder, msSwiftModelType: "qwen2" })).toEqual([]);
    expect(problems({ ...seedLora }, coder)).toEqual([]);
  });

  it("names a base model mismatch", () => {
    expect(problems(seedLora, { ...qwen7b, name: "other" })).toEqual(['baseModel is "qwen2-5-7b" but model "other" was passed']);
  });

  it("throws once with every problem", () => {
    const ft = resolveFineTune({ ...qloraSwift, pool: "cpu", gpus: 0, lora: { alpha: 1.5 } });
    expect(() => validateFineTune(ft, qwen7b, contract)).toThrow(
      'fine-tune "support-bot-qlora" is invalid:\n' +
        "  - QLoRA quantises with bitsandbytes on a GPU: request at least 1 GPU\n" +
        "  - lora.alpha 1.5 must be a whole number for ms-swift (tuner_args.py lora_alpha: int)",
    );
  });
});
