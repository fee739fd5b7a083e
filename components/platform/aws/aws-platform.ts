/**
 * AwsPlatform: EKS on existing private subnets, the model store in S3 and one Pod Identity role
 * per workload service account. GPU pools (Karpenter), cluster add-ons and VPC creation are
 * later layers on top of this one.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformContract, type PlatformContract } from "../contract.ts";
import { registerTenancy } from "../namespace.ts";
import { providerPair, type PlatformOutputs } from "../outputs.ts";
import { registerCluster, type ClusterAccess } from "./cluster.ts";
import { resolveAws, type AwsPlatformConfig } from "./defaults.ts";
import { registerIdentities } from "./identities.ts";
import { registerModelStore } from "./model-store.ts";

export interface AwsPlatformArgs extends ClusterAccess {
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

    const cluster = registerCluster(name, resolved, args, this);
    const store = registerModelStore(name, args.platform, this);
    const identities = registerIdentities(name, contract, store, cluster.clusterName, this);

    const kubeconfig = pulumi.secret(cluster.cluster.kubeconfigJson);
    const providers = providerPair(name, { kubeconfig }, this);
    const tenancy = registerTenancy(name, contract, this, providers.platform);

    this.contract = contract;
    this.kubeconfig = kubeconfig;
    this.clusterName = cluster.clusterName;
    this.bucketArn = store.bucket.arn;
    // Workloads wait for nodes, the identity agent, their identities and a fully configured bucket.
    this.k8sProvider = providers.workloads([
      tenancy.namespace,
      ...tenancy.serviceAccounts,
      cluster.nodeGroup,
      cluster.podIdentityAgent,
      ...identities.associations,
      ...store.ready,
    ]);
    this.registerOutputs({
      contract: this.contract,
      kubeconfig: this.kubeconfig,
      clusterName: this.clusterName,
      bucketArn: this.bucketArn,
    });
  }
}
