/**
 * AwsPlatform: the VPC (created or existing), EKS with a system node group, Karpenter with one
 * NodePool + EC2NodeClass per GPU pool and the GPU node software, the cluster add-ons, the model
 * store in S3 and one Pod Identity role per workload service account.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { resolveAddons } from "../addons/defaults.ts";
import { registerAddons } from "../addons/register.ts";
import { platformContract, type PlatformContract } from "../contract.ts";
import { registerTenancy } from "../namespace.ts";
import { providerPair, type PlatformOutputs } from "../outputs.ts";
import { registerCluster, SYSTEM_POOL_LABELS } from "./cluster.ts";
import { resolveAws, type AwsPlatformConfig } from "./defaults.ts";
import { registerIdentities } from "./identities.ts";
import { registerModelStore } from "./model-store.ts";
import { registerNetwork } from "./network.ts";
import { registerKarpenter } from "./karpenter/karpenter.ts";

export interface AwsPlatformArgs {
  readonly platform: AwsPlatformConfig;
}

export class AwsPlatform extends pulumi.ComponentResource implements PlatformOutputs {
  public readonly k8sProvider: k8s.Provider;
  public readonly contract: PlatformContract;
  /** The cluster's kubeconfig (authenticates with `aws eks get-token`), as a secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: AwsPlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("llmkit:platform:AwsPlatform", name, {}, opts);
    const resolved = resolveAws(args.platform);
    const contract = platformContract(args.platform);

    const network = registerNetwork(name, resolved, this);
    const cluster = registerCluster(name, resolved, network, this);
    const store = registerModelStore(name, args.platform, this);
    const identities = registerIdentities(name, contract, store, cluster.clusterName, this);

    const kubeconfig = pulumi.secret(cluster.cluster.kubeconfigJson);
    const providers = providerPair(name, { kubeconfig }, this);
    const tenancy = registerTenancy(name, contract, this, providers.platform);
    const addonsConfig = resolveAddons(args.platform);
    // Add-on controllers run on the system node group, so they wait for it.
    const addons = registerAddons(
      name,
      { addons: addonsConfig, facts: { nodeSelector: SYSTEM_POOL_LABELS }, dependsOn: [cluster.nodeGroup] },
      this,
      providers.platform,
    );
    const karpenter = registerKarpenter(
      name,
      { resolved, cluster, provider: providers.platform, addons: addonsConfig, monitoringReady: addons.monitoring },
      this,
    );

    this.contract = contract;
    this.kubeconfig = kubeconfig;
    this.clusterName = cluster.clusterName;
    this.bucketArn = store.bucket.arn;
    // Workloads wait for nodes, the identity agent, cluster DNS, their identities, a fully configured bucket and
    // the GPU NodePools their pods select, and the add-ons they use (GatewayClass, KEDA, Prometheus CRDs).
    this.k8sProvider = providers.workloads([
      tenancy.namespace,
      ...tenancy.serviceAccounts,
      tenancy.priorityClass,
      cluster.nodeGroup,
      cluster.podIdentityAgent,
      cluster.coredns,
      ...identities.associations,
      ...store.ready,
      ...karpenter.ready,
      ...addons.ready,
    ]);
    this.registerOutputs({
      contract: this.contract,
      kubeconfig: this.kubeconfig,
      clusterName: this.clusterName,
      bucketArn: this.bucketArn,
    });
  }
}
