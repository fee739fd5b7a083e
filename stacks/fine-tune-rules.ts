/**
 * Cross-field rules of fine-tunes that need more than one entry of the config: dataset references
 * into the `datasets` catalog, the engine's template names, Kueue settings. Each problem names its
 * path and the fix (DESIGN.md §4).
 */
import { LLAMAFACTORY_TEMPLATES } from "../components/training/templates.ts";
import type { Problem } from "./rules.ts";
import type { ParsedStackConfig } from "./schema.ts";

export function fineTuneRuleProblems(cfg: ParsedStackConfig): Problem[] {
  const problems: Problem[] = [];
  const catalog = new Map(cfg.datasets.map((d) => [d.name, d]));
  const catalogList = [...catalog.keys()].join(", ") || "none defined";

  cfg.fineTunes.forEach((f, i) => {
    const at = (...rest: (string | number)[]) => ["fineTunes", i, ...rest];
    f.datasets.forEach((d, j) => {
      const add = (key: string | undefined, message: string) =>
        problems.push({ path: key === undefined ? at("datasets", j) : at("datasets", j, key), message });
      if (d.path === undefined && d.dataset === undefined) {
        add(undefined, "needs path (a store key) or dataset + file (a mirrored llmkit:datasets entry)");
      } else if (d.path !== undefined && d.dataset !== undefined) {
        add("dataset", "give either path or dataset + file, not both");
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
      problems.push({ path: at("template"), message: `"${f.template}" is not a LLaMA-Factory template: use ${suggest(f.template)}` });
    }
    if (f.priority !== undefined && f.queue === undefined) {
      problems.push({ path: at("priority"), message: "needs queue: Kueue reads the priority class only on Jobs it manages; set queue to a LocalQueue name" });
    }
  });
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

/** Templates sharing the first letters, so `qwen2_5` points at `qwen`, `qwen3`, …; else where the list is. */
function suggest(template: string): string {
  const prefix = template.slice(0, 3).toLowerCase();
  const near = LLAMAFACTORY_TEMPLATES.filter((t) => t.startsWith(prefix)).slice(0, 6);
  const list = "the names in components/training/templates.ts (LLaMA-Factory src/llamafactory/data/template.py)";
  return near.length > 0 ? `one of ${near.join(", ")} or ${list}` : `one of ${list}`;
}
