/**
 * Plain Kubernetes objects for one vLLM service (pure, stable key order): the scripts ConfigMap,
 * the Deployment, its Service and PodDisruptionBudget, and the metadata of the generated API-key
 * Secret (NetworkPolicy: network.ts; Gateway and policies: gateway.ts).
 */
import { recommendedLabels, selectorLabels } from "../lib/labels.ts";
import { childName } from "../lib/naming.ts";
import { containerSecurityContext, podSecurityContext } from "../lib/pod-security.ts";
import { SERVING_PRIORITY_CLASS } from "../lib/priority.ts";
import { placement } from "../lib/scheduling.ts";
import { storeEnv } from "../lib/store-env.ts";
import { imageRef, images } from "../lib/versions.ts";
import type { PlatformContract } from "../platform/contract.ts";
import { HTTP_PORT, type EffectiveService } from "./defaults.ts";
import { renderVllmArgs } from "./engine-args.ts";
import { BASE_MODEL_DIR, CACHE_DIR, MODELS_DIR, SCRIPTS_DIR, gi } from "./layout.ts";
import { FETCH_SCRIPT, FOLLOW_SCRIPT, SCRIPTS_SHA256, SERVING_SCRIPTS } from "./scripts.ts";

/**
 * The GPU image has a `vllm` user (uid 2000, vllm-project/vllm#40275, in v0.21.0), and
 * runAsUser 2000 is known to work. The CPU image (docker/Dockerfile.cpu) has no such user, so
 * the same uid runs there without a passwd entry: LOGNAME below keeps torch's
 * getpass.getuser() from crashing (kserve/kserve#5666) and HOME points at a writable emptyDir.
 * Neither image needs root at run time.
 */
export const VLLM_UID = 2000;

const HEALTH = { httpGet: { path: "/health", port: "http" } } as const;

export function serviceNames(name: string) {
  return { workload: name, scripts: childName(name, "scripts"), apiKey: childName(name, "api-key") };
}

function labels(svc: EffectiveService) {
  return recommendedLabels({ name: "vllm", instance: svc.name, component: "serving", version: svc.engineVersion });
}

export function selector(svc: EffectiveService) {
  return selectorLabels({ name: "vllm", instance: svc.name });
}

export function metadata(svc: EffectiveService, contract: PlatformContract, name: string) {
  return { name, namespace: contract.namespace, labels: labels(svc) };
}

export function renderScripts(svc: EffectiveService, contract: PlatformContract) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(svc, contract, serviceNames(svc.name).scripts),
    data: { ...SERVING_SCRIPTS },
  };
}

/** Metadata of the generated key's Secret (its data is a Pulumi secret, set by the component). */
export function renderApiKeySecretMetadata(svc: EffectiveService, contract: PlatformContract) {
  return metadata(svc, contract, serviceNames(svc.name).apiKey);
}

function fetchContainer(svc: EffectiveService, contract: PlatformContract) {
  return {
    name: "fetch",
    image: imageRef(images.awsCli),
    command: ["bash", `${SCRIPTS_DIR}/${FETCH_SCRIPT}`],
    env: [
      ...storeEnv(contract.store),
      { name: "STORE_BUCKET", value: contract.store.bucket },
      { name: "MODEL_PREFIX", value: svc.modelPrefix },
      { name: "MODEL_REVISION", value: svc.model.revision },
      { name: "ADAPTER_PREFIXES", value: svc.adapters.filter((a) => !a.follow).map((a) => a.prefix).join(" ") },
      { name: "MODELS_DIR", value: MODELS_DIR },
      { name: "BASE_MODEL_DIR", value: BASE_MODEL_DIR },
      { name: "MAX_LORA_RANK", value: String(svc.engine.maxLoraRank) },
      { name: "HOME", value: "/tmp" },
    ],
    // network-bound `aws s3 sync` (8 MiB parts); the limits leave room for its parallel transfers
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: "models", mountPath: MODELS_DIR },
      { name: "scripts", mountPath: SCRIPTS_DIR, readOnly: true },
    ],
  };
}

function apiKeyEnv(svc: EffectiveService) {
  return svc.apiKey === undefined ? [] : [{ name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: svc.apiKey.secretName, key: svc.apiKey.key } } }];
}

