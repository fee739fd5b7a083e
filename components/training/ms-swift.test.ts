import { describe, expect, it } from "vitest";
import { resolveFineTune } from "./defaults.ts";
import { MODELS } from "../../planner/models.ts";
import { renderSwiftArgs, renderSwiftInferArgs, swiftKeys, swiftModelType } from "./ms-swift.ts";
import { qloraSwift, qwen7b } from "./__fixtures__/specs.ts";

const qlora = resolveFineTune(qloraSwift);

describe("renderSwiftArgs", () => {
  it("renders every flag for the QLoRA spec", () => {
    expect(renderSwiftArgs(qlora, "qwen2")).toEqual([
      "--model", "/work/model",
      "--model_type", "qwen2",
      "--tuner_type", "lora",
      "--template", "qwen2_5",
      "--dataset", "/work/data/0-train.jsonl",
      "--split_dataset_ratio", "0.1",
      "--max_length", "2048",
      "--truncation_strategy", "right",
      "--lora_rank", "16",
      "--lora_alpha", "32",
      "--lora_dropout", "0.05",
      "--target_modules", "all-linear",
      "--quant_method", "bnb",
      "--quant_bits", "4",
      "--bnb_4bit_quant_type", "nf4",
      "--bnb_4bit_use_double_quant", "true",
      "--bnb_4bit_compute_dtype", "bfloat16",
      "--torch_dtype", "bfloat16",
      "--bf16", "true",
      "--fp16", "false",
      "--num_train_epochs", "3",
      "--learning_rate", "0.0001",
      "--per_device_train_batch_size", "1",
      "--gradient_accumulation_steps", "16",
      "--lr_scheduler_type", "cosine",
      "--warmup_ratio", "0.05",
      "--gradient_checkpointing", "true",
      "--eval_strategy", "steps",
      "--eval_steps", "50",
      "--per_device_eval_batch_size", "1",
      "--save_strategy", "steps",
      "--save_steps", "50",
      "--save_total_limit", "2",
      "--save_only_model", "false",
      "--logging_steps", "10",
      "--report_to", "none",
      "--output_dir", "/work/output",
      "--add_version", "false",
    ]);
  });

  it("never uses v3's removed --train_type", () => {
    expect(swiftKeys(renderSwiftArgs(qlora, "qwen2"))).not.toContain("train_type");
  });

  it("renders plain LoRA without quantisation, explicit module lists, samples and fp32", () => {
    const args = renderSwiftArgs(
      resolveFineTune({
        ...qloraSwift,
        method: "lora",
        quantBits: undefined,
        lora: { targets: ["q_proj", "v_proj"] },
        datasets: [
          { path: "datasets/a/train.jsonl", format: "alpaca", purpose: "domain", samples: 300 },
          { path: "datasets/b/train.jsonl", format: "query-response", purpose: "general" },
        ],
        training: { precision: "fp32", valRatio: 0 },
      }),
      "qwen2",
    );
    const keys = swiftKeys(args);
    expect(keys.filter((k) => k.startsWith("quant") || k.startsWith("bnb"))).toEqual([]);
    expect(keys).not.toContain("eval_steps");
    const at = (k: string, n = 1) => args.slice(args.indexOf(`--${k}`) + 1, args.indexOf(`--${k}`) + 1 + n);
    expect(at("dataset", 2)).toEqual(["/work/data/0-train.jsonl#300", "/work/data/1-train.jsonl"]);
    expect(at("target_modules", 2)).toEqual(["q_proj", "v_proj"]);
    expect([at("torch_dtype"), at("bf16"), at("fp16"), at("eval_strategy")]).toEqual([["float32"], ["false"], ["false"], ["no"]]);
  });

  it("renders 8-bit QLoRA without the 4-bit-only flags", () => {
    const keys = swiftKeys(renderSwiftArgs(resolveFineTune({ ...qloraSwift, quantBits: 8 }), "qwen2"));
    expect(keys).toContain("quant_bits");
    expect(keys.filter((k) => k.startsWith("bnb_4bit"))).toEqual([]);
  });

  it("matches the golden argument file", async () => {
    await expect(`${renderSwiftArgs(qlora, "qwen2").join("\n")}\n`).toMatchFileSnapshot("__golden__/ms-swift-qlora.args.txt");
  });
});

describe("swiftModelType", () => {
  // The ModelMeta each catalog family is registered under, modelscope/ms-swift@v4.5.2:
  // swift/model/models/qwen.py:279 (qwen2: Qwen2.5 :393-407, DeepSeek-R1-Distill-Qwen :498-499),
  // qwen.py:532 (qwen3: :536-547), llama.py:25 (llama: Llama 3.1 :155-160, 3.3 :216),
  // mistral.py:14 (mistral: Mistral-7B-Instruct-v0.3 :19).
  it("gives every catalog model the type ms-swift registers it under", () => {
    const byFamily = Object.fromEntries(MODELS.map((m) => [m.id, m.msSwiftModelType]));
    expect(byFamily).toEqual({
      "qwen2.5-0.5b": "qwen2", "qwen2.5-1.5b": "qwen2", "qwen2.5-3b": "qwen2", "qwen2.5-7b": "qwen2",
      "qwen2.5-14b": "qwen2", "qwen2.5-32b": "qwen2", "qwen2.5-72b": "qwen2",
      "qwen3-0.6b": "qwen3", "qwen3-1.7b": "qwen3", "qwen3-4b": "qwen3", "qwen3-8b": "qwen3", "qwen3-14b": "qwen3", "qwen3-32b": "qwen3",
      "llama3.1-8b": "llama", "llama3.1-70b": "llama",
      "deepseek-r1-distill-qwen-1.5b": "qwen2", "deepseek-r1-distill-qwen-7b": "qwen2",
      "mistral-7b-v0.3": "mistral",
    });
  });

  it("takes the config's value first, then the catalog's by repo, else none", () => {
    expect(swiftModelType(qwen7b)).toBe("qwen2");
    expect(swiftModelType({ ...qwen7b, repo: "qwen/qwen2.5-7b-instruct" })).toBe("qwen2");
    expect(swiftModelType({ ...qwen7b, msSwiftModelType: "qwen2_5_math" })).toBe("qwen2_5_math");
    expect(swiftModelType({ ...qwen7b, repo: "acme/private-7b" })).toBeUndefined();
  });
});

describe("renderSwiftInferArgs", () => {
  it("loads the base with the same model type, template, length and truncation as training", () => {
    const infer = renderSwiftInferArgs(qlora, "qwen2");
    const train = renderSwiftArgs(qlora, "qwen2");
    const value = (args: string[], k: string) => args[args.indexOf(`--${k}`) + 1];
    for (const k of ["model", "model_type", "template", "max_length", "truncation_strategy", "torch_dtype", "quant_method", "quant_bits"]) {
      expect([k, value(infer, k)]).toEqual([k, value(train, k)]);
    }
  });
});
