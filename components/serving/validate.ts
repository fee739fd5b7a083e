/**
 * Checks a resolved service against its model, its adapters and the platform contract. Collects
 * every problem and throws once (docs/architecture.md §3). Shape and cross-stack rules live in
 * config/schema.ts and config/rules.ts; these are the ones only the serving area knows.
 */
import type { PlatformContract } from "../platform/contract.ts";
import { autoscalingProblems } from "./autoscaling.ts";
import type { ServingConfig } from "./inputs.ts";
import { cpuKvCacheProblem } from "./cpu-memory.ts";
import { LORA_MAX_RANKS, type EffectiveService } from "./defaults.ts";

const MAX_RANK = Math.max(...LORA_MAX_RANKS);

/** Grace must cover preStop + engine drain, or the kubelet kills requests mid-stream (docs/architecture.md §6). */
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
  const gpus = svc.device === "gpu" ? svc.gpus : 0;
  problems.push(...autoscalingProblems(svc.scaling, { pool: svc.pool, gpus, engineVersion: svc.engineVersion }, contract));
  if (engine.maxCpuLoras < engine.maxLoras) {
    problems.push(`engine.maxCpuLoras (${engine.maxCpuLoras}) must be ≥ engine.maxLoras (${engine.maxLoras}) as vLLM requires`);
  }
  if (svc.resources.memoryGiB <= svc.shmGiB) {
    problems.push(`resources.memoryGiB (${svc.resources.memoryGiB}) must exceed the ${svc.shmGiB} GiB memory-backed /dev/shm it includes`);
  } else if (svc.device === "cpu") {
    const kv = cpuKvCacheProblem({ memoryGiB: svc.resources.memoryGiB, shmGiB: svc.shmGiB, model: svc.model, maxModelLen: engine.maxModelLen });
    if (kv !== undefined) problems.push(`resources.memoryGiB (${svc.resources.memoryGiB}) ${kv}`);
  }
  return problems;
}

/**
 * Auth and exposure must agree (components/serving/README.md "Gateway and auth"): gateway clients
 * and JWTs need a gateway; an exposed service authenticates there, so it needs clients and has
 * no engine key. Paths are relative to the service's config block.
 */
export function exposureProblems(spec: Pick<ServingConfig, "auth" | "exposure">, contract: PlatformContract): string[] {
  const { auth, exposure } = spec;
  const problems: string[] = [];
  if (exposure === undefined) {
    if (auth.type === "jwt") problems.push("auth: jwt is verified by the gateway, but the service is not exposed: set exposure, or use type: api-key");
    if (auth.type === "api-key" && auth.clients !== undefined) {
      problems.push("auth.clients: are gateway keys, but the service is not exposed: set exposure, or remove them (in-cluster callers use the engine key)");
    }
    return problems;
  }
  if (contract.addons.gatewayClassName === null) {
    problems.push("exposure: the platform runs no Envoy Gateway (platform.addons.envoyGateway is off): switch it on or remove exposure");
  }
  if (auth.type === "api-key") {
    if (auth.clients === undefined) problems.push("auth.clients: is required when the service is exposed: list each client and the Secret holding its key");
    if (auth.secret !== undefined) problems.push("auth.secret: an exposed service has no engine key (the gateway authenticates): remove it, or remove exposure");
    const seen = new Set<string>();
    (auth.clients ?? []).forEach((c, i) => {
      if (seen.has(c.name)) problems.push(`auth.clients[${i}].name: "${c.name}" is listed twice: client ids must be unique`);
      seen.add(c.name);
    });
  }
  return problems;
}

/** Throws once with every problem of the service, and of its auth and exposure when `spec` is given. */
export function validateService(svc: EffectiveService, contract: PlatformContract, spec?: Pick<ServingConfig, "auth" | "exposure">): void {
  const problems = [...serviceProblems(svc, contract), ...(spec === undefined ? [] : exposureProblems(spec, contract))];
  if (problems.length > 0) {
    throw new Error(`serving "${svc.name}" is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
