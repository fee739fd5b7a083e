/**
 * Resolves a service's effective settings: every technical default written out once, with its
 * reason (docs/architecture.md §4: environment policy lives in the schema, technical defaults here). Pure.
 */
import { childName } from "../lib/naming.ts";
import { adapterPrefix, modelPrefix } from "../lib/store.ts";
import { engineImageRef, images } from "../lib/versions.ts";
import type { ExtraArgs } from "../lib/extra-args.ts";
import { cpuKvCacheGiB } from "./cpu-memory.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import type { ServingConfig } from "./inputs.ts";

/** One pinned adapter as the composition root passes it (from `llmkit:release`). */
export interface AdapterRef {
  readonly name: string;
  readonly runId: string;
  readonly baseModel: string;
  /**
   * LoRA rank the adapter was trained with; sizes `--max-lora-rank`.
   * @default 16 — used when neither `llmkit:release` nor a fine-tune in the stack gives a rank; 16 is vLLM's own
   * `max_lora_rank` default; an adapter of a higher rank is refused at pod start by fetch.sh
   * (it reads `r` from adapter_config.json), never served wrongly.
   */
  readonly rank?: number;
  /**
   * The adapter follows its fine-tune's current run (`runId`) instead of a pin (env local only,
   * config/rules.ts): the pod starts on the base model and loads the adapter at run time once the
   * run is published (scripts/adapter-follow.sh).
   */
  readonly follow?: boolean;
}

/**
 * The ranks vLLM accepts for `--max-lora-rank`: `MaxLoRARanks` in vllm/config/lora.py
 * (cross-checked against the pinned release's list in contracts.test.ts).
 */
export const LORA_MAX_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512] as const;
export const DEFAULT_ADAPTER_RANK = 16;

/** vLLM's OpenAI server port (`--port` default in vllm/entrypoints/openai/cli_args.py). */
export const HTTP_PORT = 8000;

/** @default 4096 tokens — vLLM otherwise takes the model's full context (32k+), whose KV cache does not fit small GPUs. */
export const DEFAULT_MAX_MODEL_LEN = 4096;
/** @default 0.9 — vLLM's own default, written out because engine defaults drift (docs/architecture.md §8). */
export const DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

/**
 * Drain timings (docs/architecture.md §6, §8). On termination the pod leaves the Service endpoints while
 * preStop sleeps, so the gateway stops sending new requests; then SIGTERM makes vLLM stop
 * accepting and wait up to `--shutdown-timeout` for in-flight requests; the grace period covers
 * both plus the engine's own teardown.
 */
/** @default 10 s — endpoint removal takes a few seconds to reach kube-proxy and the gateway's Envoy. */
export const PRESTOP_SECONDS = 10;
/** @default 60 s — a chat completion of a few thousand tokens finishes within a minute; longer stalls rollouts. */
export const SHUTDOWN_TIMEOUT_SECONDS = 60;
/** @default 15 s — after the drain vLLM stops its engine processes and frees GPU memory. */
export const TEARDOWN_SECONDS = 15;

/**
 * Start-up budgets, from model.sizeGiB (docs/architecture.md §8: budgets must cover node provisioning +
 * image pull + weight load):
 *   startupProbe window  = weight load (sizeGiB at LOAD_MIB_PER_SECOND) + ENGINE_INIT_SECONDS
 *   progressDeadline     = NODE_PROVISION_SECONDS + IMAGE_PULL_SECONDS + fetch (sizeGiB at
 *                          LOAD_MIB_PER_SECOND) + startupProbe window
 * The probe clock starts only once the vLLM container runs (after scheduling, pulls and the fetch
 * init container), so node provisioning, image pull and fetch belong to the rollout deadline
 * (and Pulumi's wait), not to the probe.
 */
/** @default 100 MiB/s — below an EBS gp3 volume's 125 MiB/s baseline, which backs the emptyDir on EKS. */
export const LOAD_MIB_PER_SECOND = 100;
/** @default 300 s — torch.compile, CUDA graph capture and KV-cache profiling on a cold start. */
export const ENGINE_INIT_SECONDS = 300;
/** @default 600 s — Karpenter launch, GPU driver and device plugin ready on a fresh GPU node. */
export const NODE_PROVISION_SECONDS = 600;
/** @default 600 s — the vLLM image is ~10 GiB compressed. */
export const IMAGE_PULL_SECONDS = 600;
export const STARTUP_PERIOD_SECONDS = 10;

/** @default 2 GiB of /dev/shm per tensor-parallel rank — PyTorch workers exchange tensors through shared memory. */
export const SHM_GIB_PER_RANK = 2;
/**
 * @default 1 GiB of /dev/shm for the CPU backend (one rank) — the most its engine processes put
 * there are two shared-memory message queues of 10 × 24 MiB (vllm-project/vllm@v0.21.0
 * vllm/distributed/device_communicators/shm_broadcast.py MessageQueue defaults, used by
 * v1/executor/multiproc_executor.py); the rest of the pod's memory holds weights and KV cache.
 */
