/**
 * Karpenter and the GPU node pools of the AWS platform (registration only; everything it sends is
 * computed by the pure modules beside it):
 * - the node role Karpenter's nodes run as, with an EC2_LINUX access entry so they can join;
 * - the SQS interruption queue and the EventBridge rules that feed it;
 * - the controller role (EKS Pod Identity, kube-system/karpenter) with the cluster-scoped policy;
 * - the karpenter-crd and karpenter Helm releases (CRDs as their own release: see charts/index.ts);
 * - one EC2NodeClass + NodePool per `platform.gpuPools` entry, after the controller;
 * - the GPU node software: NVIDIA device plugin (AL2023 pools only), DCGM exporter, EFA plugin.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../../../lib/naming.ts";
import type { ResolvedAddons } from "../../addons/defaults.ts";
import { SYSTEM_POOL_LABELS, type Cluster } from "../cluster.ts";
import type { ResolvedAws } from "../defaults.ts";
import { nodeTrustPolicy, podIdentityTrustPolicy } from "../store-policies.ts";
import {
  controllerPolicy,
  INTERRUPTION_QUEUE,
  INTERRUPTION_RULES,
  INTERRUPTION_TARGET_ID,
  interruptionQueuePolicy,
  KARPENTER_NODE_POLICIES,
} from "./iam.ts";
import { renderEc2NodeClass, renderNodePool, resolvePools, type ResolvedPool } from "./pools.ts";
import {
  gpuSoftwareReleases,
  KARPENTER_NAMESPACE,
  KARPENTER_RELEASE,
  KARPENTER_SERVICE_ACCOUNT,
  karpenterValues,
} from "./values.ts";
import { releaseArgs } from "../../../../charts/release.ts";

export interface KarpenterArgs {
  readonly resolved: ResolvedAws;
  readonly cluster: Cluster;
  /** The platform's own Kubernetes provider (the cluster's kubeconfig). */
  readonly provider: k8s.Provider;
  readonly addons: ResolvedAddons;
  /** What the DCGM exporter's ServiceMonitor needs first (the Prometheus Operator release), if any. */
  readonly monitoringReady?: readonly pulumi.Resource[];
}

export interface Karpenter {
  readonly pools: readonly ResolvedPool[];
  readonly nodeRole: aws.iam.Role;
  readonly queue: aws.sqs.Queue;
  readonly release: k8s.helm.v3.Release;
  readonly nodePools: readonly k8s.apiextensions.CustomResource[];
  /** What workloads wait for: every NodePool (and through them the controller and its identity). */
  readonly ready: readonly pulumi.Resource[];
}

/** The interruption queue's name: Karpenter's `settings.interruptionQueue` takes a name. */
export function interruptionQueueName(clusterName: string): string {
  return `${clusterName}-karpenter`;
}

