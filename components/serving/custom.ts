/**
 * CustomService: any pinned HTTP server image (e.g. a FastAPI reranker) in the same HA wrapper as
 * vLLM: replicas, PDB, zone/node spread, serving PriorityClass, preStop drain, probes, the
 * engine-port NetworkPolicy, API key from a Secret, KEDA autoscaling and a ServiceMonitor.
 * Resolve → validate → render (pure) → register, as VllmService.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { recommendedLabels, selectorLabels } from "../lib/labels.ts";
import { childName } from "../lib/naming.ts";
import { containerSecurityContext, podSecurityContext } from "../lib/pod-security.ts";
import { SERVING_PRIORITY_CLASS } from "../lib/priority.ts";
import { placement } from "../lib/scheduling.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { ServingConfig } from "./inputs.ts";
import { autoscalingProblems, renderScaledObject, resolveAutoscaling } from "./autoscaling.ts";
import { API_KEY_SECRET_KEY, PRESTOP_SECONDS, rolloutDeadlineSeconds, rolloutTimeouts, type ScalingSpec } from "./defaults.ts";
import { gi } from "./layout.ts";
import { GATEWAY_LABEL } from "../lib/gateway.ts";
import { MONITORING_NAMESPACE } from "./network.ts";
import { renderServiceMonitor } from "./observability.ts";
import { OPERATION_ROLES } from "./operations.ts";

type CustomRuntime = Exclude<ServingConfig["runtime"], "vllm">;

/** @default uid 10001 — no root; an image that needs a fixed user must allow an arbitrary one (as OpenShift requires). */
export const CUSTOM_UID = 10001;
/** @default 30 s — uvicorn (FastAPI) finishes in-flight requests on SIGTERM; a classifier or reranker call takes seconds. */
export const CUSTOM_DRAIN_SECONDS = 30;
/** @default 600 s of startup probing — the app loads its model after the image pull. */
export const CUSTOM_STARTUP_SECONDS = 600;

export interface EffectiveCustomService {
  readonly name: string;
  readonly runtime: CustomRuntime;
  readonly replicas: number;
  readonly pool: string;
  readonly gpus: number;
  readonly resources: { readonly cpu: number; readonly memoryGiB: number };
  /** Secret and key passed to the app in `runtime.apiKeyEnv`; undefined without apiKeyEnv. */
  readonly apiKey: { readonly secretName: string; readonly key: string; readonly generated: boolean; readonly env: string } | undefined;
  readonly terminationGracePeriodSeconds: number;
  readonly scaling: ScalingSpec;
}

export function resolveCustomService(spec: ServingConfig): EffectiveCustomService {
  if (spec.runtime === "vllm") throw new Error(`serving "${spec.name}" runs vllm, not a custom runtime`);
  if (spec.resources === undefined) throw new Error(`serving "${spec.name}": resources is required for a custom runtime (config/schema.ts)`);
  const { apiKeyEnv } = spec.runtime;
  const apiKey =
    apiKeyEnv === undefined || spec.auth.type !== "api-key"
      ? undefined
      : spec.auth.secret !== undefined
        ? { secretName: spec.auth.secret.name, key: spec.auth.secret.key, generated: false, env: apiKeyEnv }
        : { secretName: childName(spec.name, "api-key"), key: API_KEY_SECRET_KEY, generated: true, env: apiKeyEnv };
  return {
    name: spec.name,
    runtime: spec.runtime,
    replicas: spec.replicas.min,
    pool: spec.pool,
    gpus: spec.gpus,
    resources: spec.resources,
    apiKey,
    // preStop (endpoints drain) + the app's own drain + 5 s to exit
    terminationGracePeriodSeconds: PRESTOP_SECONDS + CUSTOM_DRAIN_SECONDS + 5,
    scaling: { name: spec.name, runtime: spec.runtime, replicas: spec.replicas, autoscaling: spec.autoscaling },
  };
}

