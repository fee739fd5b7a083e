/**
 * LocalPlatform: llmkit on the current kube context (kind, minikube, k3d, Docker Desktop).
 * Creates the namespace, the service accounts and an in-cluster S3-compatible store whose
 * credentials are generated here and live only in a Kubernetes Secret (and Pulumi state, encrypted),
 * plus the add-ons switched on (by default only Envoy Gateway, components/platform/addons/README.md).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { childName } from "../../lib/naming.ts";
import { resolveAddons } from "../addons/defaults.ts";
import { registerAddons } from "../addons/register.ts";
import { platformContract, type PlatformContract } from "../contract.ts";
import { registerTenancy } from "../namespace.ts";
import { providerPair, type PlatformOutputs } from "../outputs.ts";
import type { PlatformConfig } from "../inputs.ts";
import { renderBucketJob, renderCredentialsSecret, renderStoreService, renderStoreStatefulSet } from "./store.ts";

export type LocalPlatformConfig = Extract<PlatformConfig, { provider: "local" }>;

export interface LocalPlatformArgs {
  readonly platform: LocalPlatformConfig;
}

/** S3 bucket names are 3–63 characters (the schema's resourceName allows shorter). */
export function validateLocal(platform: LocalPlatformConfig): string[] {
  const problems: string[] = [];
  if (platform.store.bucket.length < 3) {
    problems.push(`platform.store.bucket: "${platform.store.bucket}" is shorter than the 3 characters S3 bucket names need`);
  }
  return problems;
}

export class LocalPlatform extends pulumi.ComponentResource implements PlatformOutputs {
  public readonly k8sProvider: k8s.Provider;
  public readonly contract: PlatformContract;
  /** Always a secret "": the platform uses the ambient kube context, and "" tells a k8s.Provider to do the same. */
  public readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: LocalPlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("llmkit:platform:LocalPlatform", name, {}, opts);
    const { platform } = args;
    const problems = validateLocal(platform);
    if (problems.length > 0) throw new Error(`local platform "${name}":\n  ${problems.join("\n  ")}`);

    const contract = platformContract(platform);
    // No kubeconfig argument: the provider uses KUBECONFIG / ~/.kube/config and its current context.
    const providers = providerPair(name, {}, this);
    const provider = providers.platform;
    const tenancy = registerTenancy(name, contract, this, provider);
    const inNamespace = { parent: this, provider, dependsOn: [tenancy.namespace] };
    // A local cluster has one kind of node: the add-ons schedule anywhere.
    const addons = registerAddons(name, { addons: resolveAddons(platform), facts: { nodeSelector: {} } }, this, provider);

    // Access key ids are conventionally upper-case alphanumerics; secrets 40 characters.
    const accessKeyId = new random.RandomPassword(
      childName(name, "store-access-key"),
      { length: 20, lower: false, special: false },
      { parent: this },
    );
    const secretAccessKey = new random.RandomPassword(
      childName(name, "store-secret-key"),
      { length: 40, special: false },
      { parent: this },
    );
    const secret = renderCredentialsSecret(contract, { accessKeyId: accessKeyId.result, secretAccessKey: secretAccessKey.result });
    const credentials = new k8s.core.v1.Secret(
      childName(name, "store-credentials"),
      { metadata: secret.metadata, type: secret.type, stringData: secret.stringData },
      inNamespace,
    );

    const svc = renderStoreService(contract);
    const service = new k8s.core.v1.Service(childName(name, "store-service"), { metadata: svc.metadata, spec: svc.spec }, inNamespace);
    const sts = renderStoreStatefulSet(contract, platform.store);
    const store = new k8s.apps.v1.StatefulSet(
      childName(name, "store"),
      { metadata: sts.metadata, spec: sts.spec },
      { ...inNamespace, dependsOn: [tenancy.namespace, credentials, service] },
    );
    const job = renderBucketJob(contract);
    const bucket = new k8s.batch.v1.Job(
      childName(name, "store-bucket"),
      { metadata: job.metadata, spec: job.spec },
      { ...inNamespace, dependsOn: [store, service, credentials] },
    );

    this.contract = contract;
    this.kubeconfig = pulumi.secret("");
    this.k8sProvider = providers.workloads([tenancy.namespace, ...tenancy.serviceAccounts, tenancy.priorityClass, bucket, ...addons.ready]);
    this.registerOutputs({ contract: this.contract, kubeconfig: this.kubeconfig });
  }
}
