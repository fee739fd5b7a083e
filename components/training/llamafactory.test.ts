import { describe, expect, it } from "vitest";
import { resolveFineTune } from "./defaults.ts";
import { llamaFactoryYaml, renderDatasetInfo, renderLlamaFactoryConfig } from "./llamafactory.ts";
import { seedLora } from "./__fixtures__/specs.ts";

const seed = resolveFineTune(seedLora);

describe("renderLlamaFactoryConfig", () => {
  it("renders every key for the seed LoRA spec", () => {
    expect(renderLlamaFactoryConfig(seed)).toEqual({
      model_name_or_path: "/work/model",
      trust_remote_code: false,
      disable_gradient_checkpointing: false,
      stage: "sft",
      do_train: true,
      finetuning_type: "lora",
      lora_rank: 8,
      lora_alpha: 32,
      lora_dropout: 0.05,
      lora_target: "all",
      dataset: "0-train.jsonl,1-alpaca-gpt4-en.json",
      dataset_dir: "/work/data",
      template: "qwen",
      cutoff_len: 2048,
      val_size: 0.1,
      overwrite_cache: false,
      output_dir: "/work/output",
      overwrite_output_dir: false,
      save_strategy: "steps",
      save_steps: 50,
      save_total_limit: 2,
      save_only_model: false,
      logging_steps: 10,
      report_to: "none",
      plot_loss: false,
      per_device_train_batch_size: 1,
      gradient_accumulation_steps: 16,
      learning_rate: 1e-4,
      num_train_epochs: 3,
      lr_scheduler_type: "cosine",
      warmup_ratio: 0.05,
      bf16: true,
      fp16: false,
      eval_strategy: "steps",
      eval_steps: 50,
      per_device_eval_batch_size: 1,
    });
  });

  it("adds bitsandbytes quantisation for QLoRA", () => {
    const cfg = renderLlamaFactoryConfig(resolveFineTune({ ...seedLora, method: "qlora", quantBits: 8 }));
    expect(cfg).toMatchObject({ quantization_method: "bnb", quantization_bit: 8, quantization_type: "nf4", double_quantization: true });
  });

  it("turns evaluation off without a validation split, and maps precision and targets", () => {
    const cfg = renderLlamaFactoryConfig(
      resolveFineTune({ ...seedLora, lora: { targets: ["q_proj", "v_proj"] }, training: { valRatio: 0, precision: "fp32" } }),
    );
    expect(cfg).toMatchObject({ eval_strategy: "no", lora_target: "q_proj,v_proj", bf16: false, fp16: false, val_size: 0 });
    expect(cfg).not.toHaveProperty("eval_steps");
    expect(cfg).not.toHaveProperty("quantization_bit");
  });

  it("matches the golden YAML", async () => {
    await expect(llamaFactoryYaml(seed)).toMatchFileSnapshot("__golden__/llamafactory-seed-lora.yaml");
  });
});

describe("renderDatasetInfo", () => {
  it("maps each dataset format to LLaMA-Factory formatting, columns and tags", () => {
    const ft = resolveFineTune({
      ...seedLora,
      datasets: [
        { path: "datasets/a/train.jsonl", format: "alpaca", purpose: "domain" },
        { path: "datasets/b/train.jsonl", format: "sharegpt", purpose: "domain", samples: 5 },
        { path: "datasets/c/chat.jsonl", format: "openai", purpose: "general" },
        { path: "datasets/d/qr.jsonl", format: "query-response", purpose: "general" },
      ],
    });
    expect(renderDatasetInfo(ft)).toEqual({
      "0-train.jsonl": {
        file_name: "0-train.jsonl",
        formatting: "alpaca",
        // the optional columns of each format (hiyouga/LLaMA-Factory@v0.9.5 data/README.md :81-87, :211-215)
        columns: { prompt: "instruction", query: "input", response: "output", system: "system", history: "history" },
      },
      "1-train.jsonl": {
        file_name: "1-train.jsonl",
        num_samples: 5,
        formatting: "sharegpt",
        columns: { messages: "conversations", system: "system", tools: "tools" },
        tags: {
          role_tag: "from",
          content_tag: "value",
          user_tag: "human",
          assistant_tag: "gpt",
          observation_tag: "observation",
          function_tag: "function_call",
          system_tag: "system",
        },
      },
      "2-chat.jsonl": {
        file_name: "2-chat.jsonl",
        formatting: "sharegpt",
        columns: { messages: "messages" },
        tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" },
      },
      "3-qr.jsonl": { file_name: "3-qr.jsonl", formatting: "alpaca", columns: { prompt: "query", response: "response" } },
    });
  });
});
