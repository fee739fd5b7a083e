/**
 * Cross-field rules of the stack config. Each problem names its exact path and says how to fix it;
 * all problems are reported at once. Environment policy lives here too (docs/architecture.md §4).
 */
import type { z } from "zod";
import { poolContracts } from "../components/platform/contract.ts";
import { PRESETS } from "../components/platform/aws/karpenter/presets.ts";
import type { PoolContract } from "../components/lib/scheduling.ts";
import { platformProblems } from "./platform-rules.ts";
import { fineTunePoolProblems, fineTuneRuleProblems } from "./fine-tune-rules.ts";
import { imageRuleProblems } from "./image-rules.ts";
import { releaseRuleProblems } from "./release-rules.ts";
import { servingRuleProblems } from "./serving-rules.ts";
import { chatUiRuleProblems } from "./chat-ui-rules.ts";
import type { ParsedStackConfig as StackConfig, PlatformConfig } from "./schema.ts";

export interface Problem {
  readonly path: (string | number)[];
  readonly message: string;
}

type Ctx = z.RefinementCtx;

export function crossFieldRules(cfg: StackConfig, ctx: Ctx): void {
  for (const p of stackProblems(cfg)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
}

export function stackProblems(cfg: StackConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });

  // Layers decide which blocks a stack may hold.
  if (cfg.layer !== "workloads" && cfg.platform === undefined) {
    add(["platform"], `is required when layer is "${cfg.layer}": describe the cluster, store and pools`);
  }
  if (cfg.layer === "workloads") {
    if (cfg.platform !== undefined) add(["platform"], 'must not be set when layer is "workloads": it belongs to the platform stack');
    if (cfg.platformStack === undefined) add(["platformStack"], 'is required when layer is "workloads": name the platform stack, e.g. platform-dev');
  } else if (cfg.platformStack !== undefined) {
    add(["platformStack"], `is only for layer "workloads" (this stack's layer is "${cfg.layer}"): remove it`);
  }
  if (cfg.layer === "platform") {
    for (const key of ["models", "fineTunes", "serving"] as const) {
      if (cfg[key].length > 0) add([key], 'belongs to a workloads stack: a layer "platform" stack holds only platform');
    }
    if (Object.keys(cfg.release.adapters).length > 0 || cfg.release.gates.length > 0) add(["release"], 'belongs to a workloads stack: remove it from this platform stack');
  }

  uniqueNames(cfg.models, "models", add);
  uniqueNames(cfg.datasets, "datasets", add);
  uniqueNames(cfg.fineTunes, "fineTunes", add);
  uniqueNames(cfg.serving, "serving", add);
  const jobNames = new Set(cfg.fineTunes.map((f) => f.name));
  cfg.serving.forEach((s, i) => {
    if (jobNames.has(s.name)) add(["serving", i, "name"], `"${s.name}" is also a fine-tune name: object names would collide, rename one`);
  });

  const models = new Set(cfg.models.map((m) => m.name));
  const modelList = [...models].join(", ") || "none defined";
  const fineTuneBase = new Map(cfg.fineTunes.map((f) => [f.name, f.baseModel]));

  cfg.fineTunes.forEach((f, i) => {
    if (!models.has(f.baseModel)) add(["fineTunes", i, "baseModel"], `unknown model "${f.baseModel}": use one of llmkit:models (${modelList})`);
    if (f.method === "qlora" && f.quantBits === undefined) add(["fineTunes", i, "quantBits"], "is required for method qlora: set 4 or 8");
    if (f.method === "lora" && f.quantBits !== undefined) add(["fineTunes", i, "quantBits"], 'applies only to method "qlora": remove it or set method: qlora');
    if (f.gpus === 0 && f.method === "qlora") add(["fineTunes", i, "gpus"], "QLoRA quantises with bitsandbytes on a GPU: request at least 1 GPU");
  });
  problems.push(...fineTuneRuleProblems(cfg));
  problems.push(...imageRuleProblems(cfg));

  const fineTuneRank = new Map(cfg.fineTunes.map((f) => [f.name, f.lora?.rank]));
  for (const [adapter, entry] of Object.entries(cfg.release.adapters)) {
    const trainedRank = fineTuneRank.get(adapter);
    if (entry.rank !== undefined && trainedRank !== undefined && entry.rank !== trainedRank) {
      add(["release", "adapters", adapter, "rank"], `is ${entry.rank} but fine-tune "${adapter}" trains rank ${trainedRank}: make them match or drop rank`);
    }
    if (!models.has(entry.baseModel) && cfg.layer !== "platform") {
      add(["release", "adapters", adapter, "baseModel"], `unknown model "${entry.baseModel}": use one of llmkit:models (${modelList})`);
    }
    const trainedOn = fineTuneBase.get(adapter);
    if (trainedOn !== undefined && trainedOn !== entry.baseModel) {
      add(["release", "adapters", adapter, "baseModel"], `is "${entry.baseModel}" but fine-tune "${adapter}" trains on "${trainedOn}": make them match`);
    }
  }

  problems.push(...releaseRuleProblems(cfg));

  cfg.serving.forEach((s, i) => {
    if (s.baseModel !== undefined && !models.has(s.baseModel)) add(["serving", i, "baseModel"], `unknown model "${s.baseModel}": use one of llmkit:models (${modelList})`);
    if (s.replicas.min > s.replicas.max) add(["serving", i, "replicas", "min"], `(${s.replicas.min}) exceeds replicas.max (${s.replicas.max})`);
    const seen = new Set<string>();
    s.adapters.forEach((a, j) => {
      if (seen.has(a)) add(["serving", i, "adapters", j], `"${a}" is listed twice: remove the duplicate`);
      seen.add(a);
      const pinned = cfg.release.adapters[a];
      const trainedOn = fineTuneBase.get(a);
      if (pinned === undefined && cfg.env === "local" && trainedOn !== undefined) {
        // env local: the service follows the fine-tune's current run (config/preflight.ts pinnedAdapters)
        if (trainedOn !== s.baseModel) add(["serving", i, "adapters", j], `adapter "${a}" is trained on base "${trainedOn}" but this service serves "${s.baseModel}"`);
      } else if (pinned === undefined) {
        const follow = trainedOn === undefined ? "" : ` (only env: local serves a fine-tune's current run without a pin; here pin the run render prints once it is published, or npm run promote one from another stack)`;
        add(["serving", i, "adapters", j], `adapter "${a}" is not pinned in llmkit:release.adapters: add ${a}: {runId, baseModel}${follow}`);
      } else if (pinned.baseModel !== s.baseModel) {
        add(["serving", i, "adapters", j], `adapter "${a}" was trained on base "${pinned.baseModel}" but this service serves "${s.baseModel}"`);
      }
    });
    if (s.engine?.maxLoras !== undefined && s.engine.maxCpuLoras !== undefined && s.engine.maxCpuLoras < s.engine.maxLoras) {
      add(["serving", i, "engine", "maxCpuLoras"], `(${s.engine.maxCpuLoras}) must be ≥ engine.maxLoras (${s.engine.maxLoras}) as vLLM requires`);
    }
    if (s.runtime === "vllm" && s.gpus === 0 && s.engine?.device !== "cpu") add(["serving", i, "gpus"], 'is 0: request at least 1 GPU, or set engine.device: cpu (local clusters)');
    if (s.gpus > 0 && s.engine?.device === "cpu") add(["serving", i, "engine", "device"], `is cpu but gpus is ${s.gpus}: set gpus: 0 or device: gpu`);
  });
  problems.push(...servingRuleProblems(cfg));
  problems.push(...chatUiRuleProblems(cfg));

  envPolicy(cfg, add);
  if (cfg.platform !== undefined) {
    platformProblems(cfg.platform, add);
    problems.push(...poolProblems(cfg, cfg.platform));
  }
  return problems;
}

