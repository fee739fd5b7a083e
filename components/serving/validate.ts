/**
 * Checks a resolved service against its model, its adapters and the platform contract. Collects
 * every problem and throws once (DESIGN.md §3). Shape and cross-stack rules live in
 * stacks/schema.ts and stacks/rules.ts; these are the ones only the serving area knows.
 */
import type { PlatformContract } from "../platform/contract.ts";
import { LORA_MAX_RANKS, type EffectiveService } from "./defaults.ts";

const MAX_RANK = Math.max(...LORA_MAX_RANKS);

/** Grace must cover preStop + engine drain, or the kubelet kills requests mid-stream (DESIGN.md §6). */
export function drainProblems(drain: EffectiveService["drain"]): string[] {
  const needed = drain.preStopSeconds + drain.shutdownTimeoutSeconds;
  return drain.terminationGracePeriodSeconds < needed
    ? [
        `terminationGracePeriodSeconds (${drain.terminationGracePeriodSeconds}) is shorter than preStop (${drain.preStopSeconds}) + ` +
          `--shutdown-timeout (${drain.shutdownTimeoutSeconds}) = ${needed}: in-flight requests would be killed`,
      ]
    : [];
}

function adapterProblems(svc: EffectiveService): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const a of svc.adapters) {
    if (seen.has(a.name)) problems.push(`adapter "${a.name}" is listed twice`);
    seen.add(a.name);
    if (a.name === svc.model.name) problems.push(`adapter "${a.name}" has the served model's name: requests could not tell them apart`);
    if (a.baseModel !== svc.model.name) {
      problems.push(`adapter "${a.name}" was trained on base "${a.baseModel}" but this service serves "${svc.model.name}"`);
    }
    if (!Number.isInteger(a.rank) || a.rank < 1 || a.rank > MAX_RANK) {
      problems.push(`adapter "${a.name}" has rank ${a.rank}: vLLM serves LoRA ranks 1 to ${MAX_RANK} (vllm/config/lora.py MaxLoRARanks)`);
    }
  }
  return problems;
}

function placementProblems(svc: EffectiveService, contract: PlatformContract): string[] {
  const pool = contract.pools.find((p) => p.name === svc.pool);
  if (pool === undefined) {
    return [`pool "${svc.pool}" is not in the platform contract (pools: ${contract.pools.map((p) => p.name).join(", ") || "none"})`];
  }
  if (svc.device === "cpu") return svc.gpus > 0 ? [`engine.device is cpu but gpus is ${svc.gpus}: set gpus: 0`] : [];
  if (svc.gpus < 1) return ["gpus is 0: request at least 1 GPU, or set engine.device: cpu"];
  if (pool.gpuResource === undefined) return [`pool "${pool.name}" has no GPUs but gpus is ${svc.gpus}: use a GPU pool or engine.device: cpu`];
  if (svc.gpus > pool.gpusPerNode) return [`gpus is ${svc.gpus} but nodes of pool "${pool.name}" have ${pool.gpusPerNode}: one pod cannot span nodes`];
  return [];
}

export function serviceProblems(svc: EffectiveService, contract: PlatformContract): string[] {
  const { engine } = svc;
  const problems = svc.baseModel === svc.model.name ? [] : [`baseModel is "${svc.baseModel}" but model "${svc.model.name}" was passed`];
  problems.push(...adapterProblems(svc), ...placementProblems(svc, contract), ...drainProblems(svc.drain));
  if (engine.maxCpuLoras < engine.maxLoras) {
    problems.push(`engine.maxCpuLoras (${engine.maxCpuLoras}) must be ≥ engine.maxLoras (${engine.maxLoras}) as vLLM requires`);
  }
  if (svc.resources.memoryGiB <= svc.shmGiB) {
    problems.push(`resources.memoryGiB (${svc.resources.memoryGiB}) must exceed the ${svc.shmGiB} GiB memory-backed /dev/shm it includes`);
  }
  return problems;
}

export function validateService(svc: EffectiveService, contract: PlatformContract): void {
  const problems = serviceProblems(svc, contract);
  if (problems.length > 0) {
    throw new Error(`serving "${svc.name}" is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
