/**
 * VllmService: one OpenAI-compatible vLLM endpoint serving a base model and its pinned LoRA
 * adapters from the store (docs/architecture.md §1). Resolve defaults → validate → render → register.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformContract } from "../platform/contract.ts";
import type { ModelConfig } from "../lib/inputs.ts";
import type { ServingConfig } from "./inputs.ts";
import { resolveService, rolloutTimeouts, type AdapterRef } from "./defaults.ts";
import {
  renderApiKeySecretMetadata,
  renderDeployment,
  renderPodDisruptionBudget,
  renderScripts,
  renderService,
  serviceEndpoint,
  serviceNames,
} from "./render.ts";
import {
  ENGINE_KEY_ROLE,
  INJECTED_CREDENTIAL_KEY,
  engineKeyInjected,
  gatewayCredential,
  gatewayNames,
  renderExposure,
  renderGatewayCredentialSecretMetadata,
} from "./gateway.ts";
import { renderNetworkPolicy } from "./network.ts";
import { childName } from "../lib/naming.ts";
import { OPERATION_ROLES, renderVllmOperations } from "./operations.ts";
import { validateService } from "./validate.ts";

export interface VllmServiceArgs {
  readonly spec: ServingConfig;
  readonly model: ModelConfig;
  /** Adapters pinned in `llmkit:release`, in `spec.adapters` order. */
  readonly adapters: readonly AdapterRef[];
  readonly contract: PlatformContract;
  /** Pod labels of in-cluster callers (the chat UI) an exposed service admits besides its gateway. */
  readonly inClusterCallers?: readonly Record<string, string>[];
}

export class VllmService extends pulumi.ComponentResource {
  /** The ClusterIP Service's name. */
  public readonly serviceName: pulumi.Output<string>;
  /** `http://<service>.<namespace>.svc.cluster.local:8000/v1` */
  public readonly endpoint: pulumi.Output<string>;
  /** Secret holding the API key (generated or given); `undefined` with auth "none". */
  public readonly apiKeySecretName: pulumi.Output<string | undefined>;

  constructor(name: string, args: VllmServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("llmkit:serving:VllmService", name, {}, opts);
    const svc = resolveService(args.spec, args.model, args.adapters);
    validateService(svc, args.contract, args.spec);
    const { contract } = args;
    const names = serviceNames(name);
    const child = { parent: this, provider: opts.provider };

    const dependsOn: pulumi.Resource[] = [];
    let credential: k8s.core.v1.Secret | undefined;
    if (svc.apiKey?.generated === true) {
      // 48 alphanumerics ≈ 285 bits; no specials, so the key survives headers and shells unquoted
      const key = new random.RandomPassword(names.apiKey, { length: 48, special: false }, { parent: this });
      dependsOn.push(
        new k8s.core.v1.Secret(
          names.apiKey,
          { metadata: renderApiKeySecretMetadata(svc, contract), type: "Opaque", stringData: { [svc.apiKey.key]: key.result } },
          child,
        ),
      );
      if (engineKeyInjected(svc, args.spec.exposure)) {
        // the same key as `Bearer <key>` for the gateway's HTTPRouteFilter; a Pulumi secret, never plain
        const value = pulumi.secret(key.result.apply(gatewayCredential));
        credential = new k8s.core.v1.Secret(
          gatewayNames(name).credential,
          { metadata: renderGatewayCredentialSecretMetadata(svc, contract), type: "Opaque", stringData: { [INJECTED_CREDENTIAL_KEY]: value } },
          child,
        );
      }
    }
    const scripts = renderScripts(svc, contract);
    dependsOn.push(new k8s.core.v1.ConfigMap(names.scripts, { metadata: scripts.metadata, data: scripts.data }, child));

    const deployment = renderDeployment(svc, contract);
    const ops = renderVllmOperations(svc, contract);
    // with a ScaledObject KEDA owns the replica count: an update must not reset it to replicas.min
    const keda = ops.scaledObject === undefined ? {} : { ignoreChanges: ["spec.replicas"] };
    new k8s.apps.v1.Deployment(
      names.workload,
      { metadata: deployment.metadata, spec: deployment.spec },
      // Pulumi waits for the rollout; its default 10 min is shorter than a GPU node + weights start
      { ...child, dependsOn, customTimeouts: rolloutTimeouts(deployment.spec.progressDeadlineSeconds), ...keda },
    );
    // ScaledObject, ServiceMonitor, PrometheusRule (operations.ts): CRDs of KEDA and the Prometheus Operator
    for (const role of ["scaledObject", "serviceMonitor", "prometheusRule"] as const) {
      const object = ops[role];
      if (object !== undefined) new k8s.apiextensions.CustomResource(childName(name, OPERATION_ROLES[role]), object, child);
    }
    if (ops.dashboard !== undefined) {
      new k8s.core.v1.ConfigMap(childName(name, OPERATION_ROLES.dashboard), { metadata: ops.dashboard.metadata, data: ops.dashboard.data }, child);
    }
    const service = renderService(svc, contract);
    const k8sService = new k8s.core.v1.Service(names.workload, { metadata: service.metadata, spec: service.spec }, child);
    const pdb = renderPodDisruptionBudget(svc, contract);
    new k8s.policy.v1.PodDisruptionBudget(names.workload, { metadata: pdb.metadata, spec: pdb.spec }, child);
    const policy = renderNetworkPolicy(svc, contract, args.spec.exposure !== undefined, args.inClusterCallers);
    new k8s.networking.v1.NetworkPolicy(names.workload, { metadata: policy.metadata, spec: policy.spec }, child);
    // Gateway, HTTPRouteFilter, HTTPRoute, SecurityPolicy, BackendTrafficPolicy (gateway.ts): CRDs of Envoy Gateway, no typed classes
    for (const { role, object } of renderExposure(svc, contract, args.spec)) {
      // the filter reads the credential Secret: a missing one makes the route answer 500 until it exists
      const after = role === ENGINE_KEY_ROLE && credential !== undefined ? { dependsOn: [credential] } : {};
      new k8s.apiextensions.CustomResource(childName(name, role), object, { ...child, ...after });
    }

    this.serviceName = k8sService.metadata.name;
    this.endpoint = pulumi.output(serviceEndpoint(svc, contract));
    this.apiKeySecretName = pulumi.output(svc.apiKey?.secretName);
    this.registerOutputs({ serviceName: this.serviceName, endpoint: this.endpoint, apiKeySecretName: this.apiKeySecretName });
  }
}
