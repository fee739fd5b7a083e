import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { fineTuneSchema, type FineTuneConfig } from "./inputs.ts";
import { planFineTune } from "./fine-tune.ts";
import { resolveFineTune } from "./defaults.ts";
import { ggufScratchGiB, planGguf } from "./gguf.ts";
import { GGUF_SCRIPTS } from "./scripts.ts";
import { contract, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const exporting: FineTuneConfig = { ...seedLora, merge: true, export: { gguf: { quantization: "q8_0" } } };
const plan = planFineTune({ spec: exporting, model: qwen7b, contract });
const gguf = plan.followUps.gguf!;

describe("planGguf", () => {
  it("exports gguf/<name>/<runId>/<name>-<quantization>.gguf with a Job named after the run", () => {
    expect(gguf.job.metadata.name).toBe(`support-bot-gguf-${plan.runId}`);
    expect(gguf.config.metadata.name).toBe(`support-bot-gguf-${plan.runId}`);
    expect(gguf.config.immutable).toBe(true);
    expect(gguf.config.data).toEqual(GGUF_SCRIPTS);
    expect(gguf.uri).toBe(`s3://acme-llmkit-dev-models/gguf/support-bot/${plan.runId}/support-bot-q8_0.gguf`);
  });

  it("renders the q8_0 export exactly", async () => {
    await expect(stringify([{ ...gguf.config, data: {} }, gguf.job], { aliasDuplicateObjects: false })).toMatchFileSnapshot("__golden__/gguf-seed-lora-q8_0.yaml");
  });

  it("converts with the pinned llama.cpp image as uid 1000, waiting for the merged model, with training's Job hygiene", () => {
    const spec = gguf.job.spec;
    const pod = spec.template.spec;
    expect(gguf.job.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    // training 24 h + merge 3 h + conversion 2 h
    expect([spec.backoffLimit, spec.activeDeadlineSeconds, spec.ttlSecondsAfterFinished]).toEqual([2, (24 + 3 + 2) * 3600, 7 * 24 * 3600]);
    expect(spec.podFailurePolicy.rules.map((r) => r.action)).toEqual(["Ignore", "FailJob"]);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    expect([...pod.initContainers, ...pod.containers].map((c) => [c.name, c.image, c.command, c.args])).toEqual([
      ["restore", "amazon/aws-cli:2.36.7", ["bash", "/config/gguf.sh"], ["restore"]],
      ["convert", "ghcr.io/ggml-org/llama.cpp:full-b11223", ["bash", "/config/gguf.sh"], ["convert"]],
      ["upload", "amazon/aws-cli:2.36.7", ["bash", "/config/gguf.sh"], ["upload"]],
    ]);
    const env = (i: number) => Object.fromEntries(pod.initContainers[i]!.env.map((e) => [e.name, e.value]));
    expect(env(0)).toMatchObject({
      MERGED_PREFIX: `merged/support-bot/${plan.runId}/`,
      GGUF_PREFIX: `gguf/support-bot/${plan.runId}/`,
      GGUF_FILE: "support-bot-q8_0.gguf",
      MERGED_WAIT_SECONDS: String((24 + 3) * 3600),
      HOME: "/tmp",
    });
    expect(env(1)).toEqual({
      GGUF_PREFIX: `gguf/support-bot/${plan.runId}/`,
      GGUF_FILE: "support-bot-q8_0.gguf",
      DONE_MARKER: "/work/.exported",
      HOME: "/tmp",
      USER: "ubuntu",
      MERGED_DIR: "/work/merged",
      OUT_DIR: "/work/gguf",
      OUTTYPE: "q8_0",
      CONVERT_SCRIPT: "/app/convert_hf_to_gguf.py",
    });
    // a GPU pool's pods must request a GPU (policies/gpu-pod-scheduling.ts); the converter uses CPU
    const resources = { cpu: "2", memory: "16Gi", "nvidia.com/gpu": "1" };
    expect(pod.initContainers[1]!.resources).toEqual({ requests: resources, limits: resources });
    expect(pod.nodeSelector).toEqual({ "llmkit.dev/pool": "training-l40s" });
    expect(pod.volumes).toEqual([
      { name: "work", emptyDir: { sizeLimit: "28Gi" } },
      { name: "config", configMap: { name: `support-bot-gguf-${plan.runId}`, defaultMode: 0o444 } },
    ]);
  });

  it("sizes scratch from the merged dtype and the output type", () => {
    expect(ggufScratchGiB(qwen7b, { dtype: "bfloat16" }, { quantization: "f16" })).toBe(Math.ceil(15.3 * 2 * 1.1) + 2);
    expect(ggufScratchGiB(qwen7b, { dtype: "float32" }, { quantization: "f32" })).toBe(Math.ceil(15.3 * 4 * 1.1) + 2);
  });

  it("runs on a CPU pool without a GPU", () => {
    const cpu = planFineTune({ spec: { ...exporting, pool: "cpu", gpus: 0 }, model: qwen7b, contract }).followUps.gguf!;
    expect(cpu.job.spec.template.spec.initContainers[1]!.resources.limits).toEqual({ cpu: "2", memory: "16Gi" });
    expect(cpu.job.spec.template.spec.tolerations).toEqual([]);
  });

  it("refuses GGUF without merge and an unknown quantization, in the schema with their paths and in the component", () => {
    const noMerge = fineTuneSchema.safeParse({ ...seedLora, export: { gguf: { quantization: "f16" } } });
    expect(noMerge.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [["export", "gguf"], "is converted from the merged model: set merge: true, or remove export.gguf"],
    ]);
    const unknown = fineTuneSchema.safeParse({ ...exporting, export: { gguf: { quantization: "q4_k_m" } } });
    expect(unknown.error?.issues.map((i) => [i.path, i.code])).toEqual([[["export", "gguf", "quantization"], "invalid_value"]]);
    const ft = resolveFineTune(seedLora);
    expect(() => planGguf(ft, null, { quantization: "q4_k_m" as "q8_0" }, qwen7b, contract, plan.runId)).toThrow(
      'fine-tune "support-bot" is invalid:\n' +
        "  - export.gguf: is converted from the merged model: set merge: true, or remove export.gguf\n" +
        '  - export.gguf.quantization: "q4_k_m" is not one of f32, f16, bf16, q8_0 (convert_hf_to_gguf.py --outtype)',
    );
  });
});
