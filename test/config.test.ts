/**
 * Bad stack configs: each is refused with every problem named by its exact config path and a fix.
 * Cases start from the shipped `local` (layer all) or `workloads-dev` stack and change one thing.
 */
import { describe, expect, it } from "vitest";
import { platformContract } from "../components/platform/contract.ts";
import { ConfigError, loadStack, parseStackConfig, readStackFile } from "../stacks/load.ts";
import { preflightProblems } from "../stacks/preflight.ts";

type Raw = Record<string, any>;
const local = () => structuredClone(readStackFile("local")) as Raw;
const workloadsDev = () => structuredClone(readStackFile("workloads-dev")) as Raw;

function problems(raw: Raw): string[] {
  const result = parseStackConfig(raw);
  return result.ok ? [] : result.problems;
}

function change<T extends Raw>(raw: T, edit: (r: T) => void): T {
  edit(raw);
  return raw;
}

const SECOND_MODEL = {
  name: "llama-8b",
  repo: "meta-llama/Llama-3.1-8B-Instruct",
  revision: "0e9e39f249a16976918f6564b8830bc894c89659",
  sizeGiB: 16,
};

const cases: [string, Raw, string[]][] = [
  ["typo in a top-level key", change(local(), (r) => ((r.fineTune = r.fineTunes), delete r.fineTunes)), [
    'llmkit: unknown key "fineTune": did you mean "fineTunes"?',
  ]],
  ["typo in a nested key", change(local(), (r) => (r.fineTunes[0].lora = { rnak: 8 })), [
    'llmkit:fineTunes[0].lora: unknown key "rnak": did you mean "rank"?',
  ]],
  ["wrong type", change(local(), (r) => (r.serving[0].replicas.min = "two")), [
    'llmkit:serving[0].replicas.min: must be a number, got string "two"',
  ]],
  ["unknown enum value", change(local(), (r) => (r.layer = "both")), [
    'llmkit:layer: must be one of "platform", "workloads", "all", got string "both"',
  ]],
  ["unknown base model", change(local(), (r) => (r.fineTunes[0].baseModel = "llama")), [
    'llmkit:fineTunes[0].baseModel: unknown model "llama": use one of llmkit:models (qwen2-5-0-5b)',
    'llmkit:release.adapters.support-bot.baseModel: is "qwen2-5-0-5b" but fine-tune "support-bot" trains on "llama": make them match',
  ]],
  ["unpinned revision", change(local(), (r) => (r.models[0].revision = "main")), [
    'llmkit:models[0].revision: "main" is not a pinned revision: use the 40-character commit sha from the hub\'s history',
  ]],
  ["LoRA rank 0", change(local(), (r) => (r.fineTunes[0].lora = { rank: 0 })), [
    "llmkit:fineTunes[0].lora.rank: must be > 0, got number 0",
  ]],
  ["LoRA alpha ≤ 0", change(local(), (r) => (r.fineTunes[0].lora = { alpha: -16 })), [
    "llmkit:fineTunes[0].lora.alpha: must be > 0, got number -16",
  ]],
  ["bad resource name", change(local(), (r) => (r.serving[0].name = "Chat_Bot")), [
    "llmkit:serving[0].name: must be lower-case letters, digits and '-', starting and ending with a letter or digit",
  ]],
  ["missing required field", change(local(), (r) => delete r.models[0].repo), [
    "llmkit:models[0].repo: is required: add a string value",
  ]],
  ["adapter missing from release", change(local(), (r) => (r.release.adapters = {})), [
    'llmkit:serving[0].adapters[0]: adapter "support-bot" is not pinned in llmkit:release.adapters: add support-bot: {runId, baseModel}',
  ]],
  ["adapter trained on another base", change(local(), (r) => {
    r.models.push(SECOND_MODEL);
    r.serving[0].baseModel = "llama-8b";
  }), [
    'llmkit:serving[0].adapters[0]: adapter "support-bot" was trained on base "qwen2-5-0-5b" but this service serves "llama-8b"',
  ]],
  ["QLoRA without bits", change(local(), (r) => Object.assign(r.fineTunes[0], { method: "qlora", gpus: 1 })), [
    "llmkit:fineTunes[0].quantBits: is required for method qlora: set 4 or 8",
    'llmkit:fineTunes[0].gpus: requests 1 GPU(s) but pool "cpu" has no GPUs: lower gpus or pick a larger pool',
  ]],
  ["unknown pool", change(local(), (r) => (r.serving[0].pool = "gpu")), [
    'llmkit:serving[0].pool: unknown pool "gpu": use one of platform\'s pools (cpu)',
  ]],
  ["dataset outside the store", change(local(), (r) => (r.fineTunes[0].datasets[0].path = "s3://elsewhere/train.jsonl")), [
    'llmkit:fineTunes[0].datasets[0].path: must be a key under the store\'s "datasets/" prefix, e.g. datasets/support/train.jsonl',
  ]],
  ["negative sample count", change(local(), (r) => (r.fineTunes[0].datasets[0].samples = -5)), [
    "llmkit:fineTunes[0].datasets[0].samples: must be > 0, got number -5",
  ]],
  ["unquoted run id", change(local(), (r) => (r.release.adapters["support-bot"].runId = 123456789012)), [
    'llmkit:release.adapters.support-bot.runId: must be a quoted string ("…"): YAML read it as the number 123456789012',
  ]],
  ["duplicate names", change(local(), (r) => r.fineTunes.push(structuredClone(r.fineTunes[0]))), [
    'llmkit:fineTunes[1].name: "support-bot" is already used by fineTunes[0]: names must be unique',
  ]],
  ["maxCpuLoras below maxLoras", change(local(), (r) => Object.assign(r.serving[0].engine, { maxLoras: 4, maxCpuLoras: 2 })), [
    "llmkit:serving[0].engine.maxCpuLoras: (2) must be ≥ engine.maxLoras (4) as vLLM requires",
  ]],
  ["unknown platform provider", change(local(), (r) => (r.platform.provider = "gcp")), [
    "llmkit:platform.provider: must be one of \"local\", \"existing\", \"aws\", got string \"gcp\"",
  ]],
  ["secure value in llmkit config", change(local(), (r) => (r.platform.store.bucket = { secure: "AAABAJ…" })), [
    "llmkit:platform.store.bucket: is a secure value, but llmkit config is never secret: keep secrets in a Kubernetes Secret or ESC and reference it by name",
  ]],
  ["prod on a local platform with one open replica", change(local(), (r) => {
    r.env = "prod";
    r.serving[0].auth = { type: "none" };
  }), [
    "llmkit:serving[0].replicas.min: is 1 but prod needs at least 2 replicas (no scale to zero, survives a node loss)",
    'llmkit:serving[0].auth: is "none" but prod endpoints must authenticate: use type: api-key',
    'llmkit:platform.provider: is "local" but prod needs durable, retained storage: use aws or existing',
  ]],
  ["workloads layer without a platform stack", change(workloadsDev(), (r) => delete r.platformStack), [
    'llmkit:platformStack: is required when layer is "workloads": name the platform stack, e.g. platform-dev',
  ]],
  ["platform block in a workloads stack", change(workloadsDev(), (r) => (r.platform = { provider: "local" })), [
    'llmkit:platform: must not be set when layer is "workloads": it belongs to the platform stack',
    'llmkit:fineTunes[0].pool: unknown pool "training-l40s": use one of platform\'s pools (cpu)',
    'llmkit:fineTunes[1].pool: unknown pool "training-l40s": use one of platform\'s pools (cpu)',
    'llmkit:serving[0].pool: unknown pool "serving-l4": use one of platform\'s pools (cpu)',
  ]],
];

