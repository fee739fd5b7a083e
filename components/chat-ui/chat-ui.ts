/**
 * ChatUi: Open WebUI in front of one vLLM service, with its own session key, persistent storage
 * and, exposed, an OIDC login at the gateway (docs/architecture.md §8). Validate → render (pure)
 * → register, as the serving components.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { childName } from "../lib/naming.ts";
import type { PlatformContract } from "../platform/contract.ts";
import { renderChatUiExposure } from "./gateway.ts";
import type { ChatUiConfig } from "./inputs.ts";
import {
  SECRET_KEY_KEY,
  chatUiNames,
  renderChatUiDeployment,
  renderChatUiNetworkPolicy,
  renderChatUiService,
  renderChatUiVolumeClaim,
  renderSecretKeyMetadata,
  type ChatUiBackend,
} from "./render.ts";
import { chatUiProblems } from "./validate.ts";

export interface ChatUiArgs {
  readonly spec: ChatUiConfig;
  /** The vLLM service's in-cluster endpoint and key Secret (serving's `serviceEndpoint` and `engineKey`). */
  readonly backend: ChatUiBackend;
  readonly contract: PlatformContract;
}

export class ChatUi extends pulumi.ComponentResource {
  /** `http://<name>.<namespace>.svc.cluster.local:8080`, or the gateway URL when exposed. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: ChatUiArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("llmkit:chat-ui:ChatUi", name, {}, opts);
    const { spec, contract } = args;
    const problems = chatUiProblems(spec, contract);
    if (problems.length > 0) throw new Error(`chatUi "${spec.name}" is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    const names = chatUiNames(spec.name);
    const child = { parent: this, provider: opts.provider };

    // 48 alphanumerics ≈ 285 bits; signs the UI's session tokens, so it must survive restarts
    const key = new random.RandomPassword(names.secretKey, { length: 48, special: false }, { parent: this });
    const secret = new k8s.core.v1.Secret(names.secretKey, { metadata: renderSecretKeyMetadata(spec, contract), type: "Opaque", stringData: { [SECRET_KEY_KEY]: key.result } }, child);
    const pvc = renderChatUiVolumeClaim(spec, contract);
    new k8s.core.v1.PersistentVolumeClaim(names.data, { metadata: pvc.metadata, spec: pvc.spec }, child);
    const deployment = renderChatUiDeployment(spec, contract, args.backend);
    new k8s.apps.v1.Deployment(names.workload, { metadata: deployment.metadata, spec: deployment.spec }, { ...child, dependsOn: [secret] });
    const service = renderChatUiService(spec, contract);
    new k8s.core.v1.Service(names.workload, { metadata: service.metadata, spec: service.spec }, child);
    const policy = renderChatUiNetworkPolicy(spec, contract);
    new k8s.networking.v1.NetworkPolicy(names.workload, { metadata: policy.metadata, spec: policy.spec }, child);
    // Gateway, HTTPRoute, SecurityPolicy (gateway.ts): CRDs of Envoy Gateway, no typed classes
    for (const { role, object } of renderChatUiExposure(spec, contract)) new k8s.apiextensions.CustomResource(childName(name, role), object, child);

    const exposure = spec.exposure;
    this.url = pulumi.output(
      exposure === undefined ? `http://${names.workload}.${contract.namespace}.svc.cluster.local:8080` : `${exposure.tls === undefined ? "http" : "https"}://${exposure.hostname}`,
    );
    this.registerOutputs({ url: this.url });
  }
}
