/**
 * Cross-field rules of fine-tunes that need more than one entry of the config: dataset references
 * into the `datasets` catalog, the engine's template names, Kueue settings. Each problem names its
 * path and the fix (docs/architecture.md §4).
 */
import { swiftModelType } from "../components/training/ms-swift.ts";
import { parseFrom } from "../components/training/preference.ts";
import { MS_SWIFT_TEMPLATES } from "../components/training/ms-swift-templates.ts";
import { bf16Problem } from "../components/training/precision.ts";
import { LLAMAFACTORY_QLORA_PROBLEM, LLAMAFACTORY_TEMPLATES } from "../components/training/templates.ts";
import type { Problem } from "./rules.ts";
import type { ParsedStackConfig, PlatformConfig } from "./schema.ts";

export function fineTuneRuleProblems(cfg: ParsedStackConfig): Problem[] {
  const problems: Problem[] = [];
  const catalog = new Map(cfg.datasets.map((d) => [d.name, d]));
  const catalogList = [...catalog.keys()].join(", ") || "none defined";

  cfg.fineTunes.forEach((f, i) => {
    const at = (...rest: (string | number)[]) => ["fineTunes", i, ...rest];
    f.datasets.forEach((d, j) => {
      const add = (key: string | undefined, message: string) =>
        problems.push({ path: key === undefined ? at("datasets", j) : at("datasets", j, key), message });
      if (d.path === undefined && d.dataset === undefined && d.upload === undefined) {
        add(undefined, "needs path (a store key), dataset + file (a mirrored llmkit:datasets entry) or upload (a file of this project)");
      } else if (d.path !== undefined && d.dataset !== undefined) {
        add("dataset", "give either path or dataset + file, not both");
      } else if (d.upload !== undefined && d.dataset !== undefined) {
        add("upload", `copies a file of this project into the store, but dataset "${d.dataset}" is mirrored from a hub: give either upload or dataset + file, not both`);
      } else if (d.upload !== undefined && d.path !== undefined) {
        add("path", "is derived from the uploaded file's content (datasets/uploads/<sha256>/<file name>), so a changed file is a new run: remove path");
      } else if (d.dataset !== undefined) {
        const hub = catalog.get(d.dataset);
        if (hub === undefined) add("dataset", `unknown dataset "${d.dataset}": use one of llmkit:datasets (${catalogList})`);
        if (d.file === undefined) add("file", `is required with dataset: name the file inside "${d.dataset}", e.g. data/train.jsonl`);
        else if (hub?.include !== undefined && !hub.include.some((glob) => globMatches(glob, d.file!))) {
          add("file", `"${d.file}" is not mirrored: llmkit:datasets "${hub.name}" includes only ${hub.include.join(", ")}; add it to include`);
        }
      }
      if (d.file !== undefined && d.dataset === undefined) add("file", "applies only with dataset: put the whole store key in path instead");
    });
    if (f.engine === "llamafactory" && !LLAMAFACTORY_TEMPLATES.includes(f.template)) {
      problems.push({ path: at("template"), message: `"${f.template}" is not a LLaMA-Factory template: use ${suggest(f.template, LLAMAFACTORY)}` });
    }
    if (f.engine === "ms-swift" && !MS_SWIFT_TEMPLATES.includes(f.template)) {
      problems.push({ path: at("template"), message: `"${f.template}" is not an ms-swift template: use ${suggest(f.template, MS_SWIFT)}` });
    }
    if (f.engine === "llamafactory" && f.method === "qlora") problems.push({ path: at("engine"), message: LLAMAFACTORY_QLORA_PROBLEM });
    const m = cfg.models.findIndex((model) => model.name === f.baseModel);
    if (f.engine === "ms-swift" && m >= 0 && swiftModelType(cfg.models[m]!) === undefined) {
      problems.push({
        path: ["models", m, "msSwiftModelType"],
        message:
          `is required: fine-tune "${f.name}" trains "${cfg.models[m]!.repo}" with ms-swift, which cannot tell its model type from the weights, and planner/models.ts has none for it; ` +
          "set the LLMModelType name ms-swift lists the model under (swift/model/models/*.py), e.g. qwen2",
      });
    }
    problems.push(...fromProblems(cfg, i));
    if (f.priority !== undefined && f.queue === undefined) {
      problems.push({ path: at("priority"), message: "needs queue: Kueue reads the priority class only on Jobs it manages; set queue to a LocalQueue name" });
    }
  });
  return problems;
}

