/**
 * Preflight: the checks only the components know (pinned add-on versions, engine limits, Job
 * name lengths, vLLM LoRA limits), run over the whole stack before anything is registered, so a
 * problem in the third service never leaves the first two half-applied (DESIGN.md §3, §4).
 */
import { validateAws } from "../components/platform/aws/defaults.ts";
import { validateLocal } from "../components/platform/local/local-platform.ts";
import type { PlatformContract } from "../components/platform/contract.ts";
import { resolveFineTune } from "../components/training/defaults.ts";
import { fineTuneProblems } from "../components/training/validate.ts";
import { resolveService } from "../components/serving/defaults.ts";
import { serviceProblems } from "../components/serving/validate.ts";
import { ConfigError, type LoadedStack } from "./load.ts";

export function preflightProblems(loaded: LoadedStack, contract: PlatformContract): string[] {
  const { config, platform } = loaded;
  const problems: string[] = [];
  // A workloads stack's platform is the platform stack's business: it was validated there.
  if (config.platform !== undefined) {
    const platformProblems = platform.provider === "aws" ? validateAws(platform) : platform.provider === "local" ? validateLocal(platform) : [];
    problems.push(...platformProblems.map((p) => `llmkit:${p}`));
  }
  const models = new Map(config.models.map((m) => [m.name, m]));
  config.fineTunes.forEach((spec, i) => {
    const model = models.get(spec.baseModel)!; // the schema checked the reference
    for (const p of fineTuneProblems(resolveFineTune(spec), model, contract)) problems.push(`llmkit:fineTunes[${i}]: ${p}`);
  });
  config.serving.forEach((spec, i) => {
    const model = models.get(spec.baseModel)!;
    const adapters = pinnedAdapters(loaded, spec.adapters);
    for (const p of serviceProblems(resolveService(spec, model, adapters), contract)) problems.push(`llmkit:serving[${i}]: ${p}`);
  });
  return problems;
}

/** The release entries a service serves, in its `adapters` order (the schema checked they exist). */
export function pinnedAdapters(loaded: LoadedStack, names: readonly string[]) {
  return names.map((name) => {
    const { rank, ...entry } = loaded.config.release.adapters[name]!;
    const trained = loaded.config.fineTunes.find((f) => f.name === name);
    const effectiveRank = rank ?? (trained !== undefined ? resolveFineTune(trained).lora.rank : undefined);
    return { name, ...entry, ...(effectiveRank !== undefined ? { rank: effectiveRank } : {}) };
  });
}

export function preflight(loaded: LoadedStack, contract: PlatformContract): void {
  const problems = preflightProblems(loaded, contract);
  if (problems.length > 0) throw new ConfigError(loaded.stack, problems);
}
