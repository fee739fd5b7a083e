/**
 * GPU pool presets (pure): what `preset: serving | training | training-spot | training-efa` means,
 * in one table, with the reason for each default. A stack file names a preset and overrides only
 * what differs (capacityTypes, disk, consolidateAfter).
 *
 * Field meanings are Karpenter v1.12.1's (sigs.k8s.io/karpenter@v1.12.0 pkg/apis/v1/nodepool.go):
 * - consolidationPolicy WhenEmpty: only nodes without (non-daemon) pods are removed;
 *   WhenEmptyOrUnderutilized: nodes whose pods fit elsewhere are replaced or removed too.
 * - consolidateAfter: how long a node must stay empty/underused before that happens.
 * - expireAfter: node lifetime; expiry is forceful (it does not wait for do-not-disrupt pods).
 * - budgets: how many nodes may be disrupted at once, per reason (Underutilized, Empty, Drifted).
 */

export type Preset = "serving" | "training" | "training-spot" | "training-efa";
export type Purpose = "serving" | "training";
export type CapacityType = "on-demand" | "spot" | "reserved";

export interface Budget {
  readonly nodes: string;
  readonly reasons?: readonly ("Underutilized" | "Empty" | "Drifted")[];
}

export interface PresetDefaults {
  /** Value of the `llmkit.dev/purpose` node label; decides consolidation. */
  readonly purpose: Purpose;
  readonly capacityTypes: readonly CapacityType[];
  readonly consolidationPolicy: "WhenEmpty" | "WhenEmptyOrUnderutilized";
  readonly consolidateAfter: string;
  readonly expireAfter: string;
  readonly budgets: readonly Budget[];
  /** Container images, model weights and scratch (Bottlerocket's data volume / AL2023's root). */
  readonly dataGiB: number;
  /** Nodes carry EFA interfaces for multi-node collectives (the EFA device plugin runs there). */
  readonly efa: boolean;
}

/** Training nodes: removed only once empty; one drifted node at a time. */
const TRAINING_BUDGETS: readonly Budget[] = [
  // An idle GPU node costs money and runs nothing: remove every empty one.
  { nodes: "100%", reasons: ["Empty"] },
  // An AMI bump drifts nodes: replace them one at a time (busy ones wait: jobs carry do-not-disrupt).
  { nodes: "1", reasons: ["Drifted"] },
];

export const PRESETS: Readonly<Record<Preset, PresetDefaults>> = {
  serving: {
    purpose: "serving",
    // Serving must not vanish under load with a two-minute spot notice: on-demand by default.
    capacityTypes: ["on-demand"],
    // Replicas are stateless and have PDBs: packing them tighter saves whole GPU nodes.
    consolidationPolicy: "WhenEmptyOrUnderutilized",
    // Long enough to ride out a KEDA scale-down/scale-up cycle without churning GPU nodes.
    consolidateAfter: "10m",
    // No expiry: budgets cover only Underutilized, Empty and Drifted
    // (aws/karpenter-provider-aws@v1.12.1:pkg/apis/crds/karpenter.sh_nodepools.yaml:113), so
    // expiry (Karpenter's default 720h) would replace every node launched together at once,
    // whatever the budget. Nodes are renewed through drift instead: each pinned AMI bump drifts them.
    expireAfter: "Never",
    // One GPU node at a time for every budgeted reason: serving capacity never drops by more than a node.
    budgets: [{ nodes: "1" }],
    // vLLM image (~10 GiB unpacked) plus base weights and adapters cached on the node.
    dataGiB: 200,
    efa: false,
  },
  training: {
    purpose: "training",
    capacityTypes: ["on-demand"],
    // Moving a running job loses work since its last checkpoint: never consolidate a busy node.
    consolidationPolicy: "WhenEmpty",
    // The next job or a retry often follows within minutes: reuse the warm node and its image cache.
    consolidateAfter: "10m",
    // Forceful expiry would kill multi-day runs; nodes leave when empty, AMI bumps arrive as drift.
    expireAfter: "Never",
    budgets: TRAINING_BUDGETS,
    // Trainer image, base weights, datasets and local checkpoints before upload.
    dataGiB: 500,
    efa: false,
  },
  "training-spot": {
    purpose: "training",
    // Spot first (Karpenter picks the cheaper offering when both are allowed), on-demand when
    // spot has no capacity: jobs resume from their last complete checkpoint after a reclaim.
    capacityTypes: ["spot", "on-demand"],
    consolidationPolicy: "WhenEmpty",
    consolidateAfter: "10m",
    expireAfter: "Never",
    budgets: TRAINING_BUDGETS,
    dataGiB: 500,
    efa: false,
  },
  "training-efa": {
    purpose: "training",
    // Multi-node jobs need every node at once: spot reclaims would stall the whole gang.
    capacityTypes: ["on-demand"],
    consolidationPolicy: "WhenEmpty",
    consolidateAfter: "10m",
    expireAfter: "Never",
    budgets: TRAINING_BUDGETS,
    // 8-GPU nodes training large bases: bigger weights and checkpoints.
    dataGiB: 1000,
    efa: true,
  },
};