describe("bad stack configs are refused with the path and the fix", () => {
  it("has at least 15 distinct cases", () => expect(cases.length).toBeGreaterThanOrEqual(15));
  it.each(cases)("%s", (_name, raw, expected) => {
    expect(problems(raw)).toEqual(expected);
  });
});

describe("workloads stacks are checked against their platform stack", () => {
  it("refuses a pool the platform stack does not define", () => {
    const raw = change(workloadsDev(), (r) => (r.serving[0].pool = "serving-h100"));
    expect(() => loadStack("workloads-dev", raw)).toThrow(ConfigError);
    try {
      loadStack("workloads-dev", raw);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'llmkit:serving[0].pool: unknown pool "serving-h100": use one of platform stack "platform-dev"\'s pools (serving-l4, training-l40s)',
      ]);
    }
  });

  it("refuses more GPUs than the pool's nodes have", () => {
    const raw = change(workloadsDev(), (r) => (r.fineTunes[0].gpus = 4));
    expect(() => loadStack("workloads-dev", raw)).toThrow(/requests 4 GPU\(s\) but pool "training-l40s" has 1 GPU\(s\) per node/);
  });

  it("refuses a platform stack that does not exist", () => {
    const raw = change(workloadsDev(), (r) => (r.platformStack = "platform-nowhere"));
    expect(() => loadStack("workloads-dev", raw)).toThrow(/Pulumi\.platform-nowhere\.yaml: no such stack file/);
  });
});

describe("shipped stacks", () => {
  it.each(["local", "platform-dev", "platform-prod", "workloads-dev", "workloads-prod"])("%s is valid", (stack) => {
    expect(problems(readStackFile(stack))).toEqual([]);
  });
});

describe("preflight: component rules run over the whole stack before registration", () => {
  const run = (stack: string, raw: Raw) => {
    const loaded = loadStack(stack, raw);
    return preflightProblems(loaded, platformContract(loaded.platform));
  };

  it("shipped stacks pass", () => {
    for (const stack of ["local", "platform-dev", "platform-prod", "workloads-dev", "workloads-prod"]) {
      expect(run(stack, readStackFile(stack))).toEqual([]);
    }
  });

  it("reports every component's problems at once, each with its path", () => {
    const raw = change(workloadsDev(), (r) => {
      r.fineTunes[1].lora.alpha = 16.5;
      r.release.adapters["support-bot"].rank = 1024;
      r.fineTunes[0].lora = { rank: 1024 };
    });
    expect(run("workloads-dev", raw)).toEqual([
      "llmkit:fineTunes[1]: lora.alpha 16.5 must be a whole number for ms-swift (tuner_args.py lora_alpha: int)",
      expect.stringMatching(/^llmkit:serving\[0\]: .*1024/),
    ]);
  });

  it("refuses a Kubernetes version without pinned add-ons", () => {
    const raw = change(readStackFile("platform-dev") as Raw, (r) => (r.platform.cluster.kubernetesVersion = "1.29"));
    expect(run("platform-dev", raw)).toEqual([
      expect.stringMatching(/^llmkit:platform\.cluster\.kubernetesVersion: "1\.29" has no pinned eks-pod-identity-agent version/),
    ]);
  });
});
