/**
 * Preflight: the checks only the components know (pinned add-on versions, engine limits, Job
 * name lengths, vLLM LoRA limits), run over the whole stack before anything is registered, so a
 * problem in the third service never leaves the first two half-applied (docs/architecture.md §3, §4).
 */
import { validateAws } from "../components/platform/aws/defaults.ts";
import { poolProblems } from "../components/platform/aws/karpenter/pools.ts";
import { validateLocal } from "../components/platform/local/local-platform.ts";
import type { PlatformContract } from "../components/platform/contract.ts";
import { resolveFineTune } from "../components/training/defaults.ts";
import { fineTuneRunId, followUpsReleased } from "../components/training/fine-tune.ts";
import { resolveMerge } from "../components/training/merge.ts";
import { datasetMix } from "../components/training/mix.ts";
import { fineTuneProblems } from "../components/training/validate.ts";
import { peakReplicas } from "../components/serving/autoscaling.ts";
import { resolveService, type AdapterRef } from "../components/serving/defaults.ts";
import { customServiceProblems, resolveCustomService } from "../components/serving/custom.ts";
import { exposureProblems, serviceProblems } from "../components/serving/validate.ts";
import { chatUiProblems, chatUiStorageProblems } from "../components/chat-ui/validate.ts";
import { fineTuneFit, serviceFit } from "../planner/fit.ts";
import { ConfigError, type LoadedStack } from "./load.ts";

export function preflightProblems(loaded: LoadedStack, contract: PlatformContract): string[] {
  const { config, platform } = loaded;
  const problems: string[] = [];
  // A workloads stack's platform is the platform stack's business: it was validated there.
  if (config.platform !== undefined) {
    const platformProblems = platform.provider === "aws" ? [...validateAws(platform), ...poolProblems(platform.gpuPools)] : platform.provider === "local" ? validateLocal(platform) : [];
    problems.push(...platformProblems.map((p) => `llmkit:${p}`));
  }
  const models = new Map(config.models.map((m) => [m.name, m]));
  config.fineTunes.forEach((spec, i) => {
    const model = models.get(spec.baseModel)!; // the schema checked the reference
    for (const p of fineTuneProblems(resolveFineTune(spec), model, contract)) problems.push(`llmkit:fineTunes[${i}]: ${p}`);
  });
  config.serving.forEach((spec, i) => {
    if (spec.baseModel === undefined) {
      // a custom runtime (the schema requires baseModel for vllm)
      for (const p of customServiceProblems(resolveCustomService(spec), contract)) problems.push(`llmkit:serving[${i}]: ${p}`);
      return;
    }
    const model = models.get(spec.baseModel)!;
    const adapters = pinnedAdapters(loaded, spec.adapters);
    for (const p of serviceProblems(resolveService(spec, model, adapters), contract)) problems.push(`llmkit:serving[${i}]: ${p}`);
    for (const p of exposureProblems(spec, contract)) problems.push(`llmkit:serving[${i}].${p}`);
  });
  if (config.chatUi !== undefined) {
    for (const p of [...chatUiProblems(config.chatUi, contract), ...chatUiStorageProblems(config.chatUi, platform.provider)]) problems.push(`llmkit:chatUi.${p}`);
  }
  // GPU fit is only meaningful for an otherwise valid fine-tune/service (a rank of 1024 is already refused).
  const item = (p: string) => /^llmkit:(fineTunes|serving)\[\d+\]:/.exec(p)?.[0] ?? "";
  const flagged = new Set(problems.map(item));
  problems.push(...fitFindings(loaded, contract).errors.filter((e) => !flagged.has(item(e))));
  return problems;
}

/**
 * GPU memory fit of every fine-tune and service against its pool (planner/fit.ts): `errors` are
 * config errors (preflightProblems includes them), `warnings` (oversized GPUs, models estimated
 * from sizeGiB) never fail a deploy; `npm run plan` prints them.
 */
export function fitFindings(loaded: LoadedStack, contract: PlatformContract): { errors: string[]; warnings: string[] } {
  const { config } = loaded;
  const models = new Map(config.models.map((m) => [m.name, m]));
  const pools = new Map(contract.pools.map((p) => [p.name, p]));
  const errors: string[] = [];
  const warnings: string[] = [];
  config.fineTunes.forEach((spec, i) => {
    const fit = fineTuneFit(resolveFineTune(spec), models.get(spec.baseModel)!, pools.get(spec.pool));
    errors.push(...fit.errors.map((e) => `llmkit:fineTunes[${i}]: ${e}`));
    warnings.push(...fit.warnings.map((w) => `llmkit:fineTunes[${i}]: ${w}`));
  });
  config.serving.forEach((spec, i) => {
    if (spec.baseModel === undefined) return; // custom runtimes: no engine memory model to fit
    const svc = resolveService(spec, models.get(spec.baseModel)!, pinnedAdapters(loaded, spec.adapters));
    const fit = serviceFit(svc, pools.get(spec.pool));
    errors.push(...fit.errors.map((e) => `llmkit:serving[${i}]: ${e}`));
    warnings.push(...fit.warnings.map((w) => `llmkit:serving[${i}]: ${w}`));
  });
  return { errors, warnings };
}