export const SHM_GIB_CPU = 1;

export type Device = "gpu" | "cpu";

export interface EffectiveAdapter {
  readonly name: string;
  readonly runId: string;
  readonly baseModel: string;
  readonly rank: number;
  readonly prefix: string;
  /** Loaded at run time once published (AdapterRef.follow), not at start. */
  readonly follow: boolean;
}

export interface EffectiveService {
  readonly name: string;
  /** The model the spec names; must be `model.name`. */
  readonly baseModel: string;
  readonly model: ModelConfig;
  readonly modelPrefix: string;
  readonly adapters: readonly EffectiveAdapter[];
  readonly device: Device;
  readonly replicas: number;
  readonly pool: string;
  readonly gpus: number;
  readonly engine: {
    readonly maxModelLen: number;
    readonly gpuMemoryUtilization: number;
    readonly tensorParallelSize: number;
    readonly maxLoras: number;
    readonly maxCpuLoras: number;
    readonly maxLoraRank: number;
    /** CPU backend: VLLM_CPU_KVCACHE_SPACE in GiB (cpu-memory.ts); undefined on GPUs. */
    readonly cpuKvCacheGiB: number | undefined;
    /** Further `vllm serve` flags (./vllm-extra-args.ts), rendered after the kit's own. */
    readonly extraArgs: ExtraArgs;
  };
  /** The engine image: the service's `image` override or the pinned vLLM (CPU) image. */
  readonly image: string;
  readonly resources: { readonly cpu: number; readonly memoryGiB: number };
  readonly shmGiB: number;
  /** emptyDir for base weights and adapters. */
  readonly modelsVolumeGiB: number;
  /**
   * Secret and key of the engine's API key; `undefined` with auth "none". Exposed (api-key or jwt)
   * it is always generated: the gateway sends it to vLLM (gateway.ts `renderEngineKeyFilter`).
   */
  readonly apiKey: { readonly secretName: string; readonly key: string; readonly generated: boolean } | undefined;
  readonly drain: { readonly preStopSeconds: number; readonly shutdownTimeoutSeconds: number; readonly terminationGracePeriodSeconds: number };
  readonly startup: { readonly probeSeconds: number; readonly failureThreshold: number; readonly progressDeadlineSeconds: number };
  /** Version of the engine image (`images.vllm` or `images.vllmCpu`): keys the metric map. */
  readonly engineVersion: string;
  /** What autoscaling (autoscaling.ts) reads of the spec. */
  readonly scaling: ScalingSpec;
}

export type ScalingSpec = Pick<ServingConfig, "name" | "runtime" | "replicas" | "autoscaling" | "exposure">;

/** Key of the generated API-key Secret. */
export const API_KEY_SECRET_KEY = "api-key";

/** Smallest rank vLLM accepts that is ≥ `rank`; `undefined` above 512 (validate refuses those). */
export function loraRankFor(rank: number): number | undefined {
  return LORA_MAX_RANKS.find((r) => r >= rank);
}

function loadSeconds(sizeGiB: number): number {
  return Math.ceil((sizeGiB * 1024) / LOAD_MIB_PER_SECOND);
}

/**
 * A serving Deployment's `progressDeadlineSeconds`: node provisioning + image pull + what runs
 * before the main container (`beforeStartSeconds`, e.g. the weight fetch) + its startupProbe
 * window. Kubernetes' default of 600 s is shorter than a cold GPU node alone.
 */
export function rolloutDeadlineSeconds(probeSeconds: number, beforeStartSeconds = 0): number {
  return NODE_PROVISION_SECONDS + IMAGE_PULL_SECONDS + beforeStartSeconds + probeSeconds;
}

/** Pulumi waits for a Deployment as long as its progress deadline, not its default 10 minutes. */
export function rolloutTimeouts(progressDeadlineSeconds: number) {
  const wait = `${progressDeadlineSeconds}s`;
  return { create: wait, update: wait };
}

export function startupBudget(sizeGiB: number) {
  const probeWindow = loadSeconds(sizeGiB) + ENGINE_INIT_SECONDS;
  const failureThreshold = Math.ceil(probeWindow / STARTUP_PERIOD_SECONDS);
  const probeSeconds = failureThreshold * STARTUP_PERIOD_SECONDS;
  return { probeSeconds, failureThreshold, progressDeadlineSeconds: rolloutDeadlineSeconds(probeSeconds, loadSeconds(sizeGiB)) };
}

/**
 * Container CPU and memory when `spec.resources` is absent. Memory-backed /dev/shm counts against
 * the memory limit, so it is added on top.
 * - GPU: 4 cores per GPU (API server, tokenizer and scheduler processes); weights size + 16 GiB
 *   (safetensors are memory-mapped while loading, plus the CPU LoRA cache and CUDA host buffers).
 * - CPU backend: 4 cores; twice the weights + 8 GiB (weights and KV cache both live in RAM).
 */
