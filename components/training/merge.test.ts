import { existsSync, readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { fineTuneSchema, type FineTuneConfig } from "./inputs.ts";
import { resolveFineTune } from "./defaults.ts";
import { renderLlamaFactoryExport, renderSwiftExportArgs, resolveMerge } from "./merge.ts";
import { MERGE_SCRIPTS } from "./scripts.ts";
import { installMocks, registeredOf } from "./__fixtures__/mocks.ts";
import { contract, qloraSwift, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const registered = await installMocks();
const { FineTune, planFineTune } = await import("./fine-tune.ts");

const merging: FineTuneConfig = { ...seedLora, merge: true };
const plan = planFineTune({ spec: merging, model: qwen7b, contract });
const merge = plan.followUps.merge!;
const swiftLora = planFineTune({ spec: { ...seedLora, engine: "ms-swift", template: "qwen2_5", merge: { enabled: true, dtype: "float16" } }, model: qwen7b, contract });

function golden(p: NonNullable<typeof plan.followUps.merge>): string {
  const data = Object.fromEntries(Object.entries(p.config.data).filter(([k]) => !k.endsWith(".sh")));
  return stringify([{ ...p.config, data }, p.job], { aliasDuplicateObjects: false });
}

describe("planMerge", () => {
  it("merges into merged/<name>/<runId>/ with a Job named after the run, without changing the run id", () => {
    expect(plan.runId).toBe(planFineTune({ spec: seedLora, model: qwen7b, contract }).runId);
    expect(merge.job.metadata.name).toBe(`support-bot-merge-${plan.runId}`);
    expect(merge.config.metadata.name).toBe(`support-bot-merge-${plan.runId}`);
    expect(merge.config.immutable).toBe(true);
    expect(merge.uri).toBe(`s3://acme-llmkit-dev-models/merged/support-bot/${plan.runId}/`);
    expect(planFineTune({ spec: seedLora, model: qwen7b, contract }).followUps).toEqual({ merge: null, gguf: null });
    expect(planFineTune({ spec: { ...seedLora, merge: { enabled: false } }, model: qwen7b, contract }).followUps.merge).toBeNull();
  });

  it("renders the LLaMA-Factory merge exactly", async () => {
    await expect(golden(merge)).toMatchFileSnapshot("__golden__/merge-seed-lora.yaml");
  });

  it("writes the LLaMA-Factory export config (examples/merge_lora) with the dtype of training", () => {
    expect(parse(merge.config.data["export.yaml"]!)).toEqual({
      model_name_or_path: "/work/model",
      adapter_name_or_path: "/work/adapter",
      template: "qwen",
      trust_remote_code: false,
      finetuning_type: "lora",
      infer_dtype: "bfloat16",
      export_dir: "/work/merged",
      export_size: 5,
      export_device: "auto",
      export_legacy_format: false,
    });
    expect(Object.keys(merge.config.data)).toEqual(["export.yaml", "store.sh", "merge.sh"]);
    expect(merge.config.data["merge.sh"]).toBe(MERGE_SCRIPTS["merge.sh"]);
  });

  it("gives ms-swift the base, its model type, template and dtype explicitly (the adapter has no args.json)", () => {
    // Qwen2ForCausalLM maps to qwen2 and qwen2_gte: without --model_type, export raises "Multiple
    // possible types found" (modelscope/ms-swift@v4.5.2 swift/model/model_meta.py:224-230)
    expect(Object.keys(swiftLora.followUps.merge!.config.data)).toEqual(["swift-export-args.txt", "store.sh", "merge.sh"]);
    expect(swiftLora.followUps.merge!.config.data["swift-export-args.txt"]).toBe(
      "--model\n/work/model\n--model_type\nqwen2\n--adapters\n/work/adapter\n--template\nqwen2_5\n--merge_lora\ntrue\n--torch_dtype\nfloat16\n--device_map\nauto\n" +
        "--safe_serialization\ntrue\n--max_shard_size\n5GB\n--output_dir\n/work/merged\n",
    );
  });

  it("runs restore → merge → upload on the pool with one GPU, sized from the model, with training's Job hygiene", () => {
    const spec = merge.job.spec;
    const pod = spec.template.spec;
    expect(merge.job.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    expect([spec.backoffLimit, spec.activeDeadlineSeconds, spec.ttlSecondsAfterFinished]).toEqual([2, 24 * 3600 + 3 * 3600, 7 * 24 * 3600]);
    expect(spec.podFailurePolicy.rules).toEqual([
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
      { action: "FailJob", onExitCodes: { operator: "In", values: [3] } },
    ]);
    expect(pod.serviceAccountName).toBe("llmkit-trainer");
    expect(pod.nodeSelector).toEqual({ "llmkit.dev/pool": "training-l40s" });
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect([...pod.initContainers, ...pod.containers].map((c) => [c.name, c.image, c.command, c.args])).toEqual([
      ["restore", "amazon/aws-cli:2.36.7", ["bash", "/config/merge.sh"], ["restore"]],
      ["merge", "hiyouga/llamafactory:0.9.5", ["bash", "/config/merge.sh"], ["merge"]],
      ["upload", "amazon/aws-cli:2.36.7", ["bash", "/config/merge.sh"], ["upload"]],
    ]);
    const restoreEnv = Object.fromEntries(pod.initContainers[0]!.env.map((e) => [e.name, e.value]));
    expect(restoreEnv).toMatchObject({
      STORE_BUCKET: "acme-llmkit-dev-models",
      MERGED_PREFIX: `merged/support-bot/${plan.runId}/`,
      ADAPTER_PREFIX: `adapters/support-bot/${plan.runId}/`,
      MODEL_PREFIX: "models/Qwen/Qwen2.5-7B-Instruct/a09a35458c702b33eeacc393d103063234e8bc28/",
      ADAPTER_WAIT_SECONDS: "86400",
    });
    const resources = { cpu: "4", memory: "28Gi", "nvidia.com/gpu": "1" };
    expect(pod.initContainers[1]!.resources).toEqual({ requests: resources, limits: resources });
    expect(pod.initContainers[1]!.env).toContainEqual({ name: "HF_HUB_OFFLINE", value: "1" });
    // 15.3 GiB base + 15.3 GiB merged, +10%, + 5
    expect(pod.volumes).toEqual([
      { name: "work", emptyDir: { sizeLimit: "39Gi" } },
      { name: "config", configMap: { name: `support-bot-merge-${plan.runId}`, defaultMode: 0o444 } },
    ]);
  });

  it("merges on CPU without a GPU on a CPU pool, float32 doubling memory and scratch", () => {
    const cpu = planFineTune({ spec: { ...seedLora, pool: "cpu", gpus: 0, training: { precision: "fp32" }, merge: true }, model: qwen7b, contract });
    const m = cpu.followUps.merge!;
    expect(parse(m.config.data["export.yaml"]!)).toMatchObject({ export_device: "cpu", infer_dtype: "float32" });
    expect([m.job.spec.template.spec.tolerations, m.job.spec.template.spec.nodeSelector]).toEqual([[], {}]);
    expect(m.job.spec.template.spec.initContainers[1]!.resources.limits).toEqual({ cpu: "4", memory: "47Gi" });
    expect(m.job.spec.template.spec.volumes[0]).toEqual({ name: "work", emptyDir: { sizeLimit: "56Gi" } });
  });

  it("refuses to merge a QLoRA run, in the component and in the stack schema with its path", () => {
    expect(() => planFineTune({ spec: { ...qloraSwift, merge: true }, model: qwen7b, contract })).toThrow(
      'fine-tune "support-bot-qlora" is invalid:\n  - merge: cannot merge a QLoRA adapter',
    );
    const parsed = fineTuneSchema.safeParse({ ...qloraSwift, merge: { dtype: "bfloat16" } });
    expect(parsed.error?.issues.map((i) => [i.path, i.message.split(":")[0]])).toEqual([[["merge"], "cannot merge a QLoRA adapter"]]);
    expect(fineTuneSchema.safeParse({ ...qloraSwift, merge: false }).success).toBe(true);
  });

  it("defaults the dtype to the training precision", () => {
    const ft = resolveFineTune({ ...seedLora, training: { precision: "fp16" } });
    expect(resolveMerge({ ...seedLora, merge: true }, ft)).toEqual({ dtype: "float16" });
    expect(resolveMerge({ ...seedLora, merge: { enabled: true, dtype: "bfloat16" } }, ft)).toEqual({ dtype: "bfloat16" });
    expect(resolveMerge({ ...seedLora, merge: false }, ft)).toBeNull();
  });
});

const CONTRACTS = new URL("../../../shared/contracts/", import.meta.url);
const present = existsSync(CONTRACTS);
if (!present) console.log(`merge.test.ts: contract checks skipped, ${CONTRACTS.pathname} is absent`);
const load = (file: string) => JSON.parse(readFileSync(new URL(file, CONTRACTS), "utf8"));

describe.skipIf(!present)("merge against upstream contracts", () => {
  const ft = resolveFineTune(seedLora);
  it("LLaMA-Factory: every export key belongs to a class get_infer_args parses", () => {
    const byClass = load("llamafactory.json").keys_by_class as Record<string, string[]>;
    const infer = ["ModelArguments", "DataArguments", "FinetuningArguments", "GeneratingArguments"].flatMap((c) => byClass[c]!);
    expect(Object.keys(renderLlamaFactoryExport(ft, { dtype: "bfloat16" }, "cpu")).filter((k) => !infer.includes(k))).toEqual([]);
  });

  it("ms-swift: every flag is a `swift export` key", () => {
    const keys = load("ms-swift.json").export_keys as string[];
    const flags = renderSwiftExportArgs(ft, { dtype: "bfloat16" }, "cpu", "qwen2").filter((a) => a.startsWith("--")).map((a) => a.slice(2));
    expect(flags.filter((k) => !keys.includes(k))).toEqual([]);
  });
});

describe("follow-ups of a queued spot fine-tune", () => {
  it("carry its Kueue queue and priority and its capacity type, like the training Job", () => {
    const spec = { ...merging, queue: "team-a", priority: "batch", spot: true, export: { gguf: { quantization: "q8_0" as const } } };
    const { job, followUps } = planFineTune({ spec, model: qwen7b, contract });
    for (const j of [followUps.merge!.job, followUps.gguf!.job]) {
      expect(j.metadata.labels).toMatchObject({ "kueue.x-k8s.io/queue-name": "team-a", "kueue.x-k8s.io/priority-class": "batch" });
      expect(j.spec.template.spec.nodeSelector).toEqual(job.spec.template.spec.nodeSelector);
      expect(j.spec.template.spec.nodeSelector).toMatchObject({ "karpenter.sh/capacity-type": "spot" });
    }
  });
});

describe("FineTune with merge and GGUF", () => {
  it("registers each follow-up's ConfigMap and Job under the component and outputs their URIs", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const ft = new FineTune("support-bot", { spec: { ...merging, export: { gguf: { quantization: "q8_0" } } }, model: qwen7b, contract, releasedRunId: plan.runId }, { provider });
    const uris = await Promise.all([ft.mergedUri, ft.ggufUri].map((o) => new Promise((resolve) => o.apply(resolve))));
    expect(uris).toEqual([merge.uri, `s3://acme-llmkit-dev-models/gguf/support-bot/${plan.runId}/support-bot-q8_0.gguf`]);
    const children = await registeredOf(registered, ["kubernetes:core/v1:ConfigMap", "kubernetes:batch/v1:Job"], 6);
    // registration is asynchronous: compare by name
    const byName = new Map(children.map((r) => [r.name, r]));
    expect(children.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      `kubernetes:batch/v1:Job support-bot-gguf-${plan.runId}`,
      `kubernetes:batch/v1:Job support-bot-merge-${plan.runId}`,
      `kubernetes:batch/v1:Job support-bot-train-${plan.runId}`,
      "kubernetes:core/v1:ConfigMap support-bot-gguf-config",
      "kubernetes:core/v1:ConfigMap support-bot-merge-config",
      "kubernetes:core/v1:ConfigMap support-bot-train-config",
    ]);
    expect(byName.get(`support-bot-merge-${plan.runId}`)!.inputs.spec).toEqual(merge.job.spec);
    expect(byName.get("support-bot-gguf-config")!.inputs.metadata.name).toBe(`support-bot-gguf-${plan.runId}`);
    expect(byName.get("support-bot-merge-config")!.inputs.immutable).toBe(true);
  });

  it("registers no follow-up while llmkit:release pins another run (or none): it would wait on a GPU node", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const provider = new k8s.Provider("k8s-unreleased", { kubeconfig: "{}" });
    const spec = { ...merging, name: "unreleased", export: { gguf: { quantization: "q8_0" as const } } };
    for (const [name, releasedRunId] of [["unreleased", "0123456789ab"], ["unpinned", undefined]] as const) {
      const ft = new FineTune(name, { spec: { ...spec, name }, model: qwen7b, contract, releasedRunId }, { provider });
      const uris = await Promise.all([ft.mergedUri, ft.ggufUri].map((o) => new Promise((resolve) => o.apply(resolve))));
      expect(uris).toEqual([undefined, undefined]);
    }
    // 6 from the test above + a train ConfigMap and Job for each of the two runs here
    const children = await registeredOf(registered, ["kubernetes:core/v1:ConfigMap", "kubernetes:batch/v1:Job"], 10);
    expect(children.map((r) => r.name).filter((n) => /^(unreleased|unpinned)-/.test(n)).sort()).toEqual(
      ["unpinned", "unreleased"].flatMap((n) => [expect.stringMatching(new RegExp(`^${n}-train-[0-9a-f]{12}$`)), `${n}-train-config`]),
    );
    expect(children).toHaveLength(10);
  });
});
