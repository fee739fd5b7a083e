/**
 * The EKS cluster of the AWS platform: control plane on the given private subnets, a small
 * managed system node group, and the Pod Identity agent. GPU pools (Karpenter) and the other
 * add-ons come later and attach to what is built here.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import type * as pulumi from "@pulumi/pulumi";
import { childName } from "../../lib/naming.ts";
import { POOL_LABEL } from "../../lib/scheduling.ts";
import { CONTROL_PLANE_LOGS, NODE_METADATA_OPTIONS, SYSTEM_NODE_DISK_GIB, type ResolvedAws } from "./defaults.ts";
import { nodeTrustPolicy } from "./store-policies.ts";

export const SYSTEM_POOL = "system";
/** Nodes of the system pool carry the pool label too, so add-ons can be pinned to them. */
export const SYSTEM_POOL_LABELS = { [POOL_LABEL]: SYSTEM_POOL };

export interface ClusterAccess {
  /**
   * IAM principals (role or user ARNs) granted cluster admin through EKS access entries.
   * @default [] — the identity running `pulumi up` is the cluster creator and is admin already
   * (@pulumi/eks sets bootstrapClusterCreatorAdminPermissions with authenticationMode).
   */
  readonly adminPrincipalArns?: readonly string[];
  /**
   * CIDRs allowed to reach the public API endpoint; `[]` turns the public endpoint off.
   * @default all addresses — `pulumi up` usually runs outside the VPC (laptop, CI), and every
   * request still needs an IAM identity with an access entry. Nodes use the private endpoint.
   */
  readonly publicAccessCidrs?: readonly string[];
}

function accessEntries(resolved: ResolvedAws, admins: readonly string[]) {
  const policyArn = `arn:${resolved.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
  return Object.fromEntries(
    admins.map((principalArn, i) => [
      `admin-${i}`,
      { principalArn, type: "STANDARD" as const, accessPolicies: { admin: { policyArn, accessScope: { type: "cluster" } } } },
    ]),
  );
}

/** Arguments of eks.Cluster (pure, so tests compare them whole). */
export function clusterArgs(resolved: ResolvedAws, access: ClusterAccess): eks.ClusterArgs {
  const { cluster } = resolved.platform;
  const publicCidrs = access.publicAccessCidrs;
  return {
    name: cluster.name,
    version: cluster.kubernetesVersion,
    vpcId: cluster.vpcId,
    privateSubnetIds: [...cluster.privateSubnetIds],
    endpointPrivateAccess: true,
    endpointPublicAccess: publicCidrs === undefined || publicCidrs.length > 0,
    ...(publicCidrs !== undefined && publicCidrs.length > 0 ? { publicAccessCidrs: [...publicCidrs] } : {}),
    authenticationMode: eks.AuthenticationMode.Api,
    accessEntries: accessEntries(resolved, access.adminPrincipalArns ?? []),
    // STANDARD: upgrade at the end of standard support instead of paying for extended support.
    upgradePolicy: { supportType: "STANDARD" },
    enabledClusterLogTypes: [...CONTROL_PLANE_LOGS],
    skipDefaultNodeGroup: true,
    tags: { "llmkit.dev/cluster": cluster.name },
  };
}

export const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"] as const;

export interface Cluster {
  readonly cluster: eks.Cluster;
  readonly clusterName: pulumi.Output<string>;
  readonly nodeGroup: eks.ManagedNodeGroup;
  readonly podIdentityAgent: aws.eks.Addon;
}

export function registerCluster(name: string, resolved: ResolvedAws, access: ClusterAccess, parent: pulumi.Resource): Cluster {
  const opts = { parent };
  const cluster = new eks.Cluster(childName(name, "cluster"), clusterArgs(resolved, access), opts);
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
      capacityType: "ON_DEMAND",
      instanceTypes: [nodes.instanceType],
      scalingConfig: { minSize: nodes.min, desiredSize: nodes.min, maxSize: nodes.max },
      subnetIds: [...resolved.platform.cluster.privateSubnetIds],
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
      labels: { ...SYSTEM_POOL_LABELS },
    },
    { parent, dependsOn: attachments },
  );
  // The agent is a DaemonSet: the add-on only becomes ACTIVE once nodes exist.
  const podIdentityAgent = new aws.eks.Addon(
    childName(name, "pod-identity-agent"),
    {
      clusterName,
      addonName: "eks-pod-identity-agent",
      addonVersion: resolved.podIdentityAgentVersion,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    },
    { parent, dependsOn: [nodeGroup] },
  );
  return { cluster, clusterName, nodeGroup, podIdentityAgent };
}
