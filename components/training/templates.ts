/**
 * Chat template names LLaMA-Factory registers in the pinned release: `register_template(name=...)`
 * in hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/data/template.py (121 names). The contract list
 * CI checks against (contracts.test.ts) is from main ff6d4d12eeb0 (0.9.6.dev0) and has
 * three more, added after v0.9.5: hy_dense_1_8b and hy_dense_7b (aca54c7f1, #10605) and moss_vl
 * (713b5a3f9, #10708); the 0.9.5 image fails on them. An unknown `template` fails only after the
 * GPU node, image and weights are up, so the stack refuses it first. contracts.test.ts keeps this
 * list a subset of the contract's.
 */
export const LLAMAFACTORY_TEMPLATES: readonly string[] = [
  "alpaca", "bailing", "bailing_v2", "breeze", "chatglm3", "chatml", "chatml_de", "cohere", "cpm4", "dbrx",
  "deepseek", "deepseek3", "deepseekr1", "hy3", "deepseekcoder", "default", "dots_ocr", "empty", "ernie",
  "ernie_nothink", "ernie_vl", "exaone", "falcon", "falcon_h1", "fewshot", "gemma", "gemma2", "gemma3",
  "gemma3n", "gemma4", "gemma4n", "glm4", "glm4_moe", "glm4v", "glm4_5v", "glm_ocr", "glm4_7", "glmz1",
  "gpt_oss", "granite3", "granite3_vision", "granite4", "index", "hunyuan", "hunyuan_small", "intern2", "intern_vl", "intern_s1", "keye_vl", "kimi_vl", "lfm2", "lfm2_vl", "llama2",
  "llama2_zh", "llama3", "llama4", "mllama", "moonlight", "llava", "llava_next",
  "llava_next_llama3", "llava_next_mistral", "llava_next_qwen", "llava_next_yi", "llava_next_video",
  "llava_next_video_mistral", "llava_next_video_yi", "mimo", "mimo_v2", "mimo_vl", "minicpm_v",
  "minicpm_v_4_6", "minicpm_o", "minimax1", "minimax2", "ministral", "mistral", "mistral_small",
  "ministral3", "olmo", "openchat", "openchat-3.6", "opencoder", "paligemma", "paligemma_chat", "phi",
  "phi_small", "phi4", "phi4_mini", "pixtral", "qwen", "qwen3", "qwen3_nothink", "qwen2_audio", "qwen2_omni",
  "qwen3_omni", "qwen3_omni_nothink", "qwen2_vl", "qwen3_vl", "qwen3_vl_nothink", "qwen3_5",
  "qwen3_5_nothink", "qwen3_6", "sailor", "seed_coder", "seed_oss", "smollm", "smollm2", "solar", "starchat",
  "telechat2", "vicuna", "video_llava", "xuanyuan", "yi", "yi_vl", "youtu", "youtu_vl", "yuan", "zephyr",
  "aeva",
];

/**
 * QLoRA on LLaMA-Factory: its bitsandbytes quantisation needs bitsandbytes
 * (src/llamafactory/model/model_utils/quantization.py:166-172 check_version(..., mandatory=True) at
 * v0.9.5), and the pinned image installs only the package, metrics and deepspeed extras
 * (docker/docker-cuda/Dockerfile:35-36 at v0.9.5): refused, ms-swift's image runs QLoRA.
 */
export const LLAMAFACTORY_QLORA_PROBLEM =
  "is llamafactory but method is qlora: the pinned LLaMA-Factory image (hiyouga/llamafactory:0.9.5) has no bitsandbytes, which QLoRA quantisation needs; use engine: ms-swift for QLoRA (or method: lora)";