export function customServiceProblems(svc: EffectiveCustomService, contract: PlatformContract): string[] {
  const pool = contract.pools.find((p) => p.name === svc.pool);
  if (pool === undefined) return [`pool "${svc.pool}" is not in the platform contract (pools: ${contract.pools.map((p) => p.name).join(", ") || "none"})`];
  const problems: string[] = [];
  if (svc.gpus > 0 && pool.gpuResource === undefined) problems.push(`pool "${pool.name}" has no GPUs but gpus is ${svc.gpus}: set gpus: 0 or use a GPU pool`);
  else if (svc.gpus > pool.gpusPerNode) problems.push(`gpus is ${svc.gpus} but nodes of pool "${pool.name}" have ${pool.gpusPerNode}: one pod cannot span nodes`);
  if (svc.runtime.metricsPath === undefined && svc.scaling.autoscaling?.metric !== undefined) {
    problems.push("autoscaling.metric: Prometheus scrapes a custom runtime only with runtime.metricsPath: set it, or scale on cpuUtilization");
  }
  problems.push(...autoscalingProblems(svc.scaling, { pool: svc.pool, gpus: svc.gpus }, contract));
  return problems;
}

function labels(svc: EffectiveCustomService) {
  return recommendedLabels({ name: "custom", instance: svc.name, component: "serving" });
}

function selector(svc: EffectiveCustomService) {
  return selectorLabels({ name: "custom", instance: svc.name });
}

function meta(svc: EffectiveCustomService, contract: PlatformContract, name = svc.name) {
  return { name, namespace: contract.namespace, labels: labels(svc) };
}

function probe(svc: EffectiveCustomService, periodSeconds: number, timeoutSeconds: number, failureThreshold: number) {
  return { httpGet: { path: svc.runtime.healthPath, port: "http" }, periodSeconds, timeoutSeconds, failureThreshold };
}

function container(svc: EffectiveCustomService, gpuLimits: Record<string, string>) {
  const requests = { cpu: String(svc.resources.cpu), memory: gi(svc.resources.memoryGiB) };
  const env = [
    ...Object.entries(svc.runtime.env ?? {}).map(([name, value]) =>
      typeof value === "string" ? { name, value } : { name, valueFrom: { secretKeyRef: { name: value.secretKeyRef.name, key: value.secretKeyRef.key } } },
    ),
    ...(svc.apiKey === undefined ? [] : [{ name: svc.apiKey.env, valueFrom: { secretKeyRef: { name: svc.apiKey.secretName, key: svc.apiKey.key } } }]),
    { name: "HOME", value: "/tmp" },
  ];
  return {
    name: "app",
    image: svc.runtime.image,
    ...(svc.runtime.args !== undefined ? { args: [...svc.runtime.args] } : {}),
    env,
    ports: [{ name: "http", containerPort: svc.runtime.port, protocol: "TCP" }],
    resources: { requests, limits: { ...requests, ...gpuLimits } },
    securityContext: containerSecurityContext(),
    // same budgets as vLLM's (render.ts): ≥ 5 s timeouts, a startup window for model loading
    startupProbe: probe(svc, 10, 5, CUSTOM_STARTUP_SECONDS / 10),
    readinessProbe: probe(svc, 5, 5, 3),
    livenessProbe: probe(svc, 15, 10, 4),
    lifecycle: { preStop: { sleep: { seconds: PRESTOP_SECONDS } } },
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
}

export function renderCustomDeployment(svc: EffectiveCustomService, contract: PlatformContract) {
  const pool = contract.pools.find((p) => p.name === svc.pool);
  if (pool === undefined) throw new Error(`serving "${svc.name}": pool "${svc.pool}" is not in the platform contract`);
  const place = placement(pool, svc.gpus);
  const spreadCommon = { maxSkew: 1, labelSelector: { matchLabels: selector(svc) }, matchLabelKeys: ["pod-template-hash"] };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(svc, contract),
    spec: {
      replicas: svc.replicas,
      // as vLLM's (defaults.ts): a cold GPU node, the image pull and the startup window
      progressDeadlineSeconds: rolloutDeadlineSeconds(CUSTOM_STARTUP_SECONDS),
      selector: { matchLabels: selector(svc) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(svc) },
        spec: {
          serviceAccountName: contract.serviceAccounts.serving,
          priorityClassName: SERVING_PRIORITY_CLASS,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: svc.terminationGracePeriodSeconds,
          securityContext: podSecurityContext({ uid: CUSTOM_UID }),
          nodeSelector: place.nodeSelector,
          tolerations: place.tolerations,
          // as vLLM (render.ts spread): zones when capacity allows, nodes always
          topologySpreadConstraints: [
            { ...spreadCommon, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
            { ...spreadCommon, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
          ],
          containers: [container(svc, place.gpuLimits)],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: gi(1) } }],
        },
      },
    },
  };
}