/** Prod is available and closed by construction; local/dev/staging may relax by explicit config. */
function envPolicy(cfg: StackConfig, add: (path: (string | number)[], message: string) => void): void {
  if (cfg.env !== "prod") return;
  cfg.serving.forEach((s, i) => {
    if (s.replicas.min < 2) add(["serving", i, "replicas", "min"], `is ${s.replicas.min} but prod needs at least 2 replicas (no scale to zero, survives a node loss)`);
    if (s.auth.type === "none") add(["serving", i, "auth"], 'is "none" but prod endpoints must authenticate: use type: api-key, or jwt behind an exposure');
    if (s.exposure !== undefined && s.exposure.tls === undefined) {
      add(["serving", i, "exposure", "tls"], "is required in prod: API keys and tokens must not cross the network in clear text; set tls.secretName");
    }
  });
  const p = cfg.platform;
  if (p?.provider === "local") add(["platform", "provider"], 'is "local" but prod needs durable, retained storage: use aws or existing');
  if (p?.provider === "aws" && !p.store.retainOnDelete) add(["platform", "store", "retainOnDelete"], "must be true in prod so destroying the stack never deletes models and adapters");
}

/** Every pool a workload names must exist in the platform's contract and have room for its GPUs. */
export function poolProblems(cfg: StackConfig, platform: PlatformConfig, platformLabel = "platform"): Problem[] {
  const pools = new Map(poolContracts(platform).map((p) => [p.name, p]));
  const names = [...pools.keys()].join(", ");
  const problems: Problem[] = [];
  const check = (path: (string | number)[], pool: string, gpus: number) => {
    const contract: PoolContract | undefined = pools.get(pool);
    if (contract === undefined) {
      problems.push({ path: [...path, "pool"], message: `unknown pool "${pool}": use one of ${platformLabel}'s pools (${names})` });
    } else if (gpus > contract.gpusPerNode) {
      const has = contract.gpusPerNode === 0 ? "has no GPUs" : `has ${contract.gpusPerNode} GPU(s) per node`;
      problems.push({ path: [...path, "gpus"], message: `requests ${gpus} GPU(s) but pool "${pool}" ${has}: lower gpus or pick a larger pool` });
    }
  };
  cfg.fineTunes.forEach((f, i) => check(["fineTunes", i], f.pool, f.gpus));
  cfg.serving.forEach((s, i) => check(["serving", i], s.pool, s.gpus));
  cfg.serving.forEach((s, i) => {
    const gpusPerNode = pools.get(s.pool)?.gpusPerNode ?? 0;
    // the CPU backend on a GPU node pays for GPUs it never uses and is ~100× slower
    if (s.engine?.device === "cpu" && gpusPerNode > 0) {
      problems.push({ path: ["serving", i, "engine", "device"], message: `is cpu but pool "${s.pool}" is a GPU pool (${gpusPerNode} GPU(s) per node): the CPU backend is for CPU pools of local or existing clusters; set device: gpu with gpus ≥ 1, or use a CPU pool` });
    }
  });
  problems.push(...fineTunePoolProblems(cfg, platform));
  cfg.fineTunes.forEach((f, i) => {
    if (f.spot === undefined) return;
    const problem = spotProblem(platform, f.pool, f.spot, platformLabel);
    if (problem !== undefined) problems.push({ path: ["fineTunes", i, "spot"], message: problem });
  });
  return problems;
}

