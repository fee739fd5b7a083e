/**
 * The EKS cluster of the AWS platform: control plane on the given private subnets, a small
 * managed system node group, the Pod Identity agent and the node monitoring agent. GPU pools
 * (Karpenter) and the other add-ons attach to what is built here.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../../lib/naming.ts";
import { POOL_LABEL } from "../../lib/scheduling.ts";
import { CONTROL_PLANE_LOGS, DISCOVERY_TAG, NODE_METADATA_OPTIONS, SYSTEM_NODE_DISK_GIB, type ResolvedAws } from "./defaults.ts";
import { checkedAdmins } from "./creator-admin.ts";
import { nodeTrustPolicy } from "./store-policies.ts";

export const SYSTEM_POOL = "system";
/** Nodes of the system pool carry the pool label too, so add-ons can be pinned to them. */
export const SYSTEM_POOL_LABELS = { [POOL_LABEL]: SYSTEM_POOL };

/** Where the cluster and its nodes live: a created VPC's or an existing one's ids. */
export interface NetworkRefs {
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
}

/** One entry per configured admin; each ARN comes from `checked` (see creator-admin.ts). */
function accessEntries(resolved: ResolvedAws, checked: pulumi.Input<readonly string[]>) {
  const policyArn = `arn:${resolved.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
  return Object.fromEntries(
    resolved.platform.cluster.admins.map((_, i) => [
      `admin-${i}`,
      {
        principalArn: pulumi.output(checked).apply((admins) => admins[i]!),
        type: "STANDARD" as const,
        accessPolicies: { admin: { policyArn, accessScope: { type: "cluster" } } },
      },
    ]),
  );
}

/**
 * Arguments of eks.Cluster (pure, so tests compare them whole). `admins`: platform.cluster.admins
 * once checked against the identity creating the cluster (creator-admin.ts).
 */
export function clusterArgs(resolved: ResolvedAws, network: NetworkRefs, admins: pulumi.Input<readonly string[]> = resolved.platform.cluster.admins): eks.ClusterArgs {
  const { cluster } = resolved.platform;
  // Default: the public endpoint is open to any address — `pulumi up` usually runs outside the
  // VPC (laptop, CI) and every request still needs an IAM identity with an access entry. `[]`
  // makes the API private-only; nodes always use the private endpoint.
  const publicCidrs = cluster.publicAccessCidrs;
  return {
    name: cluster.name,
    version: cluster.kubernetesVersion,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    endpointPrivateAccess: true,
    endpointPublicAccess: publicCidrs === undefined || publicCidrs.length > 0,
    ...(publicCidrs !== undefined && publicCidrs.length > 0 ? { publicAccessCidrs: [...publicCidrs] } : {}),
    authenticationMode: eks.AuthenticationMode.Api,
    // The identity creating the cluster is admin already (@pulumi/eks sets
    // bootstrapClusterCreatorAdminPermissions with authenticationMode); listing it is refused.
    accessEntries: accessEntries(resolved, admins),
    // STANDARD: upgrade at the end of standard support instead of paying for extended support.
    upgradePolicy: { supportType: "STANDARD" },
    enabledClusterLogTypes: [...CONTROL_PLANE_LOGS],
    skipDefaultNodeGroup: true,
    // The VPC CNI and kube-proxy add-ons @pulumi/eks creates, pinned. enableNetworkPolicy turns on
    // the VPC CNI's network policy agent (off by default): without it no NetworkPolicy is
    // enforced, and serving's keep clients off the engine routes the gateway does not allow
    // (https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html).
    // @pulumi/eks writes it into the add-on's configurationValues as {"enableNetworkPolicy":"true"}
    // (pulumi/pulumi-eks@v4.3.0 nodejs/eks/addons/cni-addon.ts:548).
    vpcCniOptions: { addonVersion: resolved.coreAddonVersions["vpc-cni"], enableNetworkPolicy: true },
    kubeProxyAddonOptions: { version: resolved.coreAddonVersions["kube-proxy"] },
    // Managed nodes and Karpenter nodes both use the security group EKS creates for the cluster
    // (tagged for Karpenter discovery below). @pulumi/eks's own cluster/node groups are only for
    // its self-managed node groups (pulumi/pulumi-eks@v4.3.0 nodejs/eks/cluster/cluster.ts):
    // skipping them leaves no unused groups, and clusterSecurityGroupId is then EKS's own.
    skipDefaultSecurityGroups: true,
    tags: { "llmkit.dev/cluster": cluster.name },
  };
}

export const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"] as const;

export interface Cluster {
  readonly cluster: eks.Cluster;
  readonly clusterName: pulumi.Output<string>;
  readonly nodeGroup: eks.ManagedNodeGroup;
  /** The Karpenter discovery tag on the cluster security group. */
  readonly securityGroupTag: aws.ec2.Tag;
  readonly podIdentityAgent: aws.eks.Addon;
  readonly nodeMonitoringAgent: aws.eks.Addon;
  readonly coredns: aws.eks.Addon;
}

/** Arguments of an EKS-managed add-on: a pinned version, EKS owns its fields. */
function addonArgs(clusterName: pulumi.Input<string>, addonName: string, addonVersion: string): aws.eks.AddonArgs {
  return { clusterName, addonName, addonVersion, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE" };
}

export function registerCluster(name: string, resolved: ResolvedAws, network: NetworkRefs, parent: pulumi.Resource): Cluster {
  const opts = { parent };
  const admins = checkedAdmins(resolved.platform.cluster.name, resolved.platform.cluster.admins, parent);
  const cluster = new eks.Cluster(childName(name, "cluster"), clusterArgs(resolved, network, admins), opts);
  const clusterName = cluster.eksCluster.name;

  const nodeRole = new aws.iam.Role(
    childName(name, "system-node-role"),
    { assumeRolePolicy: JSON.stringify(nodeTrustPolicy()), description: `llmkit ${resolved.platform.cluster.name} system nodes` },
    opts,
  );
  const attachments = NODE_POLICIES.map(
    (policy) =>
      new aws.iam.RolePolicyAttachment(
        childName(name, `system-node-${policy}`),
        { role: nodeRole.name, policyArn: `arn:${resolved.partition}:iam::aws:policy/${policy}` },
        opts,
      ),
  );
  const launchTemplate = new aws.ec2.LaunchTemplate(
    childName(name, "system-node-template"),
    {
      description: `llmkit ${resolved.platform.cluster.name} system nodes: IMDSv2 only, encrypted root volume`,
      metadataOptions: { ...NODE_METADATA_OPTIONS },
      // AL2023's root device; the AMI and the bootstrap user data stay EKS's own.
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: SYSTEM_NODE_DISK_GIB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
      ],
      updateDefaultVersion: true,
    },
    opts,
  );
  const nodes = resolved.systemNodes;
  const nodeGroup = new eks.ManagedNodeGroup(
    childName(name, "system-nodes"),
    {
      cluster,
      nodeGroupName: `${resolved.platform.cluster.name}-${SYSTEM_POOL}`,
      nodeRole,
      amiType: resolved.amiType,
      // Nodes follow the control plane's minor: without `version` EKS keeps them on the minor they
      // were created with when kubernetesVersion is raised.
      version: resolved.platform.cluster.kubernetesVersion,
      capacityType: "ON_DEMAND",
      instanceTypes: [nodes.instanceType],
      scalingConfig: { minSize: nodes.min, desiredSize: nodes.min, maxSize: nodes.max },
      subnetIds: network.privateSubnetIds,
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
      labels: { ...SYSTEM_POOL_LABELS },
    },
    { parent, dependsOn: attachments },
  );
  // Karpenter's EC2NodeClass selects security groups by the discovery tag. EKS creates this group
  // itself, so the tag is added to it rather than through @pulumi/eks's clusterSecurityGroupTags
  // (those tag @pulumi/eks's own group, which nodes do not use).
  const securityGroupTag = new aws.ec2.Tag(
    childName(name, "cluster-sg-discovery"),
    { resourceId: cluster.eksCluster.vpcConfig.clusterSecurityGroupId, key: DISCOVERY_TAG, value: resolved.platform.cluster.name },
    opts,
  );
  // Both agents are DaemonSets: an add-on only becomes ACTIVE once nodes exist.
  const podIdentityAgent = new aws.eks.Addon(
    childName(name, "pod-identity-agent"),
    addonArgs(clusterName, "eks-pod-identity-agent", resolved.podIdentityAgentVersion),
    { parent, dependsOn: [nodeGroup] },
  );
  // Node health conditions (kernel, network, storage, NVIDIA XID) on every node. Default
  // configuration (aws/eks-node-monitoring-agent@v1.6.2 charts/eks-node-monitoring-agent/values.yaml):
  // the agent tolerates every taint, GPU pools included; its DCGM DaemonSet tolerates none, so it
  // stays off the tainted GPU pools and does not compete with the platform's DCGM exporter.
  const nodeMonitoringAgent = new aws.eks.Addon(
    childName(name, "node-monitoring-agent"),
    addonArgs(clusterName, "eks-node-monitoring-agent", resolved.nodeMonitoringAgentVersion),
    { parent, dependsOn: [nodeGroup] },
  );
  // CoreDNS as a managed, pinned add-on: it adopts the Deployment EKS bootstraps (OVERWRITE). A
  // Deployment needs nodes to become ACTIVE, so it waits for the system node group.
  const coredns = new aws.eks.Addon(childName(name, "coredns"), addonArgs(clusterName, "coredns", resolved.coreAddonVersions.coredns), {
    parent,
    dependsOn: [nodeGroup],
  });
  return { cluster, clusterName, nodeGroup, securityGroupTag, podIdentityAgent, nodeMonitoringAgent, coredns };
}