/** `<name>=<prefix>` of each adapter that follows its fine-tune's current run (scripts/adapter-follow.sh). */
export function followedAdapters(svc: EffectiveService): string[] {
  return svc.adapters.filter((a) => a.follow).map((a) => `${a.name}=${a.prefix}`);
}

/**
 * @default 30 s — how often adapter-follow lists the store and asks vLLM: a published run is served
 * within half a minute, and a store listing costs nothing.
 */
export const FOLLOW_POLL_SECONDS = 30;
/**
 * The loop sleeps most of the time; the requests keep what it needs while idle (a small node
 * holds it beside the engine and a training pod), the limits cover `aws s3 sync` of one LoRA
 * adapter (megabytes to a few hundred MiB, streamed in 8 MiB parts).
 */
export const FOLLOW_RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

/** The `adapter-follow` container, or none when every adapter is pinned. */
function followContainers(svc: EffectiveService, contract: PlatformContract) {
  const follows = followedAdapters(svc);
  if (follows.length === 0) return [];
  return [
    {
      name: "adapter-follow",
      image: imageRef(images.awsCli),
      command: ["bash", `${SCRIPTS_DIR}/${FOLLOW_SCRIPT}`],
      env: [
        ...storeEnv(contract.store),
        { name: "STORE_BUCKET", value: contract.store.bucket },
        { name: "FOLLOW_ADAPTERS", value: follows.join(" ") },
        { name: "MODELS_DIR", value: MODELS_DIR },
        { name: "MODEL_REVISION", value: svc.model.revision },
        { name: "MAX_LORA_RANK", value: String(svc.engine.maxLoraRank) },
        { name: "ENGINE_PORT", value: String(HTTP_PORT) },
        { name: "POLL_SECONDS", value: String(FOLLOW_POLL_SECONDS) },
        ...apiKeyEnv(svc),
        { name: "HOME", value: "/tmp" },
      ],
      resources: FOLLOW_RESOURCES,
      securityContext: containerSecurityContext(),
      volumeMounts: [
        { name: "models", mountPath: MODELS_DIR },
        { name: "scripts", mountPath: SCRIPTS_DIR, readOnly: true },
      ],
    },
  ];
}

function engineEnv(svc: EffectiveService) {
  return [
    ...apiKeyEnv(svc),
    { name: "HOME", value: CACHE_DIR },
    { name: "LOGNAME", value: "vllm" },
    // no usage reports to vLLM's collector (vllm/envs.py); nothing pulls a hub at run time (docs/architecture.md §1)
    { name: "VLLM_NO_USAGE_STATS", value: "1" },
    { name: "VLLM_DO_NOT_TRACK", value: "1" },
    { name: "HF_HUB_OFFLINE", value: "1" },
    // without it the CPU backend sizes the KV cache from the node's RAM, not this container's limit (cpu-memory.ts)
    ...(svc.engine.cpuKvCacheGiB === undefined ? [] : [{ name: "VLLM_CPU_KVCACHE_SPACE", value: String(svc.engine.cpuKvCacheGiB) }]),
    // the runtime LoRA API adapter-follow uses: POST /v1/load_lora_adapter exists only with it
    // (vllm-project/vllm@v0.21.0 vllm/entrypoints/serve/lora/api_router.py attach_router; envs.py reads "1"/"true")
    ...(followedAdapters(svc).length === 0 ? [] : [{ name: "VLLM_ALLOW_RUNTIME_LORA_UPDATING", value: "True" }]),
  ];
}

