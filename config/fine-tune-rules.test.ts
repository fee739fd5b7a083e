/**
 * Fine-tune refusals at the config level (schema + config/rules.ts + config/fine-tune-rules.ts),
 * each with its exact path and fix, and the `{dataset, file}` references the schema resolves.
 */
import { describe, expect, it } from "vitest";
import { platformContract } from "../components/platform/contract.ts";
import { change, local, platformDev, workloadsDev, type Raw } from "../test/bad-configs.ts";
import { loadStack, parseStackConfig } from "./load.ts";
import { preflightWarnings } from "./preflight.ts";
import { poolProblems } from "./rules.ts";

const problems = (raw: Raw): string[] => {
  const result = parseStackConfig(raw);
  return result.ok ? [] : result.problems;
};

const ULTRACHAT = {
  name: "ultrachat",
  repo: "HuggingFaceH4/ultrachat_200k",
  revision: "8049631c405ae6576f93f445c6b8166f76f5505a",
  include: ["data/train_sft-*.parquet"],
};
const withCatalog = (r: Raw) => (r.datasets = [structuredClone(ULTRACHAT)]);

describe("fine-tune refusals (the rest are in test/bad-configs.ts, run through the loader, render and the program)", () => {
  it.each<[string, (r: Raw) => void, string[]]>([
    ["identity with a blank author", (r) => (r.fineTunes[0].identity = { name: "Ada", author: "  ", path: "datasets/identity.json" }), [
      "llmkit:fineTunes[0].identity.author: must not be empty",
    ]],
    ["identity outside the store", (r) => (r.fineTunes[0].identity = { name: "Ada", author: "Acme", path: "/data/identity.json" }), [
      'llmkit:fineTunes[0].identity.path: must be a key under the store\'s "datasets/" prefix, e.g. datasets/support/train.jsonl',
    ]],
    ["dataset key climbing out of datasets/", (r) => (r.fineTunes[0].datasets[0] = { path: "datasets/../adapters/x.json", format: "alpaca" }), [
      'llmkit:fineTunes[0].datasets[0].path: must not contain ".." (keys are literal, never resolved)',
    ]],
    ["priority without queue", (r) => (r.fineTunes[0].priority = "high"), [
      "llmkit:fineTunes[0].priority: needs queue: Kueue reads the priority class only on Jobs it manages; set queue to a LocalQueue name",
    ]],
    ["empty smoke prompt", (r) => (r.fineTunes[0].smokePrompts = ["hi", " "]), ["llmkit:fineTunes[0].smokePrompts[1]: must not be empty"]],
    ["dataset with neither path, dataset nor upload", (r) => delete r.fineTunes[0].datasets[0].upload, [
      "llmkit:fineTunes[0].datasets[0]: needs path (a store key), dataset + file (a mirrored llmkit:datasets entry) or upload (a file of this project)",
    ]],
    ["dataset with both path and dataset", (r) => (withCatalog(r), (r.fineTunes[0].datasets[0] = { path: "datasets/support/train.jsonl", format: "alpaca", dataset: "ultrachat", file: "a.jsonl" })), [
      "llmkit:fineTunes[0].datasets[0].dataset: give either path or dataset + file, not both",
    ]],
    ["unknown mirrored dataset, without file", (r) => (r.fineTunes[0].datasets[0] = { dataset: "ultra", format: "openai" }), [
      'llmkit:fineTunes[0].datasets[0].dataset: unknown dataset "ultra": use one of llmkit:datasets (none defined)',
      'llmkit:fineTunes[0].datasets[0].file: is required with dataset: name the file inside "ultra", e.g. data/train.jsonl',
    ]],
    ["file without dataset", (r) => (r.fineTunes[0].datasets[0].file = "train.jsonl"), [
      "llmkit:fineTunes[0].datasets[0].file: applies only with dataset: put the whole store key in path instead",
    ]],
    ["file climbing out of the mirrored dataset", (r) => (withCatalog(r), delete r.datasets[0].include, (r.fineTunes[0].datasets[0] = { dataset: "ultrachat", file: "../x.json", format: "openai" })), [
      'llmkit:fineTunes[0].datasets[0].file: must not contain ".."',
    ]],
    ["file the mirror's include patterns leave out", (r) => (withCatalog(r), (r.fineTunes[0].datasets[0] = { dataset: "ultrachat", file: "data/test_sft-0.parquet", format: "openai" })), [
      'llmkit:fineTunes[0].datasets[0].file: "data/test_sft-0.parquet" is not mirrored: llmkit:datasets "ultrachat" includes only data/train_sft-*.parquet; add it to include',
    ]],
    ["unpinned dataset revision", (r) => (withCatalog(r), (r.datasets[0].revision = "main")), [
      'llmkit:datasets[0].revision: "main" is not a pinned revision: use the 40-character commit sha from the hub\'s history',
    ]],
    ["dataset catalog entry without revision", (r) => (withCatalog(r), delete r.datasets[0].revision), [
      "llmkit:datasets[0].revision: is required: add a string value",
    ]],
    ["duplicate catalog names", (r) => (withCatalog(r), r.datasets.push(structuredClone(ULTRACHAT))), [
      'llmkit:datasets[1].name: "ultrachat" is already used by datasets[0]: names must be unique',
    ]],
    ["include pattern with a space", (r) => (withCatalog(r), (r.datasets[0].include = ["data/a b.json"])), [
      "llmkit:datasets[0].include[0]: must be a glob pattern without spaces, e.g. data/*.jsonl",
    ]],
  ])("%s", (_label, edit, expected) => {
    expect(problems(change(local(), edit))).toEqual(expected);
  });

  it("accepts a valid identity, queue, priority and smoke prompts", () => {
    const raw = change(local(), (r) =>
      Object.assign(r.fineTunes[0], {
        identity: { name: "Ada", author: "Acme", path: "datasets/identity.json" },
        queue: "training",
        priority: "low",
        smokePrompts: ["hi"],
      }),
    );
    const result = parseStackConfig(raw);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.fineTunes[0]!.identity).toEqual({ name: "Ada", author: "Acme", path: "datasets/identity.json", format: "alpaca" });
  });
});

