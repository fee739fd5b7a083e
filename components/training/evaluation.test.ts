import { describe, expect, it } from "vitest";
import { resolveFineTune } from "./defaults.ts";
import { evaluationData, renderLlamaFactoryEvalConfig, renderSwiftEvalArgs } from "./evaluation.ts";
import { planFineTune } from "./fine-tune.ts";
import { renderLlamaFactoryConfig } from "./llamafactory.ts";
import { runId } from "./run-id.ts";
import { contract, dpoChained, dpoLf, qloraSwift, qwen7b, seedLora } from "./__fixtures__/specs.ts";
import type { FineTuneConfig } from "./inputs.ts";

const FAQ = { name: "faq", path: "datasets/support/faq.jsonl", format: "alpaca", maxSamples: 50 } as const;
const withSuites = (spec: FineTuneConfig): FineTuneConfig => ({ ...spec, evaluation: { suites: [FAQ] } });

describe("held-out evaluation configs", () => {
  it("LLaMA-Factory: the training config with do_train false, do_eval true, no saving, the final adapter or none", () => {
    const data = evaluationData(resolveFineTune(seedLora), qwen7b);
    const common = `model_name_or_path: /work/model
trust_remote_code: false
disable_gradient_checkpointing: false
stage: sft
do_train: false
finetuning_type: lora
lora_rank: 8
lora_alpha: 32
lora_dropout: 0.05
lora_target: all
dataset: 0-train.jsonl,1-alpaca-gpt4-en.json
dataset_dir: /work/data
template: qwen
cutoff_len: 2048
val_size: 0.1
overwrite_cache: false
`;
    const tail = (pass: string) => `output_dir: /work/eval/${pass}
overwrite_output_dir: false
logging_steps: 10
report_to: none
plot_loss: false
per_device_train_batch_size: 1
gradient_accumulation_steps: 16
learning_rate: 0.0001
num_train_epochs: 3
lr_scheduler_type: cosine
warmup_ratio: 0.05
bf16: true
fp16: false
per_device_eval_batch_size: 1
`;
    expect(data["eval-adapter.yaml"]).toBe(`${common}${tail("adapter")}adapter_name_or_path: /work/output\ndo_eval: true\n`);
    expect(data["eval-base.yaml"]).toBe(`${common}${tail("base")}do_eval: true\n`);
    expect(Object.keys(data)).toEqual(["eval-adapter.yaml", "eval-base.yaml", "eval-heldout.py"]);
  });

  it("LLaMA-Factory keeps the training's dataset, val_size and seed, so the held-out rows are training's", () => {
    const train = renderLlamaFactoryConfig(resolveFineTune(seedLora));
    for (const pass of ["adapter", "base"] as const) {
      const ev = renderLlamaFactoryEvalConfig(resolveFineTune(seedLora), pass);
      expect([ev.dataset, ev.dataset_dir, ev.val_size, ev.template, ev.cutoff_len, "seed" in ev]).toEqual([train.dataset, train.dataset_dir, train.val_size, train.template, train.cutoff_len, "seed" in train]);
    }
  });

  it("LLaMA-Factory DPO names the reference training used: the base, or the base with the from adapter", () => {
    const fromBase = (pass: "adapter" | "base") => renderLlamaFactoryEvalConfig(resolveFineTune(dpoLf), pass);
    expect(fromBase("adapter")).toMatchObject({ stage: "dpo", pref_beta: 0.1, pref_loss: "sigmoid", ref_model: "/work/model", adapter_name_or_path: "/work/output", do_eval: true });
    expect(fromBase("adapter")).not.toHaveProperty("ref_model_adapters");
    expect(fromBase("base")).toMatchObject({ ref_model: "/work/model" });
    expect(fromBase("base")).not.toHaveProperty("adapter_name_or_path");
    const chained = (pass: "adapter" | "base") => renderLlamaFactoryEvalConfig(resolveFineTune(dpoChained), pass);
    // the final adapter is the from adapter trained further: it replaces it, and nothing is created
    expect(chained("adapter")).toMatchObject({ adapter_name_or_path: "/work/output", ref_model: "/work/model", ref_model_adapters: "/work/from-adapter" });
    expect(chained("adapter")).not.toHaveProperty("create_new_adapter");
    expect(chained("base")).toMatchObject({ ref_model: "/work/model", ref_model_adapters: "/work/from-adapter" });
    expect(chained("base")).not.toHaveProperty("adapter_name_or_path");
    // ORPO/SimPO have no reference model
    expect(renderLlamaFactoryEvalConfig(resolveFineTune({ ...dpoLf, preference: { loss: "orpo" } }), "adapter")).not.toHaveProperty("ref_model");
  });

  it("ms-swift: the training arguments (same datasets, split ratio and seed), no saving, output_dir or adapter (train.sh appends them)", () => {
    const args = renderSwiftEvalArgs(resolveFineTune(qloraSwift), "qwen2");
    expect(args).toEqual([
      ...["--model", "/work/model", "--model_type", "qwen2", "--tuner_type", "lora", "--template", "qwen2_5"],
      ...["--dataset", "/work/data/0-train.jsonl", "--split_dataset_ratio", "0.1", "--max_length", "2048", "--truncation_strategy", "right"],
      ...["--lora_rank", "16", "--lora_alpha", "32", "--lora_dropout", "0.05", "--target_modules", "all-linear"],
      ...["--quant_method", "bnb", "--quant_bits", "4", "--bnb_4bit_quant_type", "nf4", "--bnb_4bit_use_double_quant", "true", "--bnb_4bit_compute_dtype", "bfloat16"],
      ...["--torch_dtype", "bfloat16", "--bf16", "true", "--fp16", "false", "--num_train_epochs", "3", "--learning_rate", "0.0001"],
      ...["--per_device_train_batch_size", "1", "--gradient_accumulation_steps", "16", "--lr_scheduler_type", "cosine", "--warmup_ratio", "0.05"],
      ...["--gradient_checkpointing", "true", "--per_device_eval_batch_size", "1", "--logging_steps", "10", "--report_to", "none"],
      ...["--add_version", "false"],
    ]);
    const data = evaluationData(resolveFineTune(qloraSwift), qwen7b);
    expect(Object.keys(data)).toEqual(["swift-eval-args.txt", "eval-heldout.py"]);
    expect(data["swift-eval-args.txt"]).toBe(`${args.join("\n")}\n`);
  });

  it("ms-swift DPO continuing an adapter keeps its reference (--ref_adapters) and drops the trained --adapters", () => {
    const chained = resolveFineTune({ ...qloraSwift, stage: "dpo", method: "lora", quantBits: undefined, lora: undefined, from: "support-bot@0123456789ab", datasets: [{ path: "datasets/p.jsonl", format: "alpaca-preference", purpose: "domain" }] });
    const args = renderSwiftEvalArgs(chained, "qwen2");
    expect(args.slice(args.indexOf("--rlhf_type"))).toEqual(["--rlhf_type", "dpo", "--beta", "0.1", "--loss_type", "sigmoid", "--ref_adapters", "/work/from-adapter"]);
    expect(args).not.toContain("--adapters");
  });

  it("renders nothing without a val split", () => {
    expect(evaluationData(resolveFineTune({ ...seedLora, training: { valRatio: 0 } }), qwen7b)).toEqual({});
  });
});

