/** fineTunes[].extraArgs and image: what reaches the engine and the run id (bad inputs: test/bad-configs-engine.ts). */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { resolveFineTune } from "./defaults.ts";
import llamafactoryKeys from "./llamafactory-keys.json" with { type: "json" };
import msSwiftKeys from "./ms-swift-keys.json" with { type: "json" };
import { reservedKeys, trainingExtraArgProblems } from "./extra-args.ts";
import { fineTuneRunId } from "./fine-tune.ts";
import { fineTuneSchema, type FineTuneConfig } from "./inputs.ts";
import { renderLlamaFactoryConfig } from "./llamafactory.ts";
import { renderMergeJob } from "./merge.ts";
import { SWIFT_SFT_ARGS_FILE, renderSwiftArgs, swiftKeys } from "./ms-swift.ts";
import { renderTrainConfig, renderTrainJob } from "./train-job.ts";
import { contract, dpoChained, dpoLf, qloraSwift, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const DIGEST = `sha256:${"cd".repeat(32)}`;
const parsed = (spec: unknown): FineTuneConfig => fineTuneSchema.parse(spec) as FineTuneConfig;

describe("fine-tune extraArgs", () => {
  it("LLaMA-Factory: the keys end the training YAML as written; the smoke predict config has none", () => {
    const ft = resolveFineTune(parsed({ ...seedLora, smokePrompts: ["hi"], extraArgs: { neftune_noise_alpha: 5, max_steps: 200, optim: "adamw_torch" } }));
    const config = renderLlamaFactoryConfig(ft);
    expect(Object.entries(config).slice(-3)).toEqual([["neftune_noise_alpha", 5], ["max_steps", 200], ["optim", "adamw_torch"]]);
    const data = renderTrainConfig(ft, qwen7b, contract, fineTuneRunId(ft, qwen7b)).data as Record<string, string>;
    expect(parse(data["train.yaml"]!)).toMatchObject({ neftune_noise_alpha: 5, max_steps: 200, optim: "adamw_torch" });
    expect(parse(data["smoke-predict.yaml"]!)).not.toHaveProperty("neftune_noise_alpha");
  });

  it("ms-swift: the flags end swift-args.txt, one word per line, booleans and lists as the kit writes its own", () => {
    const ft = resolveFineTune(parsed({ ...qloraSwift, extraArgs: { neftune_noise_alpha: 5, use_liger_kernel: true, lora_bias: "none", freeze_parameters: ["a", "b"] } }));
    const args = renderSwiftArgs(ft, "qwen2");
    expect(args.slice(args.indexOf("--neftune_noise_alpha"))).toEqual([
      "--neftune_noise_alpha", "5",
      "--use_liger_kernel", "true",
      "--lora_bias", "none",
      "--freeze_parameters", "a", "b",
    ]);
    const data = renderTrainConfig(ft, qwen7b, contract, fineTuneRunId(ft, qwen7b)).data as Record<string, string>;
    expect(data[SWIFT_SFT_ARGS_FILE]!.endsWith("--neftune_noise_alpha\n5\n--use_liger_kernel\ntrue\n--lora_bias\nnone\n--freeze_parameters\na\nb\n")).toBe(true);
  });

  it("is part of the run id; none (or an empty map) keeps the id of a spec without it", () => {
    const id = (spec: FineTuneConfig) => fineTuneRunId(resolveFineTune(spec), qwen7b);
    expect(id(parsed({ ...seedLora, extraArgs: {} }))).toBe(id(seedLora));
    expect(id(parsed({ ...seedLora, extraArgs: { neftune_noise_alpha: 5 } }))).not.toBe(id(seedLora));
    expect(id(parsed({ ...seedLora, extraArgs: { neftune_noise_alpha: 5 } }))).not.toBe(id(parsed({ ...seedLora, extraArgs: { neftune_noise_alpha: 10 } })));
  });

  it("every key the renderers write is one an extra argument cannot set (kit-set or refused)", () => {
    const lf = [seedLora, { ...seedLora, method: "qlora" as const, quantBits: 4 as const }, { ...seedLora, training: { valRatio: 0.1 } }, dpoLf, dpoChained, { ...dpoLf, preference: { loss: "simpo" as const } }];
    const lfKeys = new Set(lf.flatMap((s) => Object.keys(renderLlamaFactoryConfig(resolveFineTune(s)))));
    expect([...lfKeys].filter((k) => !reservedKeys("llamafactory").includes(k))).toEqual([]);
    const swift = [qloraSwift, { ...qloraSwift, training: { valRatio: 0.1 } }, { ...dpoChained, engine: "ms-swift" as const, template: "qwen2_5" }];
    const swiftFlags = new Set(swift.flatMap((s) => swiftKeys(renderSwiftArgs(resolveFineTune(s), "qwen2"))));
    expect([...swiftFlags].filter((k) => !reservedKeys("ms-swift").includes(k))).toEqual([]);
  });

  it("every reserved name is one the pinned engine takes (ms-swift: or one of `swift rlhf`'s own)", () => {
    expect(reservedKeys("llamafactory").filter((k) => !llamafactoryKeys.keys.includes(k))).toEqual([]);
    // RLHFArguments' own fields (modelscope/ms-swift@v4.5.3 swift/arguments/rlhf_args.py), see contracts.test.ts
    expect(reservedKeys("ms-swift").filter((k) => !msSwiftKeys.keys.includes(k))).toEqual(["ref_adapters", "rlhf_type", "beta"]);
  });

  it("refuses a value with a line break (ms-swift's args file is one word per line)", () => {
    expect(trainingExtraArgProblems("ms-swift", { lora_bias: "none\n--output_dir" })).toEqual([
      { name: "lora_bias", message: "must be on one line: a line break would split the argument" },
    ]);
  });
});

describe("fine-tune image override", () => {
  const image = { repository: "registry.example.com/mirror/llamafactory", tag: "0.9.5-cve.1", digest: DIGEST };
  const ref = `registry.example.com/mirror/llamafactory:0.9.5-cve.1@${DIGEST}`;

  it("the train and identity containers and the merge Job run it; the manifest records it; the run id changes with it", () => {
    const spec = parsed({ ...seedLora, image, identity: { name: "Ada", author: "Acme", path: "datasets/identity.json" } });
    const ft = resolveFineTune(spec);
    const id = fineTuneRunId(ft, qwen7b);
    expect(id).not.toBe(fineTuneRunId(resolveFineTune({ ...spec, image: undefined }), qwen7b));
    expect(id).not.toBe(fineTuneRunId(resolveFineTune({ ...spec, image: { ...image, digest: `sha256:${"ef".repeat(32)}` } }), qwen7b));
    const pod = renderTrainJob(ft, qwen7b, contract, id).spec.template.spec;
    const images = Object.fromEntries([...pod.initContainers, ...pod.containers].map((c) => [c.name, c.image]));
    expect(images.train).toBe(ref);
    expect(images.identity).toBe(ref);
    expect(Object.values(images).filter((i) => i !== ref).every((i) => i === "amazon/aws-cli:2.36.7")).toBe(true);
    const manifest = JSON.parse((renderTrainConfig(ft, qwen7b, contract, id).data as Record<string, string>)["manifest.json"]!);
    expect(manifest).toMatchObject({ engineImage: ref, engineVersion: "0.9.5" });
    const merge = renderMergeJob(ft, { dtype: "bfloat16" }, qwen7b, contract, id).spec.template.spec;
    expect(merge.initContainers.find((c: { name: string }) => c.name === "merge")!.image).toBe(ref);
  });

  it("without it, the pinned engine image", () => {
    const ft = resolveFineTune(seedLora);
    const pod = renderTrainJob(ft, qwen7b, contract, fineTuneRunId(ft, qwen7b)).spec.template.spec;
    expect(pod.initContainers.find((c) => c.name === "train")!.image).toBe("hiyouga/llamafactory:0.9.5");
  });
});