export function registerKarpenter(name: string, args: KarpenterArgs, parent: pulumi.Resource): Karpenter {
  const { resolved, cluster, provider } = args;
  const opts = { parent };
  const n = (role: string) => childName(name, role);
  const clusterName = resolved.platform.cluster.name;
  const pools = resolvePools(resolved.platform);
  const tags = { "llmkit.dev/cluster": clusterName };

  // ---- nodes: the role Karpenter passes to the instances it launches, allowed into the cluster.
  const nodeRole = new aws.iam.Role(
    n("karpenter-node-role"),
    { assumeRolePolicy: JSON.stringify(nodeTrustPolicy()), description: `llmkit ${clusterName} Karpenter GPU nodes`, tags },
    opts,
  );
  const nodePolicies = KARPENTER_NODE_POLICIES.map(
    (policy) =>
      new aws.iam.RolePolicyAttachment(
        n(`karpenter-node-${policy}`),
        { role: nodeRole.name, policyArn: `arn:${resolved.partition}:iam::aws:policy/${policy}` },
        opts,
      ),
  );
  // API authentication mode: nodes join through an EC2_LINUX access entry (no aws-auth ConfigMap).
  const nodeAccess = new aws.eks.AccessEntry(
    n("karpenter-node-access"),
    { clusterName: cluster.clusterName, principalArn: nodeRole.arn, type: "EC2_LINUX", tags },
    opts,
  );

  // ---- interruption handling: EventBridge → SQS → controller (cordon and drain ahead of a reclaim).
  const queue = new aws.sqs.Queue(
    n("karpenter-queue"),
    { name: interruptionQueueName(clusterName), ...INTERRUPTION_QUEUE, tags },
    opts,
  );
  const queuePolicy = new aws.sqs.QueuePolicy(
    n("karpenter-queue-policy"),
    { queueUrl: queue.url, policy: queue.arn.apply((arn) => JSON.stringify(interruptionQueuePolicy(arn))) },
    opts,
  );
  const targets = Object.entries(INTERRUPTION_RULES).map(([role, pattern]) => {
    const rule = new aws.cloudwatch.EventRule(
      n(`karpenter-${role}`),
      { description: `llmkit ${clusterName}: ${pattern["detail-type"][0]} → Karpenter`, eventPattern: JSON.stringify(pattern), tags },
      opts,
    );
    return new aws.cloudwatch.EventTarget(
      n(`karpenter-${role}-target`),
      { rule: rule.name, arn: queue.arn, targetId: INTERRUPTION_TARGET_ID },
      { parent, dependsOn: [queuePolicy] },
    );
  });

  // ---- controller identity: EKS Pod Identity for kube-system/karpenter, scoped to this cluster.
  const controllerRole = new aws.iam.Role(
    n("karpenter-controller-role"),
    { assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()), description: `llmkit ${clusterName} Karpenter controller`, tags },
    opts,
  );
  const accountId = cluster.cluster.eksCluster.arn.apply((arn) => arn.split(":")[4]!);
  const controllerPolicyDoc = pulumi.all([accountId, nodeRole.arn, queue.arn]).apply(([account, nodeRoleArn, queueArn]) =>
    JSON.stringify(
      controllerPolicy({ partition: resolved.partition, region: resolved.platform.region, accountId: account, clusterName, nodeRoleArn, queueArn }),
    ),
  );
  const controllerAccess = new aws.iam.RolePolicy(
    n("karpenter-controller-policy"),
    { role: controllerRole.name, policy: controllerPolicyDoc },
    opts,
  );
  const identity = new aws.eks.PodIdentityAssociation(
    n("karpenter-identity"),
    { clusterName: cluster.clusterName, namespace: KARPENTER_NAMESPACE, serviceAccount: KARPENTER_SERVICE_ACCOUNT, roleArn: controllerRole.arn },
    { parent, dependsOn: [controllerAccess] },
  );

  // ---- Helm: CRDs first (their own release, so upgrades reach them), then the controller on the
  // system pool, once it can authenticate (agent + association) and launched nodes can join.
  const crds = new k8s.helm.v3.Release(n("karpenter-crd"), releaseArgs("karpenterCrd", "karpenter-crd", {}), {
    parent,
    provider,
    dependsOn: [cluster.nodeGroup],
  });
  const release = new k8s.helm.v3.Release(
    n("karpenter"),
    releaseArgs("karpenter", KARPENTER_RELEASE, karpenterValues(clusterName, interruptionQueueName(clusterName), SYSTEM_POOL_LABELS, resolved.platform.region), {
      skipCrds: true,
    }),
    {
      parent,
      provider,
      dependsOn: [crds, cluster.nodeGroup, cluster.podIdentityAgent, identity, nodeAccess, ...nodePolicies, ...targets],
    },
  );

  // ---- one EC2NodeClass + NodePool per GPU pool, once the controller (and its webhooks-free CRDs) run.
  const nodePools = pools.map((pool) => {
    const nodeClass = renderEc2NodeClass(pool, clusterName, "");
    const ec2NodeClass = new k8s.apiextensions.CustomResource(
      n(`nodeclass-${pool.name}`),
      {
        apiVersion: nodeClass.apiVersion,
        kind: nodeClass.kind,
        metadata: nodeClass.metadata,
        spec: nodeRole.name.apply((role) => renderEc2NodeClass(pool, clusterName, role).spec),
      },
      // The selector terms find nothing until the cluster security group carries the tag.
      { parent, provider, dependsOn: [release, cluster.securityGroupTag] },
    );
    const nodePool = renderNodePool(pool);
    return new k8s.apiextensions.CustomResource(
      n(`nodepool-${pool.name}`),
      { apiVersion: nodePool.apiVersion, kind: nodePool.kind, metadata: nodePool.metadata, spec: nodePool.spec },
      { parent, provider, dependsOn: [release, ec2NodeClass] },
    );
  });

  // ---- GPU node software (DaemonSets on the GPU pools; they wait for nothing but the cluster).
  for (const [role, releaseInput] of Object.entries(gpuSoftwareReleases(pools, args.addons))) {
    const dependsOn = role === "dcgm-exporter" ? [cluster.nodeGroup, ...(args.monitoringReady ?? [])] : [cluster.nodeGroup];
    new k8s.helm.v3.Release(n(role), releaseInput, { parent, provider, dependsOn });
  }

  return { pools, nodeRole, queue, release, nodePools, ready: nodePools };
}
