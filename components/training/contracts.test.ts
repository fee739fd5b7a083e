/**
 * CI-only cross-check (docs/architecture.md §7.6): every key the renderers emit must exist in the pinned
 * upstream's accepted keys, listed in ../shared/contracts/. Skips with a note when ../shared is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FineTuneConfig } from "./inputs.ts";
import { resolveFineTune } from "./defaults.ts";
import { renderDatasetInfo, renderLlamaFactoryConfig, renderLlamaFactoryPredictConfig } from "./llamafactory.ts";
import { renderSwiftArgs, renderSwiftInferArgs, swiftKeys } from "./ms-swift.ts";
import { EVAL_PASSES, renderLlamaFactoryEvalConfig, renderLlamaFactorySuiteConfig, renderSwiftEvalArgs, renderSwiftSuiteArgs } from "./evaluation.ts";
import { LLAMAFACTORY_TEMPLATES } from "./templates.ts";
import { dpoChained, dpoLf, qloraSwift, seedLora } from "./__fixtures__/specs.ts";

const CONTRACTS = new URL("../../../shared/contracts/", import.meta.url);
const present = existsSync(CONTRACTS);
if (!present) console.log(`contracts.test.ts: skipped, ${CONTRACTS.pathname} is absent (the upstream contract lists live outside the repo)`);

const load = (file: string) => JSON.parse(readFileSync(new URL(file, CONTRACTS), "utf8"));

/** Every variant the renderers branch on: method, quant bits, targets, precision, eval on/off, formats, samples. */
const variants: FineTuneConfig[] = [
  seedLora,
  { ...seedLora, method: "qlora", quantBits: 4 },
  { ...seedLora, method: "qlora", quantBits: 8, training: { precision: "fp16", valRatio: 0 } },
  {
    ...seedLora,
    lora: { targets: ["q_proj", "v_proj"] },
    training: { precision: "fp32" },
    datasets: [
      { path: "datasets/a.jsonl", format: "openai", purpose: "domain", samples: 10 },
      { path: "datasets/b.jsonl", format: "query-response", purpose: "general" },
    ],
  },
  { ...seedLora, identity: { name: "Ada", author: "Acme", path: "datasets/identity.json", format: "alpaca", samples: 100 } },
];

/** Stage dpo: from the base and chained, every preference format, the losses that add keys. */
const dpoVariants: FineTuneConfig[] = [
  dpoLf,
  dpoChained,
  { ...dpoLf, preference: { loss: "simpo", beta: 2 }, datasets: [{ path: "datasets/s.json", format: "sharegpt-preference", purpose: "domain" }] },
  { ...dpoChained, preference: { loss: "orpo" } },
];

/**
 * `swift rlhf` parses RLHFArguments, which adds its own fields to SftArguments; the contract lists only
 * sft_keys (its notes: RLHFArguments is "not resolved here"). These are RLHFArguments' own fields at
 * modelscope/ms-swift@v4.5.3 swift/arguments/rlhf_args.py (rlhf_type, beta, ref_adapters; loss_type is
 * re-declared there as TRL's DPO loss list and is also an sft key); `adapters` is a BaseArguments key.
 * The engine lane checks every emitted flag against the installed ms-swift's RLHFArguments fields
 * (e2e/engines/checks/swift_rlhf_args.py) and runs them.
 */
const SWIFT_RLHF_OWN = ["rlhf_type", "beta", "ref_adapters"];