describe("mirrored dataset references", () => {
  it("become store keys under datasets/<repo>/<revision>/", () => {
    const raw = change(workloadsDev(), (r) => {
      withCatalog(r);
      r.fineTunes[0].datasets[1] = { dataset: "ultrachat", file: "data/train_sft-00000.parquet", format: "openai", purpose: "general", samples: 20000 };
    });
    const { config } = loadStack("workloads-dev", raw);
    expect(config.datasets[0]).toEqual({ ...ULTRACHAT, hub: "huggingface", sizeGiB: 5 });
    expect(config.fineTunes[0]!.datasets[1]).toEqual({
      path: "datasets/HuggingFaceH4/ultrachat_200k/8049631c405ae6576f93f445c6b8166f76f5505a/data/train_sft-00000.parquet",
      mirror: "datasets/HuggingFaceH4/ultrachat_200k/8049631c405ae6576f93f445c6b8166f76f5505a/",
      format: "openai",
      purpose: "general",
      samples: 20000,
    });
  });
});

describe("spot on Karpenter pools", () => {
  const aws = parseStackConfig(platformDev());
  if (!aws.ok) throw new Error(aws.problems.join("\n"));
  const cfg = (spot: boolean, pool = "training-l40s") => {
    const parsed = parseStackConfig(change(workloadsDev(), (r) => Object.assign(r.fineTunes[0], { spot, pool })));
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
    return parsed.config;
  };

  it("accepts spot and on-demand on a training-spot pool", () => {
    expect(poolProblems(cfg(true), aws.config.platform!)).toEqual([]);
    expect(poolProblems(cfg(false), aws.config.platform!)).toEqual([]);
  });

  it("refuses spot on an on-demand pool with the pool's capacity and the fix", () => {
    expect(poolProblems(cfg(true, "serving-l4"), aws.config.platform!)).toEqual([
      {
        path: ["fineTunes", 0, "spot"],
        message: 'is true but pool "serving-l4" offers on-demand capacity: use a pool with preset "training-spot" or capacityTypes including spot, or remove spot',
      },
    ]);
  });
});

describe("bf16 on the platform's GPUs", () => {
  // T4 (sm_75) has no native bf16: transformers' TrainingArguments stops with "Your setup doesn't
  // support bf16/gpu" (src/transformers/utils/import_utils.py is_torch_bf16_gpu_available)
  const platform = (gpu: string) => {
    const parsed = parseStackConfig(change(platformDev(), (r) => (r.platform.gpuPools[1].gpu = { name: gpu, count: 1 })));
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
    return parsed.config.platform!;
  };
  const workloads = (edit: (r: Raw) => void = () => {}) => {
    const parsed = parseStackConfig(change(workloadsDev(), edit));
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
    return parsed.config;
  };

  it("refuses a workloads stack's bf16 runs on the platform stack's T4 pool, each with its path", () => {
    expect(poolProblems(workloads(), platform("t4"))).toEqual([0, 1].map((i) => ({
      path: ["fineTunes", i, "training", "precision"],
      message: 'is bf16 (the default) but pool "training-l40s" runs t4 GPUs, which have no native bf16 (the trainer stops with "Your setup doesn\'t support bf16/gpu"): set training.precision: fp16',
    })));
  });

  it("accepts fp16 there, and bf16 on Ampere-or-newer pools", () => {
    const fp16 = workloads((r) => r.fineTunes.forEach((f: Raw) => (f.training = { ...f.training, precision: "fp16" })));
    expect(poolProblems(fp16, platform("t4"))).toEqual([]);
    expect(poolProblems(workloads(), platform("l40s"))).toEqual([]);
  });
});

describe("domain:general warnings", () => {
  it("are printed by render for the shipped stacks, by config path", () => {
    const loaded = loadStack("local", local());
    const warnings = preflightWarnings(loaded, platformContract(loaded.platform)).filter((w) => w.includes(".datasets:"));
    expect(warnings).toEqual([
      "llmkit:fineTunes[0].datasets: domain:general is 1:0, outside 1:2–1:10 (catastrophic forgetting risk): add a dataset with purpose: general (e.g. mirrored through llmkit:datasets)",
    ]);
  });
});

describe("merge/GGUF follow-ups", () => {
  const warnings = (raw: Raw) => {
    const loaded = loadStack("workloads-dev", raw);
    return preflightWarnings(loaded, platformContract(loaded.platform)).filter((w) => w.includes(".merge:"));
  };

  it("are quiet when llmkit:release pins the current run (workloads-dev)", () => {
    expect(warnings(workloadsDev())).toEqual([]);
  });

  it("say when they will start while the release pins another run", () => {
    const raw = change(workloadsDev(), (r) => (r.release.adapters["support-bot"].runId = "0123456789ab"));
    expect(warnings(raw)).toEqual([
      'llmkit:fineTunes[0].merge: the merge and GGUF Jobs of run c2f47069e7bc start once llmkit:release.adapters.support-bot.runId pins "c2f47069e7bc" (after training has published it), so no pod waits on a GPU node',
    ]);
  });
});
