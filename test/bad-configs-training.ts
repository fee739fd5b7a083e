/** Bad training configs (see bad-configs.ts): each a shipped stack with one thing changed. */
import { change, local, platformDev, workloadsDev, type BadCase, type Raw } from "./stack-edits.ts";
import { projectRoot } from "../config/load.ts";

/** A DPO fine-tune of workloads-dev's base on preference data, appended as fineTunes[2]. */
function withDpo(edit: (dpo: Raw, r: Raw) => void) {
  return change(workloadsDev(), (r) => {
    const dpo: Raw = {
      name: "support-bot-dpo",
      baseModel: "qwen2-5-7b",
      engine: "llamafactory",
      stage: "dpo",
      from: "support-bot@0123456789ab",
      template: "qwen",
      datasets: [{ path: "datasets/support/prefs.jsonl", format: "alpaca-preference" }],
      pool: "training-l40s",
      gpus: 1,
    };
    edit(dpo, r);
    r.fineTunes.push(dpo);
  });
}

/** The local stack with its fine-tune's dataset replaced (it uploads data/support/train.jsonl). */
const localDataset = (d: Raw) => change(local(), (r) => (r.fineTunes[0].datasets[0] = { format: "alpaca", ...d }));

export const TRAINING_CASES: BadCase[] = [
  // datasets[].upload (config/uploads.ts; too large, binary and symbolic links: config/uploads.test.ts)
  ["upload of a file that does not exist", localDataset({ upload: "data/support/tarin.jsonl" }), [
    `llmkit:fineTunes[0].datasets[0].upload: ${projectRoot()}/data/support/tarin.jsonl does not exist: the path is relative to the project root ${projectRoot()}`,
  ]],
  ["upload escaping the project", localDataset({ upload: "../secrets/train.jsonl" }), [
    'llmkit:fineTunes[0].datasets[0].upload: must not contain "..": the file must be inside the project',
  ]],
  ["upload of an absolute path", localDataset({ upload: "/etc/passwd" }), [
    "llmkit:fineTunes[0].datasets[0].upload: must be a file path relative to the project root (the folder holding stacks/), e.g. data/support/train.jsonl",
  ]],
  ["upload of a folder", localDataset({ upload: "data/support" }), [
    `llmkit:fineTunes[0].datasets[0].upload: ${projectRoot()}/data/support is not a file`,
  ]],
  ["upload together with a hub dataset", change(local(), (r) => {
    r.datasets = [{ name: "ultrachat", repo: "HuggingFaceH4/ultrachat_200k", revision: "8049631c405ae6576f93f445c6b8166f76f5505a" }];
    Object.assign(r.fineTunes[0].datasets[0], { dataset: "ultrachat", file: "train.jsonl" });
  }), [
    'llmkit:fineTunes[0].datasets[0].upload: copies a file of this project into the store, but dataset "ultrachat" is mirrored from a hub: give either upload or dataset + file, not both',
  ]],
  ["upload together with a store key", change(local(), (r) => (r.fineTunes[0].datasets[0].path = "datasets/support/train.jsonl")), [
    "llmkit:fineTunes[0].datasets[0].path: is derived from the uploaded file's content (datasets/uploads/<sha256>/<file name>), so a changed file is a new run: remove path",
  ]],
  ["maxSteps of 0", change(local(), (r) => (r.fineTunes[0].training.maxSteps = 0)), [
    "llmkit:fineTunes[0].training.maxSteps: must be > 0, got number 0",
  ]],
  // stage dpo (components/training/preference.ts); LLaMA-Factory@v0.9.5 data/loader.py refuses a
  // non-ranking dataset in stage dpo only once the pod runs ("The dataset is not applicable …")
  ["stage dpo on a dataset without chosen/rejected columns", withDpo((d) => (d.datasets[0].format = "sharegpt")), [
    "llmkit:fineTunes[2].datasets[0].format: is sharegpt, which has no chosen/rejected answers: stage dpo needs preference data, one of alpaca-preference, sharegpt-preference, openai-preference",
  ]],
  ["stage dpo from an unknown fine-tune", withDpo((d) => (d.from = "support-bot-v2@0123456789ab")), [
    'llmkit:fineTunes[2].from: unknown fine-tune "support-bot-v2": name an SFT fine-tune of llmkit:fineTunes and the run id of its published adapter (support-bot, support-bot-qlora)',
  ]],
  ["stage dpo from an adapter of another base", withDpo((d, r) => {
    r.models.push({ name: "llama-8b", repo: "meta-llama/Llama-3.1-8B-Instruct", revision: "0e9e39f249a16976918f6564b8830bc894c89659", sizeGiB: 16 });
    Object.assign(d, { baseModel: "llama-8b", template: "llama3" });
  }), [
    'llmkit:fineTunes[2].from: adapter "support-bot@0123456789ab" was trained on base "qwen2-5-7b" but this fine-tune trains "llama-8b": an adapter only continues on its own base; set baseModel: qwen2-5-7b',
  ]],
  // TRL's DPO losses (trl 0.29 trainer/dpo_trainer.py) have no orpo; ms-swift runs ORPO as rlhf_type orpo
  ["stage dpo with a loss ms-swift's DPO does not offer", withDpo((d) => Object.assign(d, { engine: "ms-swift", template: "qwen2_5", preference: { loss: "orpo" } })), [
    "llmkit:fineTunes[2].preference.loss: orpo is not a loss ms-swift offers with DPO (ms-swift 4.5 --rlhf_type dpo --loss_type, TRL's DPO losses; ORPO and SimPO are other rlhf_types there): use one of sigmoid, hinge, ipo, or engine: llamafactory",
  ]],
  // the QLoRA adapter was trained against the quantised base; continuing it in bf16 is another model
  ["stage dpo continuing a QLoRA adapter with plain LoRA", withDpo((d) => Object.assign(d, { engine: "ms-swift", template: "qwen2_5", from: "support-bot-qlora@0123456789ab" })), [
    'llmkit:fineTunes[2].method: is lora but "support-bot-qlora" was trained with qlora (quantBits 4): its adapter is trained further on the base loaded the same way; set method and quantBits as "support-bot-qlora" has them',
  ]],
  ["stage dpo with lora settings while continuing an adapter", withDpo((d) => (d.lora = { rank: 32 })), [
    "llmkit:fineTunes[2].lora: does not apply with from: the run keeps training support-bot's adapter, whose rank, alpha, dropout and targets are fixed in its adapter_config.json; remove lora",
  ]],
  ["preference data in an SFT run", change(workloadsDev(), (r) => (r.fineTunes[0].datasets[0].format = "openai-preference")), [
    "llmkit:fineTunes[0].datasets[0].format: openai-preference is preference data (chosen/rejected) for stage: dpo; an SFT run needs one of alpaca, sharegpt, openai, query-response",
  ]],
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
  // evaluation suites (components/training/evaluation.ts): names become metric names, one answer per row
  ["evaluation suites: bad name, zero maxSamples, preference format", change(local(), (r) => {
    const suite = (name: string, extra: Record<string, unknown> = {}) => ({ name, path: `datasets/eval/${name}.jsonl`, format: "alpaca", ...extra });
    r.fineTunes[0].evaluation = {
      suites: [suite("faq"), suite("FAQ_2"), suite("few", { maxSamples: 0 }), suite("prefs", { format: "alpaca-preference" })],
    };
  }), [
    "llmkit:fineTunes[0].evaluation.suites[1].name: must be lower-case letters, digits and '-', starting and ending with a letter or digit (it names the metrics suite.<name>.exactMatch and suite.<name>.rougeL)",
    "llmkit:fineTunes[0].evaluation.suites[2].maxSamples: must be > 0, got number 0",
    'llmkit:fineTunes[0].evaluation.suites[3].format: must be one of alpaca, sharegpt, openai: a suite is prompts with one reference answer each (preference data has no single answer to score)',
  ]],
  ["evaluation suites: a duplicate name and a suite that is the training data", change(workloadsDev(), (r) => {
    r.fineTunes[0].evaluation = {
      suites: [{ name: "faq", path: "datasets/eval/faq.jsonl", format: "alpaca" }, { name: "faq", path: "datasets/support/v3/train.jsonl", format: "openai" }],
    };
  }), [
    'llmkit:fineTunes[0].evaluation.suites[1].name: "faq" is already used by evaluation.suites[0]: suite names must be unique',
    "llmkit:fineTunes[0].evaluation.suites[1].path: is datasets[0].path, which the run trains on: evaluate on held-out rows in a file of their own",
  ]],
  ["evaluation with no suites", change(local(), (r) => (r.fineTunes[0].evaluation = { suites: [] })), [
    "llmkit:fineTunes[0].evaluation.suites: must list at least one suite, or leave evaluation out",
  ]],
];