/** Service, PDB and NetworkPolicy: the same shapes as vLLM's (render.ts, network.ts) on the app's port. */
export function renderCustomPeripherals(svc: EffectiveCustomService, contract: PlatformContract) {
  const port = svc.runtime.port;
  const ports = [{ protocol: "TCP", port }];
  const byName = (namespace: string) => ({ matchLabels: { "kubernetes.io/metadata.name": namespace } });
  return {
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(svc, contract),
      spec: { type: "ClusterIP", selector: selector(svc), ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }] },
    },
    pdb: {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta(svc, contract),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector(svc) }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
    },
    networkPolicy: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta(svc, contract),
      spec: {
        podSelector: { matchLabels: selector(svc) },
        policyTypes: ["Ingress"],
        ingress: [
          { from: [{ podSelector: { matchLabels: { ...GATEWAY_LABEL } } }], ports },
          { from: [{ namespaceSelector: byName(MONITORING_NAMESPACE) }], ports },
        ],
      },
    },
  };
}

export function renderCustomOperations(svc: EffectiveCustomService, contract: PlatformContract) {
  const target = { ...meta(svc, contract), serviceLabels: selector(svc), port: "http", path: svc.runtime.metricsPath ?? "" };
  const scaling = resolveAutoscaling(svc.scaling, contract.namespace, "");
  const monitored = svc.runtime.metricsPath !== undefined && contract.addons.prometheusUrl !== null;
  return {
    scaledObject: scaling === undefined ? undefined : renderScaledObject(scaling, target, contract),
    serviceMonitor: monitored ? renderServiceMonitor(target) : undefined,
  };
}

export interface CustomServiceArgs {
  readonly spec: ServingConfig;
  readonly contract: PlatformContract;
}

export class CustomService extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;
  /** `http://<service>.<namespace>.svc.cluster.local:<port>` */
  public readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: CustomServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("llmkit:serving:CustomService", name, {}, opts);
    const svc = resolveCustomService(args.spec);
    const { contract } = args;
    const problems = customServiceProblems(svc, contract);
    if (problems.length > 0) throw new Error(`serving "${svc.name}" is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    const child = { parent: this, provider: opts.provider };

    const dependsOn: pulumi.Resource[] = [];
    if (svc.apiKey?.generated === true) {
      const key = new random.RandomPassword(svc.apiKey.secretName, { length: 48, special: false }, { parent: this });
      const metadata = meta(svc, contract, svc.apiKey.secretName);
      dependsOn.push(new k8s.core.v1.Secret(svc.apiKey.secretName, { metadata, type: "Opaque", stringData: { [svc.apiKey.key]: key.result } }, child));
    }
    const deployment = renderCustomDeployment(svc, contract);
    const ops = renderCustomOperations(svc, contract);
    const keda = ops.scaledObject === undefined ? {} : { ignoreChanges: ["spec.replicas"] };
    const customTimeouts = rolloutTimeouts(deployment.spec.progressDeadlineSeconds);
    new k8s.apps.v1.Deployment(name, { metadata: deployment.metadata, spec: deployment.spec }, { ...child, dependsOn, customTimeouts, ...keda });
    const p = renderCustomPeripherals(svc, contract);
    const service = new k8s.core.v1.Service(name, { metadata: p.service.metadata, spec: p.service.spec }, child);
    new k8s.policy.v1.PodDisruptionBudget(name, { metadata: p.pdb.metadata, spec: p.pdb.spec }, child);
    new k8s.networking.v1.NetworkPolicy(name, { metadata: p.networkPolicy.metadata, spec: p.networkPolicy.spec }, child);
    for (const role of ["scaledObject", "serviceMonitor"] as const) {
      const object = ops[role];
      if (object !== undefined) new k8s.apiextensions.CustomResource(childName(name, OPERATION_ROLES[role]), object, child);
    }

    this.serviceName = service.metadata.name;
    this.endpoint = pulumi.output(`http://${svc.name}.${contract.namespace}.svc.cluster.local:${svc.runtime.port}`);
    this.registerOutputs({ serviceName: this.serviceName, endpoint: this.endpoint });
  }
}
