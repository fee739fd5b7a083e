/**
 * ExistingPlatform: llmkit on a cluster and S3-compatible store someone else runs. Creates only
 * the namespace, the service accounts and the add-ons switched on (components/platform/addons/README.md);
 * the store and its credentials Secret are the owner's.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { resolveAddons } from "../addons/defaults.ts";
import { registerAddons } from "../addons/register.ts";
import { platformContract, type PlatformContract } from "../contract.ts";
import { registerTenancy } from "../namespace.ts";
import { providerPair, type PlatformOutputs } from "../outputs.ts";
import type { PlatformConfig } from "../inputs.ts";

export type ExistingPlatformConfig = Extract<PlatformConfig, { provider: "existing" }>;

export interface ExistingPlatformArgs {
  readonly platform: ExistingPlatformConfig;
  /**
   * Kubeconfig contents for the cluster.
   * @default the stack's `kubernetes:kubeconfig` config value (set it with `--secret`), else the
   * ambient context (KUBECONFIG / ~/.kube/config): the same lookup the default provider makes.
   */
  readonly kubeconfig?: pulumi.Input<string>;
}

/** The stack's `kubernetes:kubeconfig` as a secret, if set. */
export function configuredKubeconfig(): pulumi.Output<string> | undefined {
  return new pulumi.Config("kubernetes").getSecret("kubeconfig");
}

export class ExistingPlatform extends pulumi.ComponentResource implements PlatformOutputs {
  public readonly k8sProvider: k8s.Provider;
  public readonly contract: PlatformContract;
  /** The kubeconfig in use, as a secret; "" when the ambient context is used. */
  public readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: ExistingPlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("llmkit:platform:ExistingPlatform", name, {}, opts);
    const given = args.kubeconfig ?? configuredKubeconfig();
    const kubeconfig = given === undefined ? undefined : pulumi.secret(given);
    const contract = platformContract(args.platform);
    const providers = providerPair(name, kubeconfig === undefined ? {} : { kubeconfig }, this);
    const tenancy = registerTenancy(name, contract, this, providers.platform);
    // llmkit does not know this cluster's system nodes: the add-ons schedule anywhere.
    const addons = registerAddons(name, { addons: resolveAddons(args.platform), facts: { nodeSelector: {} } }, this, providers.platform);

    this.contract = contract;
    this.kubeconfig = pulumi.secret(kubeconfig ?? "");
    this.k8sProvider = providers.workloads([tenancy.namespace, ...tenancy.serviceAccounts, tenancy.priorityClass, ...addons.ready]);
    this.registerOutputs({ contract: this.contract, kubeconfig: this.kubeconfig });
  }
}
