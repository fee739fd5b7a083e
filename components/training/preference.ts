/**
 * DPO (stage dpo): the preference data formats, the losses each engine offers, and how a run that
 * continues a published SFT adapter (`from`) is wired. Sources:
 *   - LLaMA-Factory: hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/hparams/finetuning_args.py
 *     (RLHFArguments pref_beta, pref_ftx, pref_loss Literal["sigmoid", "hinge", "ipo", "kto_pair",
 *     "orpo", "simpo"], dpo_label_smoothing, ref_model, ref_model_adapters; use_ref_model is false for
 *     orpo and simpo), data/parser.py (DatasetAttr ranking, chosen, rejected), data/converter.py
 *     (ranking rows: alpaca chosen/rejected strings; sharegpt/openai chosen/rejected messages after an
 *     odd number of turns), train/dpo/workflow.py and train/trainer_utils.py create_ref_model;
 *   - ms-swift: modelscope/ms-swift@v4.5.3 swift/arguments/rlhf_args.py (RLHFArguments rlhf_type, beta,
 *     loss_type, ref_adapters; beta defaults to 0.1 and loss_type to sigmoid for dpo),
 *     swift/pipelines/train/rlhf.py (ref_adapters loaded as a second adapter `ref_adapter` on the
 *     same base), swift/dataset/preprocessor/core.py (preference rows: `messages` ending with the
 *     chosen answer and `rejected_response`); its DPO losses are TRL's (trl 0.29
 *     trl/trainer/dpo_trainer.py: sigmoid, hinge, ipo, … — no kto_pair), while ORPO and SimPO are
 *     other rlhf_types (orpo, simpo → cpo) the kit does not wire.
 */

/** Instruction data (stage sft). */
export const SFT_FORMATS = ["alpaca", "sharegpt", "openai", "query-response"] as const;
/**
 * Preference data (stage dpo): one prompt with a `chosen` and a `rejected` answer.
 *   alpaca-preference:   instruction, optional input and system, chosen and rejected strings;
 *   sharegpt-preference: conversations ({from, value}) ending with a human turn, optional system,
 *                        chosen and rejected {from: gpt, value};
 *   openai-preference:   messages ({role, content}) ending with a user turn (a leading system turn
 *                        allowed), chosen and rejected {role: assistant, content}.
 * LLaMA-Factory reads them as `ranking: true` entries (./llamafactory.ts); ms-swift's own format is
 * `messages` ending with the chosen answer plus `rejected_response`, which scripts/preference-data.py
 * writes from these in the pod.
 */
export const PREFERENCE_FORMATS = ["alpaca-preference", "sharegpt-preference", "openai-preference"] as const;
export type PreferenceFormat = (typeof PREFERENCE_FORMATS)[number];
export type DatasetFormat = (typeof SFT_FORMATS)[number] | PreferenceFormat;

export function isPreferenceFormat(format: string): format is PreferenceFormat {
  return (PREFERENCE_FORMATS as readonly string[]).includes(format);
}

export const PREFERENCE_LOSS_NAMES = ["sigmoid", "hinge", "ipo", "kto_pair", "orpo", "simpo"] as const;
export type PreferenceLoss = (typeof PREFERENCE_LOSS_NAMES)[number];

/** The losses each pinned engine runs with DPO as the kit wires it. */
export const PREFERENCE_LOSSES = {
  llamafactory: ["sigmoid", "hinge", "ipo", "kto_pair", "orpo", "simpo"],
  "ms-swift": ["sigmoid", "hinge", "ipo"],
} as const satisfies Record<"llamafactory" | "ms-swift", readonly PreferenceLoss[]>;
export const PREFERENCE_LOSS_SOURCES = {
  llamafactory: "LLaMA-Factory 0.9.5 pref_loss",
  "ms-swift": "ms-swift 4.5 --rlhf_type dpo --loss_type, TRL's DPO losses; ORPO and SimPO are other rlhf_types there",
} as const;

export { usesReference } from "../../planner/memory.ts";

/** `<fine-tune name>@<run id>`: a published adapter a DPO run continues from. */
export const FROM_ADAPTER = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)@([0-9a-f]{12})$/;

export interface FromAdapter {
  readonly name: string;
  readonly runId: string;
}

export function parseFrom(from: string): FromAdapter {
  const m = FROM_ADAPTER.exec(from);
  if (m === null) throw new Error(`from "${from}" is not <fine-tune name>@<run id>`);
  return { name: m[1]!, runId: m[3]! };
}

/** How each engine holds the reference model with LoRA: planner/memory.ts referenceHolding. */
export { referenceHolding, type ReferenceHolding } from "../../planner/memory.ts";