/**
 * Stage dpo's `from: <fine-tune>@<runId>`: an SFT fine-tune of this stack on the same base, trained
 * with the same method (the adapter is trained further on the base as that run loaded it: a QLoRA
 * adapter against the quantised base).
 */
function fromProblems(cfg: ParsedStackConfig, i: number): Problem[] {
  const f = cfg.fineTunes[i]!;
  if (f.stage !== "dpo" || f.from === undefined) return [];
  const path = ["fineTunes", i, "from"];
  const { name, runId } = parseFrom(f.from);
  const sft = cfg.fineTunes.filter((g) => g.stage === "sft" && g.name !== f.name).map((g) => g.name);
  const source = cfg.fineTunes.find((g) => g.name === name);
  if (source === undefined || name === f.name) {
    return [{ path, message: `unknown fine-tune "${name}": name an SFT fine-tune of llmkit:fineTunes and the run id of its published adapter (${sft.join(", ") || "none defined"})` }];
  }
  const problems: Problem[] = [];
  if (source.stage !== "sft") problems.push({ path, message: `"${name}" is a ${source.stage} fine-tune: a DPO run starts from an SFT adapter (or from the base: remove from)` });
  if (source.baseModel !== f.baseModel) {
    problems.push({ path, message: `adapter "${name}@${runId}" was trained on base "${source.baseModel}" but this fine-tune trains "${f.baseModel}": an adapter only continues on its own base; set baseModel: ${source.baseModel}` });
  }
  const method = (g: typeof f) => (g.method === "qlora" ? `qlora (quantBits ${g.quantBits})` : "lora");
  if (method(source) !== method(f)) {
    problems.push({ path: ["fineTunes", i, "method"], message: `is ${method(f)} but "${name}" was trained with ${method(source)}: its adapter is trained further on the base loaded the same way; set method${source.method === "qlora" ? " and quantBits" : ""} as "${name}" has them` });
  }
  return problems;
}

/**
 * fnmatch-style matching as both hub clients filter files (huggingface_hub utils/_paths.py
 * filter_repo_objects and modelscope use fnmatch): `*` matches any run of characters, `/` included.
 */
function globMatches(glob: string, file: string): boolean {
  const pattern = glob.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${pattern}$`).test(file);
}

/**
 * Fine-tunes against the GPUs of the pools they run on; config/rules.ts poolProblems calls this
 * with the stack's own platform or, for a workloads stack, the platform stack's. The platform
 * contract carries no GPU model (only its memory), so the model comes from the platform config:
 * aws pools name it, existing pools do not (nothing to check there).
 */
export function fineTunePoolProblems(cfg: ParsedStackConfig, platform: PlatformConfig): Problem[] {
  if (platform.provider !== "aws") return [];
  const gpuOf = new Map(platform.gpuPools.map((p) => [p.name, p.gpu.name]));
  return cfg.fineTunes.flatMap((f, i) => {
    const gpu = gpuOf.get(f.pool);
    const problem = gpu === undefined || f.gpus === 0 ? undefined : bf16Problem(f.training?.precision, f.pool, gpu);
    return problem === undefined ? [] : [{ path: ["fineTunes", i, "training", "precision"], message: problem }];
  });
}

const LLAMAFACTORY = { names: LLAMAFACTORY_TEMPLATES, where: "components/training/templates.ts (LLaMA-Factory src/llamafactory/data/template.py)" };
const MS_SWIFT = { names: MS_SWIFT_TEMPLATES, where: "components/training/ms-swift-templates.ts (ms-swift swift/template/templates/*.py)" };

/** Templates sharing the first letters, so `qwen2_5` points at `qwen`, `qwen3`, …; else where the list is. */
function suggest(template: string, engine: { names: readonly string[]; where: string }): string {
  const prefix = template.slice(0, 3).toLowerCase();
  const near = engine.names.filter((t) => t.startsWith(prefix)).slice(0, 6);
  const list = `the names in ${engine.where}`;
  return near.length > 0 ? `one of ${near.join(", ")} or ${list}` : `one of ${list}`;
}
