/**
 * What every platform provider hands the workloads layer, and the provider pair that makes
 * "platform ready before workloads" hold even when both layers deploy in one `pulumi up`.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { childName } from "../lib/naming.ts";
import type { PlatformContract } from "./contract.ts";

export interface PlatformOutputs {
  /** Provider for workload resources: it is created only after the platform is ready. */
  readonly k8sProvider: k8s.Provider;
  readonly contract: PlatformContract;
  /** Kubeconfig the workloads stack connects with (a Pulumi secret; "" means the ambient context). */
  readonly kubeconfig: pulumi.Output<string>;
}

export interface ProviderPair {
  /** For the platform's own objects. */
  readonly platform: k8s.Provider;
  /** Creates the provider for workloads once `ready` exists (call after registering them). */
  readonly workloads: (ready: pulumi.Input<pulumi.Resource>[]) => k8s.Provider;
}

/**
 * Two providers on the same cluster. A resource waits for its provider, and a provider waits for
 * its dependsOn, so every workload created with the second one waits for the namespace, the
 * service accounts and (per provider) the bucket or the identities: no Job races the platform.
 */
export function providerPair(name: string, args: k8s.ProviderArgs, parent: pulumi.Resource): ProviderPair {
  return {
    platform: new k8s.Provider(childName(name, "k8s"), args, { parent }),
    workloads: (ready) => new k8s.Provider(childName(name, "workloads-k8s"), args, { parent, dependsOn: ready }),
  };
}