function engineContainer(svc: EffectiveService, gpuLimits: Record<string, string>) {
  const requests = { cpu: String(svc.resources.cpu), memory: gi(svc.resources.memoryGiB) };
  return {
    name: "vllm",
    image: svc.image,
    args: renderVllmArgs(svc),
    env: engineEnv(svc),
    ports: [{ name: "http", containerPort: HTTP_PORT, protocol: "TCP" }],
    // requests = limits: Guaranteed QoS, the last class evicted under node pressure
    resources: { requests, limits: { ...requests, ...gpuLimits } },
    securityContext: containerSecurityContext(),
    // 5 s+ timeouts: /health answers slowly under load, and 1 s timeouts have emptied pools (docs/architecture.md §8)
    startupProbe: { ...HEALTH, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: svc.startup.failureThreshold },
    readinessProbe: { ...HEALTH, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
    livenessProbe: { ...HEALTH, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 4 },
    // the pod leaves the endpoints while this sleeps; SIGTERM (and vLLM's drain) comes after
    lifecycle: { preStop: { sleep: { seconds: svc.drain.preStopSeconds } } },
    volumeMounts: [
      { name: "models", mountPath: MODELS_DIR, readOnly: true },
      { name: "cache", mountPath: CACHE_DIR },
      { name: "dshm", mountPath: "/dev/shm" },
    ],
  };
}

/**
 * Replicas spread across zones when capacity allows (GPU capacity is zonal and scarce: a Pending
 * replica protects nothing) and across nodes always (two replicas on one node fail together).
 * `pod-template-hash` scopes the count to one revision, so a rollout is not skewed by old pods.
 */
function spread(svc: EffectiveService) {
  const common = { maxSkew: 1, labelSelector: { matchLabels: selector(svc) }, matchLabelKeys: ["pod-template-hash"] };
  return [
    { ...common, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
    { ...common, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
  ];
}

export function renderDeployment(svc: EffectiveService, contract: PlatformContract) {
  const pool = contract.pools.find((p) => p.name === svc.pool);
  if (pool === undefined) throw new Error(`serving "${svc.name}": pool "${svc.pool}" is not in the platform contract`);
  const place = placement(pool, svc.device === "gpu" ? svc.gpus : 0);
  const names = serviceNames(svc.name);
  const engine = engineContainer(svc, place.gpuLimits);
  const follow = followContainers(svc, contract);
  // a tuple, so readers of containers[0] see the engine container's own type
  const containers: [typeof engine, ...typeof follow] = [engine, ...follow];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(svc, contract, names.workload),
    spec: {
      replicas: svc.replicas,
      progressDeadlineSeconds: svc.startup.progressDeadlineSeconds,
      selector: { matchLabels: selector(svc) },
      // a new pod must be Ready before an old one goes: capacity never drops during a rollout
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(svc), annotations: { "llmkit.dev/scripts-sha256": SCRIPTS_SHA256 } },
        spec: {
          serviceAccountName: contract.serviceAccounts.serving,
          // outranks training for scarce GPUs (platform-owned class, components/lib/priority.ts)
          priorityClassName: SERVING_PRIORITY_CLASS,
          // Service links would set VLLM_PORT etc. for a Service named "vllm" and break vLLM
          // (docs/serving/env_vars.md warning); nothing here uses service-link variables.
          enableServiceLinks: false,
          terminationGracePeriodSeconds: svc.drain.terminationGracePeriodSeconds,
          securityContext: podSecurityContext({ uid: VLLM_UID }),
          nodeSelector: place.nodeSelector,
          tolerations: place.tolerations,
          topologySpreadConstraints: spread(svc),
          initContainers: [fetchContainer(svc, contract)],
          containers,
          volumes: [
            { name: "models", emptyDir: { sizeLimit: gi(svc.modelsVolumeGiB) } },
            // torch.compile, triton and vLLM caches of one engine start
            { name: "cache", emptyDir: { sizeLimit: gi(4) } },
            { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: gi(svc.shmGiB) } },
            { name: "scripts", configMap: { name: names.scripts, defaultMode: 0o444 } },
          ],
        },
      },
    },
  };
}

export function renderService(svc: EffectiveService, contract: PlatformContract) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(svc, contract, serviceNames(svc.name).workload),
    spec: {
      type: "ClusterIP",
      selector: selector(svc),
      ports: [{ name: "http", port: HTTP_PORT, targetPort: "http", protocol: "TCP" }],
    },
  };
}

export function renderPodDisruptionBudget(svc: EffectiveService, contract: PlatformContract) {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadata(svc, contract, serviceNames(svc.name).workload),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selector(svc) },
      // a crash-looping pod serves nothing: never let it block a node drain
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}

export function serviceEndpoint(svc: EffectiveService, contract: PlatformContract): string {
  return serviceEndpointOf(svc.name, contract);
}

/** The OpenAI base URL of vLLM service `name` inside the cluster. */
export function serviceEndpointOf(name: string, contract: PlatformContract): string {
  return `http://${serviceNames(name).workload}.${contract.namespace}.svc.cluster.local:${HTTP_PORT}/v1`;
}
