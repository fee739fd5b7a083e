/** Bad training configs (see bad-configs.ts): each a shipped stack with one thing changed. */
import { change, platformDev, workloadsDev, type BadCase } from "./stack-edits.ts";

export const TRAINING_CASES: BadCase[] = [
  // modelscope/ms-swift@v4.5.2 swift/template/register.py:50 refuses it only once the pod runs
  ["unknown ms-swift template", change(workloadsDev(), (r) => (r.fineTunes[1].template = "qwen2.5")), [
    'llmkit:fineTunes[1].template: "qwen2.5" is not an ms-swift template: use one of qwen, qwen2_5, qwen2_5_math, qwen2_5_math_prm, qwen2_5_omni, qwen2_5_vl or the names in components/training/ms-swift-templates.ts (ms-swift swift/template/templates/*.py)',
  ]],
  // hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/data/template.py registers no moss_vl (added in 713b5a3f9)
  ["LLaMA-Factory template newer than the pinned 0.9.5", change(workloadsDev(), (r) => (r.fineTunes[0].template = "moss_vl")), [
    'llmkit:fineTunes[0].template: "moss_vl" is not a LLaMA-Factory template: use one of the names in components/training/templates.ts (LLaMA-Factory src/llamafactory/data/template.py)',
  ]],
  // the 0.9.5 image installs no bitsandbytes (docker/docker-cuda/Dockerfile:35-36 at v0.9.5)
  ["QLoRA on LLaMA-Factory", change(workloadsDev(), (r) => Object.assign(r.fineTunes[1], { engine: "llamafactory", template: "qwen" })), [
    "llmkit:fineTunes[1].engine: is llamafactory but method is qlora: the pinned LLaMA-Factory image (hiyouga/llamafactory:0.9.5) has no bitsandbytes, which QLoRA quantisation needs; use engine: ms-swift for QLoRA (or method: lora)",
  ]],
  // Qwen2ForCausalLM maps to qwen2 and qwen2_gte (ms-swift@v4.5.2 swift/model/model_meta.py:224-230)
  ["ms-swift on a model outside the catalog without a model type", change(workloadsDev(), (r) => (r.models[0].repo = "Qwen/Qwen2.5-Coder-7B-Instruct")), [
    'llmkit:models[0].msSwiftModelType: is required: fine-tune "support-bot-qlora" trains "Qwen/Qwen2.5-Coder-7B-Instruct" with ms-swift, which cannot tell its model type from the weights, and planner/models.ts has none for it; set the LLMModelType name ms-swift lists the model under (swift/model/models/*.py), e.g. qwen2',
  ]],
  ["ms-swift model type that is not a name", change(workloadsDev(), (r) => (r.models[0].msSwiftModelType = "Qwen2")), [
    "llmkit:models[0].msSwiftModelType: must be an ms-swift model type such as qwen2 (an LLMModelType value in ms-swift's swift/model/constant.py)",
  ]],
  // T4 (sm_75) has no native bf16: transformers stops with "Your setup doesn't support bf16/gpu"
  ["bf16 (the default) on T4 GPUs", change(platformDev(), (r) => {
    const workloads = workloadsDev();
    r.layer = "all";
    r.platform.gpuPools[1].gpu = { name: "t4", count: 1 };
    r.models = workloads.models;
    // without its merge/GGUF follow-ups, which wait for a release pin this stack has not got
    r.fineTunes = [workloads.fineTunes[0]];
    delete r.fineTunes[0].merge;
    delete r.fineTunes[0].export;
  }), [
    'llmkit:fineTunes[0].training.precision: is bf16 (the default) but pool "training-l40s" runs t4 GPUs, which have no native bf16 (the trainer stops with "Your setup doesn\'t support bf16/gpu"): set training.precision: fp16',
  ]],
];
