/**
 * FineTune: one LoRA/QLoRA training run on LLaMA-Factory or ms-swift, published as an immutable
 * adapter at adapters/<name>/<runId>/. The run id hashes the effective spec, so an unchanged spec
 * is a no-op and a changed one is a new Job writing to a new prefix (docs/architecture.md §1).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../lib/naming.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { FineTuneConfig } from "./inputs.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import { resolveFineTune, type EffectiveFineTune } from "./defaults.ts";
import { planFollowUps } from "./gguf.ts";
import { runId as computeRunId } from "./run-id.ts";
import { adapterUri, engineImage, labels, renderTrainConfig, renderTrainJob } from "./train-job.ts";
import { renderUploadConfig } from "./upload.ts";
import { validateFineTune } from "./validate.ts";

export interface FineTuneArgs {
  /** The fine-tune as the stack config gives it; defaults are in ./defaults.ts. */
  readonly spec: FineTuneConfig;
  /** The base model `spec.baseModel` names. */
  readonly model: ModelConfig;
  readonly contract: PlatformContract;
  /**
   * The run id `llmkit:release` pins for this adapter, if any. The merge and GGUF Jobs are
   * registered only once it equals this run's id, i.e. the run is published and chosen: a
   * follow-up pod created next to its training Job would hold a GPU node idle while it waits.
   */
  readonly releasedRunId?: string;
}

/** Whether the merge/GGUF follow-ups of `runId` run now (see FineTuneArgs.releasedRunId). */
export function followUpsReleased(runId: string, releasedRunId: string | undefined): boolean {
  return releasedRunId === runId;
}

/** The run id of a fine-tune: the hash of its effective spec, base model revision and engine image. */
export function fineTuneRunId(effective: EffectiveFineTune, model: ModelConfig): string {
  return computeRunId(effective, model, engineImage(effective).ref);
}

/** Everything a run renders to, from pure functions: what the class registers and tests inspect. */
export function planFineTune(args: FineTuneArgs) {
  const effective: EffectiveFineTune = resolveFineTune(args.spec);
  validateFineTune(effective, args.model, args.contract, args.spec);
  const id = fineTuneRunId(effective, args.model);
  return {
    effective,
    runId: id,
    adapterUri: adapterUri(effective, id, args.contract),
    config: renderTrainConfig(effective, args.model, args.contract, id),
    job: renderTrainJob(effective, args.model, args.contract, id),
    /** The project files the pod uploads (./upload.ts), or null. */
    uploads: renderUploadConfig(args.spec, effective, args.contract.namespace, id, labels(effective, id)),
    followUps: planFollowUps(args.spec, effective, args.model, args.contract, id),
  };
}

export class FineTune extends pulumi.ComponentResource {
  public readonly runId: pulumi.Output<string>;
  /** s3://<bucket>/adapters/<name>/<runId>/ — complete once `_SUCCESS` exists there. */
  public readonly adapterUri: pulumi.Output<string>;
  /** s3://<bucket>/merged/<name>/<runId>/ with `merge` once released; complete once `_SUCCESS` exists there. */
  public readonly mergedUri: pulumi.Output<string | undefined>;
  /** s3://<bucket>/gguf/<name>/<runId>/<name>-<quantization>.gguf with `export.gguf` once released. */
  public readonly ggufUri: pulumi.Output<string | undefined>;

  constructor(name: string, args: FineTuneArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("llmkit:training:FineTune", name, {}, opts);
    const plan = planFineTune(args);
    const child = { parent: this, provider: opts.provider };
    const config = new k8s.core.v1.ConfigMap(childName(name, "train-config"), { metadata: plan.config.metadata, immutable: plan.config.immutable, data: plan.config.data }, child);
    const data = plan.uploads === null ? [] : [new k8s.core.v1.ConfigMap(childName(name, "data-config"), { metadata: plan.uploads.metadata, immutable: true, data: plan.uploads.data }, child)];
    new k8s.batch.v1.Job(childName(name, `train-${plan.runId}`), { metadata: plan.job.metadata, spec: plan.job.spec }, { ...child, dependsOn: [config, ...data] });
    // merge and GGUF Jobs still check the previous step's _SUCCESS in their pods (merge.ts, gguf.ts)
    const followUps = followUpsReleased(plan.runId, args.releasedRunId) ? plan.followUps : { merge: null, gguf: null };
    for (const [role, f] of [["merge", followUps.merge], ["gguf", followUps.gguf]] as const) {
      if (f === null) continue;
      const cm = new k8s.core.v1.ConfigMap(childName(name, `${role}-config`), { metadata: f.config.metadata, immutable: f.config.immutable, data: f.config.data }, child);
      new k8s.batch.v1.Job(childName(name, `${role}-${plan.runId}`), { metadata: f.job.metadata, spec: f.job.spec }, { ...child, dependsOn: [cm] });
    }
    this.runId = pulumi.output(plan.runId);
    this.adapterUri = pulumi.output(plan.adapterUri);
    this.mergedUri = pulumi.output(followUps.merge?.uri);
    this.ggufUri = pulumi.output(followUps.gguf?.uri);
    this.registerOutputs({ runId: this.runId, adapterUri: this.adapterUri, mergedUri: this.mergedUri, ggufUri: this.ggufUri });
  }
}
