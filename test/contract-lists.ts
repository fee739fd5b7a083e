/**
 * The engine flag/key lists the kit ships (components/serving/vllm-flags.json,
 * components/training/{llamafactory,ms-swift}-keys.json) are derived from the upstream contract
 * lists, which live outside the repository (../shared/contracts, README "Development"). Users'
 * clones check `engine.extraArgs` / `extraArgs` against the shipped copies; contract-lists.test.ts
 * keeps them equal to the contracts where those are present.
 *
 *   npx tsx test/contract-lists.ts   # rewrites the three files from ../shared/contracts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CONTRACTS = new URL("../../shared/contracts/", import.meta.url);

/**
 * Keys of the contract's LLaMA-Factory list (main ff6d4d12, 0.9.6.dev0) that the pinned 0.9.5 lacks:
 * the AST diff of src/llamafactory/hparams between the two, as recorded in components/lib/versions.ts.
 */
export const LLAMAFACTORY_NOT_IN_0_9_5 = ["hyper_parallel_cp_size", "kt_cpu_activation", "kt_non_expert_weight_path", "use_megatron_bridge"];

type Json = Record<string, unknown>;
const load = (file: string): Json => JSON.parse(readFileSync(new URL(file, CONTRACTS), "utf8")) as Json;
const list = (j: Json, key: string): string[] => j[key] as string[];
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

export function deriveLists() {
  const vllm = load("vllm.json");
  const lf = load("llamafactory.json");
  const swift = load("ms-swift.json");
  // a key only one transformers major accepts breaks on the other (LLaMA-Factory 0.9.5 allows 4.55–5.8)
  const oneMajorOnly = new Set([...list(lf, "transformers_v4_only_keys"), ...list(lf, "transformers_v5_only_keys")]);
  const lfOwn = new Set(list(lf, "llamafactory_keys"));
  const swiftBoth = new Set(list(swift, "sft_keys_transformers_v4_57"));
  return {
    "components/serving/vllm-flags.json": {
      source: "vLLM 0.21.0 `vllm serve` (vllm/engine/arg_utils.py EngineArgs.add_cli_args, vllm/entrypoints/openai/cli_args.py); FlexibleArgumentParser also takes --foo_bar, which llmkit does not accept",
      flags: sorted(list(vllm, "serve_flags")),
      negatedFlags: sorted(list(vllm, "serve_negated_flags")),
      shortAliases: vllm.serve_short_aliases as Record<string, string>,
    },
    "components/training/llamafactory-keys.json": {
      source: "LLaMA-Factory 0.9.5 (hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/hparams/*.py) and the transformers TrainingArguments fields both majors it allows (4.55–5.8) accept",
      keys: sorted(list(lf, "keys").filter((k) => !LLAMAFACTORY_NOT_IN_0_9_5.includes(k) && (lfOwn.has(k) || !oneMajorOnly.has(k)))),
    },
    "components/training/ms-swift-keys.json": {
      source: "ms-swift 4.5.x `swift sft` (modelscope/ms-swift@v4.5.2 swift/arguments/sft_args.py SftArguments and its bases) with the transformers fields both majors it allows accept",
      keys: sorted(list(swift, "sft_keys_transformers_v5_snapshot").filter((k) => swiftBoth.has(k))),
    },
  };
}

export const listText = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, value] of Object.entries(deriveLists())) {
    writeFileSync(new URL(`../${file}`, import.meta.url), listText(value));
    console.log(`wrote ${file}`);
  }
}
