/**
 * VllmService: one OpenAI-compatible vLLM endpoint serving a base model and its pinned LoRA
 * adapters from the store (DESIGN.md §1). Resolve defaults → validate → render → register.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformContract } from "../platform/contract.ts";
import type { ModelConfig, ServingConfig } from "../../stacks/schema.ts";
import { resolveService, type AdapterRef } from "./defaults.ts";
import {
  renderApiKeySecretMetadata,
  renderDeployment,
  renderNetworkPolicy,
  renderPodDisruptionBudget,
  renderScripts,
  renderService,
  serviceEndpoint,
  serviceNames,
} from "./render.ts";
import { validateService } from "./validate.ts";

export interface VllmServiceArgs {
  readonly spec: ServingConfig;
  readonly model: ModelConfig;
  /** Adapters pinned in `llmkit:release`, in `spec.adapters` order. */
  readonly adapters: readonly AdapterRef[];
  readonly contract: PlatformContract;
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
    validateService(svc, args.contract);
    const { contract } = args;
    const names = serviceNames(name);
    const child = { parent: this, provider: opts.provider };

    const dependsOn: pulumi.Resource[] = [];
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
    }
    const scripts = renderScripts(svc, contract);
    dependsOn.push(new k8s.core.v1.ConfigMap(names.scripts, { metadata: scripts.metadata, data: scripts.data }, child));

    const deployment = renderDeployment(svc, contract);
    // Pulumi waits for the rollout; the default 10 min is shorter than a GPU node + weights start
    const wait = `${deployment.spec.progressDeadlineSeconds}s`;
    new k8s.apps.v1.Deployment(
      names.workload,
      { metadata: deployment.metadata, spec: deployment.spec },
      { ...child, dependsOn, customTimeouts: { create: wait, update: wait } },
    );
    const service = renderService(svc, contract);
    const k8sService = new k8s.core.v1.Service(names.workload, { metadata: service.metadata, spec: service.spec }, child);
    const pdb = renderPodDisruptionBudget(svc, contract);
    new k8s.policy.v1.PodDisruptionBudget(names.workload, { metadata: pdb.metadata, spec: pdb.spec }, child);
    const policy = renderNetworkPolicy(svc, contract);
    new k8s.networking.v1.NetworkPolicy(names.workload, { metadata: policy.metadata, spec: policy.spec }, child);

    this.serviceName = k8sService.metadata.name;
    this.endpoint = pulumi.output(serviceEndpoint(svc, contract));
    this.apiKeySecretName = pulumi.output(svc.apiKey?.secretName);
    this.registerOutputs({ serviceName: this.serviceName, endpoint: this.endpoint, apiKeySecretName: this.apiKeySecretName });
  }
}
