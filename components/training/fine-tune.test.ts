import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { AdapterManifestSchema } from "../lib/adapter-manifest.ts";
import { TRAINING_SCRIPTS } from "./scripts.ts";
import { installMocks, registeredOf } from "./__fixtures__/mocks.ts";
import { contract, qloraSwift, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const registered = await installMocks();
const { FineTune, planFineTune } = await import("./fine-tune.ts");

const seed = planFineTune({ spec: seedLora, model: qwen7b, contract });
const qlora = planFineTune({ spec: qloraSwift, model: qwen7b, contract });

/** The rendered objects without the scripts (those are golden files of their own: scripts/*). */
function golden(plan: typeof seed): string {
  const data = Object.fromEntries(Object.entries(plan.config.data).filter(([k]) => !/\.(sh|py)$/.test(k)));
  return stringify([{ ...plan.config, data }, plan.job]);
}

describe("planFineTune", () => {
  it("names the run, its Job and its adapter prefix from the run id", () => {
    expect(seed.runId).toMatch(/^[0-9a-f]{12}$/);
    expect(seed.job.metadata.name).toBe(`support-bot-train-${seed.runId}`);
    expect(seed.config.metadata.name).toBe(`support-bot-train-${seed.runId}`);
    expect(seed.config.immutable).toBe(true);
    expect(seed.adapterUri).toBe(`s3://acme-llmkit-dev-models/adapters/support-bot/${seed.runId}/`);
    expect(qlora.job.metadata.name.length).toBeLessThanOrEqual(63);
  });

  it("gives an unchanged spec the same run and a changed spec a new one", () => {
    expect(planFineTune({ spec: structuredClone(seedLora), model: qwen7b, contract }).runId).toBe(seed.runId);
    expect(planFineTune({ spec: { ...seedLora, training: { epochs: 2 } }, model: qwen7b, contract }).runId).not.toBe(seed.runId);
    expect(planFineTune({ spec: { ...seedLora, engine: "ms-swift" }, model: qwen7b, contract }).runId).not.toBe(seed.runId);
  });

  it("renders the seed LLaMA-Factory LoRA run exactly", async () => {
    await expect(golden(seed)).toMatchFileSnapshot("__golden__/fine-tune-seed-lora.yaml");
  });

  it("renders the ms-swift QLoRA run exactly", async () => {
    await expect(golden(qlora)).toMatchFileSnapshot("__golden__/fine-tune-qlora-ms-swift.yaml");
  });

  it("places the trainer on the pool with its GPUs, runs restore → train → publish and classifies failures", () => {
    const spec = seed.job.spec;
    const pod = spec.template.spec;
    expect(pod.nodeSelector).toEqual({ "llmkit.dev/pool": "training-l40s" });
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(pod.serviceAccountName).toBe("llmkit-trainer");
    expect(pod.initContainers.map((c) => [c.name, c.image, c.command, "restartPolicy" in c ? c.restartPolicy : undefined])).toEqual([
      ["restore", "amazon/aws-cli:2.36.7", ["bash", "/config/restore.sh"], undefined],
      ["checkpoint-sync", "amazon/aws-cli:2.36.7", ["bash", "/config/checkpoint-sync.sh"], "Always"],
      ["train", "hiyouga/llamafactory:0.9.5", ["bash", "/config/train.sh"], undefined],
    ]);
    expect(pod.containers.map((c) => [c.name, c.command])).toEqual([["publish", ["bash", "/config/publish.sh"]]]);
    expect(pod.terminationGracePeriodSeconds).toBe(120);
    const train = pod.initContainers[2]!;
    const trainerResources = { cpu: "8", memory: "64Gi", "nvidia.com/gpu": "1" };
    expect(train.resources).toEqual({ requests: trainerResources, limits: trainerResources });
    expect(spec.template.metadata.annotations).toEqual({ "karpenter.sh/do-not-disrupt": "true" });
    expect(seed.job.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    expect(spec.activeDeadlineSeconds).toBe(24 * 3600);
    expect(pod.restartPolicy).toBe("Never");
    expect(spec.podFailurePolicy.rules).toEqual([
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
      { action: "FailJob", onExitCodes: { operator: "In", values: [3] } },
    ]);
    expect(pod.volumes).toEqual([
      { name: "work", emptyDir: { sizeLimit: "40Gi" } },
      { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "16Gi" } },
      { name: "config", configMap: { name: `support-bot-train-${seed.runId}`, defaultMode: 0o444 } },
    ]);
  });

  it("runs one training process per GPU on both engines, so the manifest's global batch is what trains", () => {
    // `swift sft` starts torchrun only with NPROC_PER_NODE set (modelscope/ms-swift@v4.5.2
    // swift/cli/main.py:30-35), else one process spans every GPU; llamafactory-cli starts one per
    // visible GPU on its own (hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/launcher.py:60-66)
    const fourGpus = { ...contract, pools: contract.pools.map((p) => (p.gpuResource === undefined ? p : { ...p, gpusPerNode: 4 })) };
    const trainEnv = (plan: typeof seed) => plan.job.spec.template.spec.initContainers.find((c) => c.name === "train")!.env;
    const manifest = (plan: typeof seed) => JSON.parse(plan.config.data["manifest.json"]).batch;
    const swift4 = planFineTune({ spec: { ...qloraSwift, gpus: 4 }, model: qwen7b, contract: fourGpus });
    const lf4 = planFineTune({ spec: { ...seedLora, gpus: 4 }, model: qwen7b, contract: fourGpus });
    expect(trainEnv(swift4)).toContainEqual({ name: "NPROC_PER_NODE", value: "4" });
    expect(trainEnv(lf4).filter((e) => e.name === "NPROC_PER_NODE")).toEqual([]);
    expect(trainEnv(qlora).filter((e) => e.name === "NPROC_PER_NODE")).toEqual([]);
    expect(manifest(swift4)).toEqual({ microBatchSize: 1, gradientAccumulation: 16, gpus: 4, global: 64 });
    expect(manifest(lf4)).toEqual({ microBatchSize: 1, gradientAccumulation: 16, gpus: 4, global: 64 });
  });

  it("ships the engine config the engine reads, the dataset list and the manifest", () => {
    const scripts = ["store.sh", "restore.sh", "checkpoint-sync.sh", "train.sh", "dataset-columns.py", "lineage.py", "publish.sh"];
    // with a val split (the default), the held-out evaluation's configs and script (./evaluation.ts)
    expect(Object.keys(seed.config.data)).toEqual(["train.yaml", "dataset_info.json", "datasets.txt", "manifest.json", ...scripts, "eval-adapter.yaml", "eval-base.yaml", "eval-heldout.py"]);
    expect(Object.keys(qlora.config.data)).toEqual(["swift-args.txt", "datasets.txt", "manifest.json", ...scripts, "swift-eval-args.txt", "eval-heldout.py"]);
    expect(seed.config.data["datasets.txt"]).toBe(
      "datasets/support/v3/train.jsonl 0-train.jsonl\ndatasets/general/alpaca-gpt4-en.json 1-alpaca-gpt4-en.json\n",
    );
    const manifest = JSON.parse(seed.config.data["manifest.json"]);
    expect(manifest).toEqual({
      schemaVersion: 1,
      name: "support-bot",
      runId: seed.runId,
      specHash: expect.stringMatching(new RegExp(`^${seed.runId}[0-9a-f]{52}$`)),
      engine: "llamafactory",
      engineImage: "hiyouga/llamafactory:0.9.5",
      engineVersion: "0.9.5",
      baseModel: { name: "qwen2-5-7b", hub: "huggingface", repo: "Qwen/Qwen2.5-7B-Instruct", revision: "a09a35458c702b33eeacc393d103063234e8bc28" },
      datasets: [
        { path: "datasets/support/v3/train.jsonl", uri: "s3://acme-llmkit-dev-models/datasets/support/v3/train.jsonl", format: "sharegpt", purpose: "domain", samples: null },
        { path: "datasets/general/alpaca-gpt4-en.json", uri: "s3://acme-llmkit-dev-models/datasets/general/alpaca-gpt4-en.json", format: "alpaca", purpose: "general", samples: 20000 },
      ],
      lora: { rank: 8, alpha: 32, dropout: 0.05, targets: "all-linear" },
      batch: { microBatchSize: 1, gradientAccumulation: 16, gpus: 1, global: 16 },
    });
    // what the pod adds (scripts/lineage.py, publish.sh) completes it to the shared schema
    const runtime = {
      result: { steps: 10, finalEvalLoss: 0.5, bestEvalLoss: 0.4 },
      restarts: 0,
      wallSeconds: 60,
      gpuType: "NVIDIA L40S",
      createdAt: "2026-01-01T00:00:00Z",
      evaluation: { "heldout.loss": { adapter: 0.5, base: 0.9, better: "lower", samples: 12 } },
      smoke: [],
    };
    const datasets = manifest.datasets.map((d: object) => ({ ...d, etag: "abc", rows: 3 }));
    expect(AdapterManifestSchema.safeParse({ ...manifest, datasets, ...runtime }).success).toBe(true);
    expect(JSON.parse(qlora.config.data["manifest.json"]).specHash.slice(0, 12)).toBe(qlora.runId);
  });

  describe("smoke prompts", () => {
    const prompts = ["Who are you?", 'Say "hi"\nthen stop'];
    const seedSmoke = planFineTune({ spec: { ...seedLora, smokePrompts: prompts }, model: qwen7b, contract });
    const qloraSmoke = planFineTune({ spec: { ...qloraSwift, smokePrompts: prompts }, model: qwen7b, contract });

    it("ship each engine's predict config next to its train config, and the prompts as its dataset", () => {
      const lf = seedSmoke.config.data as Record<string, string>;
      expect(Object.keys(lf).filter((k) => k.startsWith("smoke-"))).toEqual(["smoke-predict.yaml", "smoke-prompts.json", "smoke-dataset.jsonl", "smoke-dataset_info.json"]);
      expect(lf["smoke-dataset.jsonl"]!.split("\n").filter(Boolean).map((l) => JSON.parse(l))).toEqual(prompts.map((p) => ({ instruction: p })));
      expect(JSON.parse(lf["smoke-dataset_info.json"]!)).toEqual({ smoke: { file_name: "smoke-dataset.jsonl", formatting: "alpaca", columns: { prompt: "instruction" } } });
      const swift = qloraSmoke.config.data as Record<string, string>;
      expect(Object.keys(swift).filter((k) => k.startsWith("smoke-"))).toEqual(["smoke-infer-args.txt", "smoke-prompts.json", "smoke-dataset.jsonl"]);
      expect(swift["smoke-dataset.jsonl"]!.split("\n").filter(Boolean).map((l) => JSON.parse(l))).toEqual(prompts.map((p) => ({ messages: [{ role: "user", content: p }] })));
      // without prompts nothing of the smoke run is shipped
      expect(Object.keys(seed.config.data).filter((k) => k.startsWith("smoke-"))).toEqual([]);
      expect(seedSmoke.job.spec.template.spec.initContainers.find((c) => c.name === "train")!.env).toContainEqual({ name: "SMOKE_DIR", value: "/work/smoke" });
    });

    it("renders the LLaMA-Factory predict config exactly", async () => {
      await expect((seedSmoke.config.data as Record<string, string>)["smoke-predict.yaml"]).toMatchFileSnapshot("__golden__/smoke-predict-seed-lora.yaml");
    });

    it("renders the ms-swift infer arguments exactly (QLoRA: the base is quantised as in training)", async () => {
      await expect((qloraSmoke.config.data as Record<string, string>)["smoke-infer-args.txt"]).toMatchFileSnapshot("__golden__/smoke-infer-qlora-ms-swift.args.txt");
    });
  });

  it("syncs checkpoints from a native sidecar and names each attempt after its pod", () => {
    const pod = seed.job.spec.template.spec;
    const env = (name: string) => Object.fromEntries(pod.initContainers.find((c) => c.name === name)!.env.map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env("checkpoint-sync")).toMatchObject({
      STORE_BUCKET: "acme-llmkit-dev-models",
      CHECKPOINT_PREFIX: `checkpoints/support-bot/${seed.runId}/`,
      OUTPUT_DIR: "/work/output",
      DONE_MARKER: "/work/.published",
      SYNC_INTERVAL_SECONDS: "60",
      KEEP_CHECKPOINTS: "2",
    });
    expect(env("restore")).toMatchObject({ POD_NAME: { fieldRef: { fieldPath: "metadata.name" } }, LINEAGE_DIR: "/work/lineage" });
    expect(env("train")).toMatchObject({ DATA_DIR: "/work/data", LINEAGE_DIR: "/work/lineage", WORK_DIR: "/work" });
    const sidecar = pod.initContainers[1]!;
    expect(sidecar.volumeMounts).toEqual([{ name: "work", mountPath: "/work" }, { name: "config", mountPath: "/config", readOnly: true }]);
  });

  it.each([
    ["restore", "restore.sh"],
    ["checkpoint-sync", "checkpoint-sync.sh"],
    ["train", "train.sh"],
    ["publish", "publish.sh"],
  ] as const)("sets every variable %s's script requires", (container, script) => {
    const line = TRAINING_SCRIPTS[script].replace(/\\\n\s*/g, " ").split("\n").find((l) => l.startsWith("require "))!;
    const pod = seed.job.spec.template.spec;
    const names = [...pod.initContainers, ...pod.containers].find((c) => c.name === container)!.env.map((e) => e.name);
    expect(line.split(/\s+/).slice(1).filter((v) => !names.includes(v))).toEqual([]);
  });

  it("runs CPU-only jobs without GPU requests or tolerations", () => {
    const cpu = planFineTune({ spec: { ...seedLora, pool: "cpu", gpus: 0, training: { precision: "fp32" } }, model: qwen7b, contract });
    const pod = cpu.job.spec.template.spec;
    expect(pod.tolerations).toEqual([]);
    expect(pod.initContainers.find((c) => c.name === "train")!.resources.limits).toEqual({ cpu: "4", memory: "16Gi" });
  });

  it("refuses an invalid spec with every problem", () => {
    expect(() => planFineTune({ spec: { ...seedLora, pool: "nope" }, model: { ...qwen7b, name: "x" }, contract })).toThrow(
      'fine-tune "support-bot" is invalid:\n  - baseModel is "qwen2-5-7b" but model "x" was passed\n  - pool "nope" is not in the platform contract (pools: training-l40s, cpu)',
    );
  });
});

describe("FineTune", () => {
  it("registers the ConfigMap and the run's Job under the component and outputs the run", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const ft = new FineTune("support-bot", { spec: seedLora, model: qwen7b, contract }, { provider });
    const [id, uri] = await Promise.all([ft.runId, ft.adapterUri].map((o) => new Promise((resolve) => o.apply(resolve))));
    expect([id, uri]).toEqual([seed.runId, seed.adapterUri]);
    const children = await registeredOf(registered, ["llmkit:training:FineTune", "kubernetes:core/v1:ConfigMap", "kubernetes:batch/v1:Job"], 3);
    expect(children.map((r) => [r.type, r.name])).toEqual([
      ["llmkit:training:FineTune", "support-bot"],
      ["kubernetes:core/v1:ConfigMap", "support-bot-train-config"],
      ["kubernetes:batch/v1:Job", `support-bot-train-${seed.runId}`],
    ]);
    expect(children[1]!.inputs.data).toEqual(seed.config.data);
    expect(children[1]!.inputs.metadata.name).toBe(`support-bot-train-${seed.runId}`);
    expect(children[1]!.inputs.immutable).toBe(true);
    expect(children[1]!.inputs.data["restore.sh"]).toBe(TRAINING_SCRIPTS["restore.sh"]);
    expect(children[2]!.inputs.metadata).toEqual(seed.job.metadata);
    expect(children[2]!.inputs.spec.template.spec.initContainers[2].image).toBe("hiyouga/llamafactory:0.9.5");
    expect(children.slice(1).map((c) => c.provider)).toEqual([expect.stringContaining("::k8s::"), expect.stringContaining("::k8s::")]);
  });
});