/** Warnings only: GPU fit (see fitFindings) and each fine-tune's domain:general mix (training/mix.ts). */
export function preflightWarnings(loaded: LoadedStack, contract: PlatformContract): string[] {
  const mix = loaded.config.fineTunes.flatMap((spec, i) => {
    const { warning } = datasetMix(resolveFineTune(spec));
    return warning === undefined ? [] : [`llmkit:fineTunes[${i}].datasets: ${warning}`];
  });
  return [...fitFindings(loaded, contract).warnings, ...mix, ...unreleasedFollowUps(loaded), ...poolPeaks(loaded, contract), ...unenforcedNetworkPolicy(loaded, contract)];
}

/**
 * Serving's NetworkPolicy is what keeps clients off the engine routes the gateway does not
 * allow-list (vLLM's --api-key leaves /invocations, /tokenize, /score, … open:
 * components/serving/network.ts). A cluster whose CNI ignores NetworkPolicy accepts the object
 * and enforces nothing; only the platform config can say which kind this cluster is.
 */
function unenforcedNetworkPolicy(loaded: LoadedStack, contract: PlatformContract): string[] {
  if (contract.networkPolicyEnforced || loaded.config.serving.length === 0) return [];
  const where = loaded.config.platform === undefined ? `llmkit:platformStack: platform stack "${loaded.config.platformStack}" has ` : "llmkit:";
  return [
    `${where}platform.cni.enforcesNetworkPolicy: is false, so the serving NetworkPolicies may not be enforced and clients that reach the pods directly ` +
      "get engine routes the gateway does not allow (/invocations, /tokenize, /score, …): run a CNI that enforces NetworkPolicy (e.g. Calico, Cilium) and set it to true",
  ];
}

/**
 * Each service alone fits its pool's GPU limit (autoscalingProblems); together they may not. At
 * such a peak Karpenter stops adding nodes and the last replicas stay Pending: worth knowing, not
 * wrong (services rarely peak at once).
 */
function poolPeaks(loaded: LoadedStack, contract: PlatformContract): string[] {
  const peaks = new Map<string, string[]>();
  const total = new Map<string, number>();
  for (const s of loaded.config.serving) {
    if (s.gpus === 0) continue;
    const top = peakReplicas(s);
    peaks.set(s.pool, [...(peaks.get(s.pool) ?? []), `${s.name} ${top}×${s.gpus}`]);
    total.set(s.pool, (total.get(s.pool) ?? 0) + top * s.gpus);
  }
  return [...total].flatMap(([pool, gpus]) => {
    const limit = contract.pools.find((p) => p.name === pool)?.gpuLimit;
    if (limit === undefined || gpus <= limit) return [];
    return [
      `llmkit:serving: services on pool "${pool}" can scale to ${gpus} GPUs together (${peaks.get(pool)!.join(", ")}) but its gpuLimit is ${limit}: ` +
        "at that peak the last replicas stay Pending; raise the pool's gpuLimit or lower replicas.max",
    ];
  });
}

/** Fine-tunes whose merge/GGUF Jobs wait for `llmkit:release` to pin their current run (FineTuneArgs.releasedRunId). */
function unreleasedFollowUps(loaded: LoadedStack): string[] {
  const { config } = loaded;
  const models = new Map(config.models.map((m) => [m.name, m]));
  return config.fineTunes.flatMap((spec, i) => {
    const ft = resolveFineTune(spec);
    if (resolveMerge(spec, ft) === null) return [];
    const id = fineTuneRunId(ft, models.get(spec.baseModel)!);
    if (followUpsReleased(id, config.release.adapters[spec.name]?.runId)) return [];
    return [
      `llmkit:fineTunes[${i}].merge: the merge${spec.export?.gguf === undefined ? "" : " and GGUF"} Jobs of run ${id} start once ` +
        `llmkit:release.adapters.${spec.name}.runId pins "${id}" (after training has published it), so no pod waits on a GPU node`,
    ];
  });
}

/**
 * The adapters a service serves, in its `adapters` order: each one's `llmkit:release` entry, or on
 * env local, for a fine-tune of this stack without one, its current run with `follow` (served as
 * soon as it is published: components/serving/scripts/adapter-follow.sh). The rules checked that
 * every other name is pinned.
 */
export function pinnedAdapters(loaded: LoadedStack, names: readonly string[]): AdapterRef[] {
  const { config } = loaded;
  return names.map((name) => {
    const trained = config.fineTunes.find((f) => f.name === name);
    const effective = trained === undefined ? undefined : resolveFineTune(trained);
    const release = config.release.adapters[name];
    if (release === undefined) {
      if (config.env !== "local" || trained === undefined || effective === undefined) throw new Error(`adapter "${name}" is neither pinned nor a local fine-tune: the rules let it through`);
      const model = config.models.find((m) => m.name === trained.baseModel)!;
      return { name, runId: fineTuneRunId(effective, model), baseModel: trained.baseModel, rank: effective.lora.rank, follow: true };
    }
    const { rank, ...entry } = release;
    const effectiveRank = rank ?? effective?.lora.rank;
    return { name, ...entry, ...(effectiveRank !== undefined ? { rank: effectiveRank } : {}) };
  });
}

export function preflight(loaded: LoadedStack, contract: PlatformContract): void {
  const problems = preflightProblems(loaded, contract);
  if (problems.length > 0) throw new ConfigError(loaded.stack, problems);
}