describe.skipIf(!present)("upstream contracts", () => {
  it("LLaMA-Factory: every emitted key, dataset_info key, column, tag, formatting and template exists", () => {
    const lf = load("llamafactory.json");
    for (const spec of variants) {
      const ft = resolveFineTune(spec);
      const keys = Object.keys(renderLlamaFactoryConfig(ft));
      expect(keys.filter((k) => !lf.keys.includes(k))).toEqual([]);
      // keys only one transformers major accepts would break on the other
      expect(keys.filter((k) => lf.transformers_v5_only_keys.includes(k))).toEqual([]);
      expect(keys.filter((k) => lf.transformers_v4_only_keys.includes(k) && !lf.llamafactory_keys.includes(k))).toEqual([]);
      expect(lf.templates).toContain(ft.template);
      for (const entry of Object.values(renderDatasetInfo(ft))) {
        expect(Object.keys(entry).filter((k) => !lf.dataset_info_keys.includes(k))).toEqual([]);
        expect(lf.dataset_info_formatting_values).toContain(entry.formatting);
        expect(Object.keys(entry.columns ?? {}).filter((k) => !lf.dataset_info_column_keys.includes(k))).toEqual([]);
        expect(Object.keys(entry.tags ?? {}).filter((k) => !lf.dataset_info_tag_keys.includes(k))).toEqual([]);
      }
    }
  });

  it("LLaMA-Factory: the embedded template list (v0.9.5) is the contract's (0.9.6.dev0) minus the three added after v0.9.5", () => {
    // hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/data/template.py has none of these; they came in
    // aca54c7f1 (#10605: hy_dense_1_8b, hy_dense_7b) and 713b5a3f9 (#10708: moss_vl)
    const contract: string[] = load("llamafactory.json").templates;
    expect(LLAMAFACTORY_TEMPLATES.filter((t) => !contract.includes(t))).toEqual([]);
    expect(contract.filter((t) => !LLAMAFACTORY_TEMPLATES.includes(t)).sort()).toEqual(["hy_dense_1_8b", "hy_dense_7b", "moss_vl"]);
  });

  it("LLaMA-Factory stage dpo: every pref_*/ref_model key, ranking, chosen and rejected exist", () => {
    const lf = load("llamafactory.json");
    for (const spec of dpoVariants) {
      const ft = resolveFineTune(spec);
      const keys = Object.keys(renderLlamaFactoryConfig(ft));
      expect(keys.filter((k) => !lf.llamafactory_keys.includes(k) && !lf.keys.includes(k))).toEqual([]);
      for (const entry of Object.values(renderDatasetInfo(ft))) {
        expect(Object.keys(entry).filter((k) => !lf.dataset_info_keys.includes(k))).toEqual([]);
        expect(Object.keys(entry.columns ?? {}).filter((k) => !lf.dataset_info_column_keys.includes(k))).toEqual([]);
        expect(Object.keys(entry.tags ?? {}).filter((k) => !lf.dataset_info_tag_keys.includes(k))).toEqual([]);
      }
    }
  });

  it("ms-swift stage dpo: every flag is an sft key of both transformers majors or one of RLHFArguments' own", () => {
    const swift = load("ms-swift.json");
    for (const spec of dpoVariants.filter((v) => v.preference?.loss !== "simpo" && v.preference?.loss !== "orpo")) {
      const keys = swiftKeys(renderSwiftArgs(resolveFineTune({ ...spec, engine: "ms-swift", template: "qwen2_5" }), "qwen2"));
      const sft = keys.filter((k) => !SWIFT_RLHF_OWN.includes(k));
      expect(sft.filter((k) => !swift.sft_keys_transformers_v5_snapshot.includes(k) || !swift.sft_keys_transformers_v4_57.includes(k))).toEqual([]);
      expect(swift.sft_keys).toEqual(expect.not.arrayContaining(SWIFT_RLHF_OWN));
    }
  });

  it("ms-swift: every emitted flag is an sft key of both transformers majors, never --train_type", () => {
    const swift = load("ms-swift.json");
    for (const spec of [qloraSwift, ...variants.map((v) => ({ ...v, engine: "ms-swift" as const }))]) {
      const keys = swiftKeys(renderSwiftArgs(resolveFineTune(spec), "qwen2"));
      expect(keys.filter((k) => !swift.sft_keys.includes(k))).toEqual([]);
      expect(keys.filter((k) => !swift.sft_keys_transformers_v5_snapshot.includes(k) || !swift.sft_keys_transformers_v4_57.includes(k))).toEqual([]);
      expect(keys).not.toContain("train_type");
    }
  });

  it("LLaMA-Factory: every key of the smoke-prompt predict config exists on both transformers majors", () => {
    const lf = load("llamafactory.json");
    for (const spec of variants) {
      const keys = Object.keys(renderLlamaFactoryPredictConfig(resolveFineTune(spec)));
      expect(keys.filter((k) => !lf.keys.includes(k))).toEqual([]);
      expect(keys.filter((k) => lf.transformers_v5_only_keys.includes(k))).toEqual([]);
      expect(keys.filter((k) => lf.transformers_v4_only_keys.includes(k) && !lf.llamafactory_keys.includes(k))).toEqual([]);
    }
  });

  it("ms-swift: every smoke-prompt `swift infer` flag is a BaseArguments/MergeArguments key or one of InferArguments' own", () => {
    // `swift infer` parses InferArguments(MergeArguments, …, BaseArguments) (swift/arguments/infer_args.py
    // at v4.5.2); the contract lists Base + Merge fields under export_keys, not InferArguments' own fields.
    const INFER_OWN = ["infer_backend", "result_path"];
    const swift = load("ms-swift.json");
    for (const spec of [qloraSwift, ...variants.map((v) => ({ ...v, engine: "ms-swift" as const }))]) {
      const keys = swiftKeys(renderSwiftInferArgs(resolveFineTune(spec), "qwen2"));
      expect(keys.filter((k) => !swift.export_keys.includes(k) && !INFER_OWN.includes(k))).toEqual([]);
    }
    expect(swift.export_keys).toContain("adapters"); // added by train.sh with the final checkpoint
  });

  it("evaluation: every key of the held-out eval and suite configs exists, on both engines and both transformers majors", () => {
    // train.sh appends --output_dir (and --adapters) to the ms-swift eval args, and --adapters to a suite's infer args
    const lf = load("llamafactory.json");
    const swift = load("ms-swift.json");
    const suites = { suites: [{ name: "faq", path: "datasets/faq.jsonl", format: "alpaca" as const, maxSamples: 10 }] };
    for (const spec of [...variants, ...dpoVariants]) {
      const ft = resolveFineTune({ ...spec, evaluation: suites });
      for (const pass of EVAL_PASSES) {
        for (const keys of [Object.keys(renderLlamaFactoryEvalConfig(ft, pass)), Object.keys(renderLlamaFactorySuiteConfig(ft, "faq", pass))]) {
          expect(keys.filter((k) => !lf.keys.includes(k))).toEqual([]);
          expect(keys.filter((k) => lf.transformers_v5_only_keys.includes(k))).toEqual([]);
          expect(keys.filter((k) => lf.transformers_v4_only_keys.includes(k) && !lf.llamafactory_keys.includes(k))).toEqual([]);
        }
      }
    }
    for (const spec of [qloraSwift, ...variants.map((v) => ({ ...v, engine: "ms-swift" as const }))]) {
      const ft = resolveFineTune({ ...spec, evaluation: suites });
      const keys = swiftKeys(renderSwiftEvalArgs(ft, "qwen2"));
      expect(keys.filter((k) => !swift.sft_keys_transformers_v5_snapshot.includes(k) || !swift.sft_keys_transformers_v4_57.includes(k))).toEqual([]);
      expect(swiftKeys(renderSwiftSuiteArgs(ft, "qwen2", "faq", "adapter")).filter((k) => !swift.export_keys.includes(k) && !["infer_backend", "result_path"].includes(k))).toEqual([]);
    }
    expect(swift.sft_keys).toContain("output_dir");
  });
});