/**
 * `spot` selects nodes by Karpenter's `karpenter.sh/capacity-type` label, which only llmkit's own
 * Karpenter pools (provider aws) promise; the pool must offer the capacity type asked for.
 */
function spotProblem(platform: PlatformConfig, poolName: string, spot: boolean, platformLabel: string): string | undefined {
  if (platform.provider !== "aws") {
    return `needs Karpenter capacity types, which ${platformLabel}'s "${platform.provider}" pools do not promise: remove spot (select nodes with the pool's nodeSelector instead)`;
  }
  const pool = platform.gpuPools.find((p) => p.name === poolName);
  if (pool === undefined) return undefined; // the unknown pool is reported already
  const offered = pool.capacityTypes ?? PRESETS[pool.preset].capacityTypes;
  const wanted = spot ? "spot" : "on-demand";
  if (offered.includes(wanted)) return undefined;
  return `is ${spot} but pool "${poolName}" offers ${offered.join(", ")} capacity: ${spot ? 'use a pool with preset "training-spot" or capacityTypes including spot' : "use a pool offering on-demand"}, or remove spot`;
}

function uniqueNames(items: readonly { name: string }[], key: string, add: (path: (string | number)[], message: string) => void): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.name);
    if (first !== undefined) add([key, i, "name"], `"${item.name}" is already used by ${key}[${first}]: names must be unique`);
    else seen.set(item.name, i);
  });
}
