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
import { FETCH_SCRIPT, SCRIPTS_SHA256, SERVING_SCRIPTS } from "./scripts.ts";

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
      { name: "ADAPTER_PREFIXES", value: svc.adapters.map((a) => a.prefix).join(" ") },
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

function engineEnv(svc: EffectiveService) {
  const key = svc.apiKey === undefined ? [] : [{ name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: svc.apiKey.secretName, key: svc.apiKey.key } } }];
  return [
    ...key,
    { name: "HOME", value: CACHE_DIR },
    { name: "LOGNAME", value: "vllm" },
    // no usage reports to vLLM's collector (vllm/envs.py); nothing pulls a hub at run time (docs/architecture.md §1)
    { name: "VLLM_NO_USAGE_STATS", value: "1" },
    { name: "VLLM_DO_NOT_TRACK", value: "1" },
    { name: "HF_HUB_OFFLINE", value: "1" },
    // without it the CPU backend sizes the KV cache from the node's RAM, not this container's limit (cpu-memory.ts)
    ...(svc.engine.cpuKvCacheGiB === undefined ? [] : [{ name: "VLLM_CPU_KVCACHE_SPACE", value: String(svc.engine.cpuKvCacheGiB) }]),
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
          containers: [engineContainer(svc, place.gpuLimits)],
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
