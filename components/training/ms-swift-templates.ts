/**
 * Chat template names ms-swift registers: every `register_template(<Meta>(<TemplateType>.name, …))`
 * in modelscope/ms-swift@v4.5.2 (ff5128777dd3) swift/template/templates/*.py, i.e. the keys of
 * swift/template/register.py TEMPLATE_MAPPING (236 names; `internlm3` is declared in
 * swift/template/constant.py but never registered, so it is not here). An unknown `--template` fails
 * only once the GPU node, image and weights are up (register.py:50 "template_type: '…' not in
 * [...]"), so the stack refuses it first. The pinned image runs 4.5.3 (components/lib/versions.ts);
 * CI checks this list against the installed ms-swift. A plain array of strings on purpose: that
 * check imports it as data.
 */
export const MS_SWIFT_TEMPLATES: readonly string[] = [
  "atom", "aya", "baichuan", "baichuan_m1", "bert", "bge_reranker", "bluelm", "c4ai", "chatglm2", "chatglm4",
  "chatglm4v", "chatml", "codefuse", "codefuse_codellama", "codegeex4", "cogagent_chat", "cogagent_vqa", "cogvlm",
  "cogvlm2", "cogvlm2_video", "dbrx", "deepseek", "deepseek_coder", "deepseek_janus", "deepseek_janus_pro",
  "deepseek_ocr", "deepseek_ocr2", "deepseek_r1", "deepseek_v2_5", "deepseek_v3_1", "deepseek_v4",
  "deepseek_v4_flash", "deepseek_vl", "deepseek_vl2", "default", "devstral", "diffusion_gemma", "doc_owl2", "dots1",
  "dots_ocr", "dummy", "emu3_chat", "emu3_gen", "ernie", "ernie_thinking", "ernie_vl", "ernie_vl_thinking",
  "florence", "gemma", "gemma3_text", "gemma3_vision", "gemma3n", "gemma4", "gemma4_nothinking", "glm4", "glm4_5",
  "glm4_5v", "glm4_7", "glm4_z1_rumination", "glm4v", "glm5_1", "glm5_2", "glm_edge_v", "glm_ocr", "got_ocr2",
  "got_ocr2_hf", "gpt_oss", "hunyuan", "hunyuan_moe", "hunyuan_ocr", "hy_v3", "hy_v3_preview", "idefics3",
  "internlm", "internlm2", "internlm2_reward", "interns1", "internvl", "internvl2", "internvl2_5", "internvl2_phi3",
  "internvl3_5", "internvl3_5_gpt", "internvl_hf", "internvl_phi3", "iquestcoder", "ixcomposer2", "jina_reranker_m0",
  "keye_vl", "keye_vl_1_5", "kimi_k2", "kimi_k25", "kimi_k3", "kimi_vl", "ling", "ling2", "llama", "llama3",
  "llama3_1_omni", "llama3_2", "llama3_2_vision", "llama3_llava_next", "llama3_llava_next_hf", "llama4",
  "llava1_5_hf", "llava1_6_mistral", "llava1_6_mistral_hf", "llava1_6_vicuna_hf", "llava1_6_yi", "llava1_6_yi_hf",
  "llava_llama3_1_hf", "llava_llama3_hf", "llava_next_qwen", "llava_next_qwen_hf", "llava_next_video_hf",
  "llava_onevision1_5", "llava_onevision_hf", "longchat", "longwriter_llama", "marco_o1", "megrez", "megrez_omni",
  "mengzi", "midashenglm", "mimo_rl", "mimo_v2", "mimo_vl", "minicpm", "minicpm5", "minicpmo", "minicpmo4_5",
  "minicpmv", "minicpmv2_5", "minicpmv2_6", "minicpmv4", "minicpmv4_5", "minicpmv4_6", "minimax", "minimax_m1",
  "minimax_m2", "minimax_m2_1", "minimax_m2_5", "minimax_m2_7", "minimax_m3_vl", "minimax_vl", "minimind",
  "mistral_2501", "mistral_2503", "mistral_2506", "mistral_2512", "mistral_2512_thinking", "mistral_nemo",
  "modelscope_agent", "molmo", "molmo2", "moonlight", "mplug_owl2", "mplug_owl3", "mplug_owl3_241101",
  "muse_glimmer", "nemotron_h", "numina", "olmoe", "olmoe_0924", "openbuddy", "openbuddy2", "orion", "ovis1_6",
  "ovis1_6_llama3", "ovis2", "ovis2_5", "ovis_ocr2", "paddle_ocr", "paddle_ocr_1_5", "paligemma", "phi3",
  "phi3_vision", "phi4", "phi4_multimodal", "pixtral", "qvq", "qwen", "qwen2_5", "qwen2_5_math", "qwen2_5_math_prm",
  "qwen2_5_omni", "qwen2_5_vl", "qwen2_audio", "qwen2_gme", "qwen2_vl", "qwen3", "qwen3_5", "qwen3_8", "qwen3_asr",
  "qwen3_coder", "qwen3_emb", "qwen3_guard", "qwen3_nothinking", "qwen3_omni", "qwen3_reranker", "qwen3_thinking",
  "qwen3_tts", "qwen3_vl", "qwen3_vl_emb", "qwen3_vl_reranker", "qwen_audio", "qwen_vl", "qwq", "qwq_preview",
  "reflection", "ring2", "ring2_5", "sail_vl2", "seed_oss", "skywork", "skywork_o1", "step3_vl", "step_audio",
  "step_audio2_mini", "sus", "telechat", "telechat2", "unlimited_ocr", "valley", "wizardlm2", "wizardlm2_moe",
  "xcomposer2_4khd", "xcomposer2_5", "xverse", "yi_coder", "yi_vl", "youtu_llm", "yuan", "yufeng_xguard", "zephyr",
  "ziya",
];