export function defaultResources(device: Device, gpus: number, sizeGiB: number, shmGiB: number) {
  return device === "gpu"
    ? { cpu: 4 * gpus, memoryGiB: Math.ceil(sizeGiB) + 16 + shmGiB }
    : { cpu: 4, memoryGiB: Math.ceil(sizeGiB * 2) + 8 + shmGiB };
}

/**
 * The engine's own key: undefined with auth "none", else the given Secret or a generated one. It
 * stays on as a second layer; an exposed service's key is generated, so the gateway can be given
 * it too (components/serving/README.md "Gateway and auth"). jwt without exposure and auth.secret
 * with exposure are refused by validate.ts. In-cluster callers (the chat UI) present it too.
 */
export function engineKey(spec: Pick<ServingConfig, "name" | "auth" | "exposure">): EffectiveService["apiKey"] {
  if (spec.auth.type === "none") return undefined;
  if (spec.auth.type === "api-key" && spec.auth.secret !== undefined && spec.exposure === undefined) {
    return { secretName: spec.auth.secret.name, key: spec.auth.secret.key, generated: false };
  }
  return { secretName: childName(spec.name, "api-key"), key: API_KEY_SECRET_KEY, generated: true };
}

export function resolveService(spec: ServingConfig, model: ModelConfig, adapters: readonly AdapterRef[]): EffectiveService {
  const device: Device = spec.engine?.device ?? "gpu";
  const tensorParallelSize = device === "gpu" ? Math.max(1, spec.gpus) : 1;
  const effAdapters = adapters.map((a) => ({
    name: a.name,
    runId: a.runId,
    baseModel: a.baseModel,
    rank: a.rank ?? DEFAULT_ADAPTER_RANK,
    prefix: adapterPrefix(a.name, a.runId),
    follow: a.follow === true,
  }));
  const maxRank = Math.max(0, ...effAdapters.map((a) => a.rank));
  // every pinned adapter can share one batch; the CPU cache holds at least every pinned adapter
  const maxLoras = spec.engine?.maxLoras ?? Math.max(1, effAdapters.length);
  const shmGiB = device === "gpu" ? SHM_GIB_PER_RANK * tensorParallelSize : SHM_GIB_CPU;
  const preStopSeconds = PRESTOP_SECONDS;
  const shutdownTimeoutSeconds = SHUTDOWN_TIMEOUT_SECONDS;
  const resources = spec.resources ?? defaultResources(device, spec.gpus, model.sizeGiB, shmGiB);
  const maxModelLen = spec.engine?.maxModelLen ?? DEFAULT_MAX_MODEL_LEN;
  return {
    name: spec.name,
    // runtime vllm requires baseModel (config/schema.ts); "" would fail validation, never serve
    baseModel: spec.baseModel ?? "",
    model,
    modelPrefix: modelPrefix(model.repo, model.revision),
    adapters: effAdapters,
    device,
    // the initial size; with autoscaling KEDA owns it from there (the component ignores later drift)
    replicas: spec.replicas.min,
    pool: spec.pool,
    gpus: spec.gpus,
    engine: {
      maxModelLen,
      gpuMemoryUtilization: spec.engine?.gpuMemoryUtilization ?? DEFAULT_GPU_MEMORY_UTILIZATION,
      tensorParallelSize,
      maxLoras,
      maxCpuLoras: spec.engine?.maxCpuLoras ?? Math.max(maxLoras, effAdapters.length),
      maxLoraRank: loraRankFor(maxRank) ?? maxRank,
      cpuKvCacheGiB: device === "cpu" ? cpuKvCacheGiB({ memoryGiB: resources.memoryGiB, shmGiB, model, maxModelLen }) : undefined,
      extraArgs: { ...spec.engine?.extraArgs },
    },
    image: engineImageRef(device === "gpu" ? images.vllm : images.vllmCpu, spec.image),
    resources,
    shmGiB,
    // weights + 1 GiB (tokenizer, configs) + 2 GiB per adapter (a rank-128 all-linear adapter of a 70B model)
    modelsVolumeGiB: Math.ceil(model.sizeGiB) + 1 + 2 * effAdapters.length,
    apiKey: engineKey(spec),
    drain: {
      preStopSeconds,
      shutdownTimeoutSeconds,
      terminationGracePeriodSeconds: preStopSeconds + shutdownTimeoutSeconds + TEARDOWN_SECONDS,
    },
    startup: startupBudget(model.sizeGiB),
    engineVersion: (device === "gpu" ? images.vllm : images.vllmCpu).version,
    scaling: { name: spec.name, runtime: spec.runtime, replicas: spec.replicas, autoscaling: spec.autoscaling, exposure: spec.exposure },
  };
}