describe("suite configs", () => {
  it("LLaMA-Factory: the smoke run's predict-only config on the suite's rows, with the final adapter or none", () => {
    const data = evaluationData(resolveFineTune(withSuites({ ...seedLora, training: { valRatio: 0 } })), qwen7b);
    expect(Object.keys(data)).toEqual(["eval-suites.txt", "suite-dataset_info.json", "suite-faq-adapter.yaml", "suite-faq-base.yaml", "eval-suite.py"]);
    expect(data["eval-suites.txt"]).toBe("faq suite-faq-faq.jsonl alpaca 50\n");
    expect(JSON.parse(data["suite-dataset_info.json"]!)).toEqual({
      suite: { file_name: "rows.jsonl", formatting: "sharegpt", columns: { messages: "messages" }, tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" } },
    });
    const predict = (pass: string) => `model_name_or_path: /work/model
trust_remote_code: false
stage: sft
do_train: false
do_predict: true
predict_with_generate: true
finetuning_type: lora
eval_dataset: suite
dataset_dir: /work/eval/suite-faq
template: qwen
cutoff_len: 2048
output_dir: /work/eval/suite-faq/${pass}
per_device_eval_batch_size: 1
report_to: none
bf16: true
fp16: false
do_sample: false
num_beams: 1
max_new_tokens: 256
`;
    expect(data["suite-faq-base.yaml"]).toBe(predict("base"));
    expect(data["suite-faq-adapter.yaml"]).toBe(`${predict("adapter")}adapter_name_or_path: /work/output\n`);
  });

  it("ms-swift: the smoke run's infer args on the suite's rows, one result file per pass", () => {
    const data = evaluationData(resolveFineTune(withSuites({ ...qloraSwift, training: { valRatio: 0 } })), qwen7b);
    expect(Object.keys(data)).toEqual(["eval-suites.txt", "suite-faq-adapter-infer-args.txt", "suite-faq-base-infer-args.txt", "eval-suite.py"]);
    expect(data["suite-faq-adapter-infer-args.txt"]!.trim().split("\n")).toEqual([
      ...["--model", "/work/model", "--model_type", "qwen2", "--template", "qwen2_5", "--max_length", "2048", "--truncation_strategy", "right"],
      ...["--quant_method", "bnb", "--quant_bits", "4", "--bnb_4bit_quant_type", "nf4", "--bnb_4bit_use_double_quant", "true", "--bnb_4bit_compute_dtype", "bfloat16"],
      ...["--torch_dtype", "bfloat16", "--infer_backend", "transformers", "--val_dataset", "/work/eval/suite-faq/rows.jsonl", "--val_dataset_shuffle", "false"],
      ...["--result_path", "/work/eval/suite-faq/adapter.jsonl", "--temperature", "0", "--max_new_tokens", "256"],
    ]);
    expect(data["suite-faq-base-infer-args.txt"]).toBe(data["suite-faq-adapter-infer-args.txt"]!.replace("/work/eval/suite-faq/adapter.jsonl", "/work/eval/suite-faq/base.jsonl"));
  });

  it("restores each suite like a dataset and lists it in the manifest template", () => {
    const plan = planFineTune({ spec: withSuites(seedLora), model: qwen7b, contract });
    expect(plan.config.data["datasets.txt"]).toBe("datasets/support/v3/train.jsonl 0-train.jsonl\ndatasets/general/alpaca-gpt4-en.json 1-alpaca-gpt4-en.json\ndatasets/support/faq.jsonl suite-faq-faq.jsonl\n");
    expect(JSON.parse(plan.config.data["manifest.json"]).suites).toEqual([{ ...FAQ, uri: "s3://acme-llmkit-dev-models/datasets/support/faq.jsonl" }]);
    const train = plan.job.spec.template.spec.initContainers.find((c: { name: string }) => c.name === "train");
    expect(train?.env).toContainEqual({ name: "EVAL_DIR", value: "/work/eval" });
  });

  it("changes the run id when a suite changes (what it scores is part of the run), and leaves it alone without suites", () => {
    const image = "hiyouga/llamafactory:0.9.5";
    const id = (spec: FineTuneConfig) => runId(resolveFineTune(spec), qwen7b, image);
    const ids = [seedLora, withSuites(seedLora), { ...seedLora, evaluation: { suites: [{ ...FAQ, maxSamples: 51 }] } }, { ...seedLora, evaluation: { suites: [{ ...FAQ, path: "datasets/support/faq2.jsonl" }] } }].map(id);
    expect(new Set(ids).size).toBe(4);
    expect(resolveFineTune(seedLora)).not.toHaveProperty("suites");
  });
});
