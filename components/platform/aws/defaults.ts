/**
 * Technical defaults and checks of the AWS platform (pure). Environment policy (prod retains the
 * bucket) lives in config/rules.ts; what is here is how the cluster is built.
 */
import type { PlatformConfig } from "../inputs.ts";
import { validateNetwork } from "./subnets.ts";

export type AwsPlatformConfig = Extract<PlatformConfig, { provider: "aws" }>;

/**
 * @default m7i.large × 2..3 — the system pool only runs add-ons (CoreDNS, the Pod Identity agent,
 * later Karpenter and the gateway); two nodes keep them up through a node replacement.
 */
export const DEFAULT_SYSTEM_NODES = { instanceType: "m7i.large", min: 2, max: 3 } as const;

/**
 * Karpenter selects subnets and security groups tagged `karpenter.sh/discovery=<cluster name>`
 * (EC2NodeClass subnetSelectorTerms / securityGroupSelectorTerms,
 * https://karpenter.sh/docs/concepts/nodeclasses/). Created private subnets carry it
 * (network.ts); on an existing VPC the private subnets must already carry it (llmkit does not tag
 * resources it does not own). The cluster security group is tagged in cluster.ts.
 */
export const DISCOVERY_TAG = "karpenter.sh/discovery";

/** @default api, audit, authenticator — who did what, and who could not authenticate. */
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator"] as const;

/** @default 50 GiB gp3, encrypted — room for add-on images; the AMI's 20 GiB fills up with image layers. */
export const SYSTEM_NODE_DISK_GIB = 50;

/**
 * IMDSv2 only, one hop: pods on the pod network cannot reach the node's instance role
 * (EKS best practice "Restrict access to the instance profile"). Pods get AWS credentials from
 * EKS Pod Identity, whose agent runs on the host network. @pulumi/eks's `enableIMDSv2` sets a hop
 * limit of 2 (pulumi/pulumi-eks@v4.3.0 nodejs/eks/nodes/nodegroup.ts), so llmkit brings its
 * own launch template instead.
 */
export const NODE_METADATA_OPTIONS = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

/**
 * eks-pod-identity-agent add-on version per Kubernetes minor. v1.3.10-eksbuild.2 is listed for
 * 1.32–1.34 in awslabs/cdk-eks-blueprints@2ae00be3 lib/addons/eks-pod-identity-agent/index.ts,
 * and for 1.31–1.35 in a later (aws-eks-v2) revision of that file. A minor not listed here is refused: pin
 * it after `aws eks describe-addon-versions --addon-name eks-pod-identity-agent --kubernetes-version <v>`.
 */
export const POD_IDENTITY_AGENT_VERSIONS: Readonly<Record<string, string>> = {
  "1.32": "v1.3.10-eksbuild.2",
  "1.33": "v1.3.10-eksbuild.2",
  "1.34": "v1.3.10-eksbuild.2",
  "1.35": "v1.3.10-eksbuild.2",
};

/**
 * eks-node-monitoring-agent add-on version per Kubernetes minor: node health conditions (kernel,
 * networking, storage, NVIDIA XID errors) that EKS node auto repair and operators act on. Each pin
 * is a version deployed on a cluster of that minor in
 * ministryofjustice/modernisation-platform-environments
 * terraform/environments/analytical-platform-compute/cluster/environment-configuration.tf:
 * 1.33 → v1.4.0-eksbuild.2 and 1.34 → v1.4.2-eksbuild.1 at 807f49be, 1.35 → v1.6.2-eksbuild.1 in
 * a later revision (agent releases: aws/eks-node-monitoring-agent CHANGELOG.md). No pin for 1.32
 * was found, so 1.32 is refused. Pin a new minor after
 * `aws eks describe-addon-versions --addon-name eks-node-monitoring-agent --kubernetes-version <v>`.
 */
export const NODE_MONITORING_AGENT_VERSIONS: Readonly<Record<string, string>> = {
  "1.33": "v1.4.0-eksbuild.2",
  "1.34": "v1.4.2-eksbuild.1",
  "1.35": "v1.6.2-eksbuild.1",
};

/**
 * The cluster's networking and DNS add-ons, pinned per Kubernetes minor (left alone, @pulumi/eks
 * resolves vpc-cni and kube-proxy to the newest version at every deploy, pulumi/pulumi-eks@v4.3.0
 * nodejs/eks/addons/cni-addon.ts:276 and nodejs/eks/cluster/cluster.ts:766, and leaves CoreDNS
 * self-managed on clusters without its default node group, cluster.ts:1175). Each pin is a version
 * deployed on a cluster of that minor in ministryofjustice/modernisation-platform-environments
 * terraform/environments/analytical-platform-compute/cluster/environment-configuration.tf:
 * 1.33 and 1.34 at 02e7358c, 1.35 in a later revision (CoreDNS v1.12.4-eksbuild.1 for 1.34 is also
 * the latest in https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html). VPC CNI
 * ≥ v1.14 carries the network policy agent (enableNetworkPolicy: aws/amazon-vpc-cni-k8s@v1.20.5
 * charts/aws-vpc-cni/values.yaml:125). Pin a new minor after
 * `aws eks describe-addon-versions --addon-name <name> --kubernetes-version <v>`.
 */
export const CORE_ADDON_VERSIONS = {
  "vpc-cni": { "1.33": "v1.20.1-eksbuild.1", "1.34": "v1.20.5-eksbuild.1", "1.35": "v1.21.1-eksbuild.5" },
  "kube-proxy": { "1.33": "v1.33.3-eksbuild.4", "1.34": "v1.34.1-eksbuild.2", "1.35": "v1.35.2-eksbuild.4" },
  coredns: { "1.33": "v1.12.2-eksbuild.4", "1.34": "v1.12.4-eksbuild.1", "1.35": "v1.13.2-eksbuild.4" },
} as const satisfies Record<string, Readonly<Record<string, string>>>;
export type CoreAddon = keyof typeof CORE_ADDON_VERSIONS;

/** Graviton families carry a `g` right after the generation digit (m7g, c7gn, t4g, g5g). */
export function amiTypeFor(instanceType: string): "AL2023_ARM_64_STANDARD" | "AL2023_x86_64_STANDARD" {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** AWS partition of a region (ARNs of managed policies and access policies depend on it). */
export function partitionOf(region: string): "aws" | "aws-us-gov" | "aws-cn" {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  return "aws";
}

export interface ResolvedAws {
  readonly platform: AwsPlatformConfig;
  readonly partition: "aws" | "aws-us-gov";
  readonly systemNodes: { readonly instanceType: string; readonly min: number; readonly max: number };
  readonly amiType: ReturnType<typeof amiTypeFor>;
  readonly podIdentityAgentVersion: string;
  readonly nodeMonitoringAgentVersion: string;
  readonly coreAddonVersions: Readonly<Record<CoreAddon, string>>;
}

function coreAddonVersion(addon: CoreAddon, minor: string): string | undefined {
  return (CORE_ADDON_VERSIONS[addon] as Readonly<Record<string, string>>)[minor];
}

/** Every problem at once, each naming its config path. */
export function validateAws(platform: AwsPlatformConfig): string[] {
  const problems: string[] = [];
  const version = platform.cluster.kubernetesVersion;
  if (POD_IDENTITY_AGENT_VERSIONS[version] === undefined) {
    problems.push(
      `platform.cluster.kubernetesVersion: "${version}" has no pinned eks-pod-identity-agent version (pinned: ${Object.keys(POD_IDENTITY_AGENT_VERSIONS).join(", ")})`,
    );
  }
  if (NODE_MONITORING_AGENT_VERSIONS[version] === undefined) {
    problems.push(
      `platform.cluster.kubernetesVersion: "${version}" has no pinned eks-node-monitoring-agent version (pinned: ${Object.keys(NODE_MONITORING_AGENT_VERSIONS).join(", ")})`,
    );
  }
  for (const addon of Object.keys(CORE_ADDON_VERSIONS) as CoreAddon[]) {
    if (coreAddonVersion(addon, version) === undefined) {
      problems.push(
        `platform.cluster.kubernetesVersion: "${version}" has no pinned ${addon} version (pinned: ${Object.keys(CORE_ADDON_VERSIONS[addon]).join(", ")})`,
      );
    }
  }
  problems.push(...validateNetwork(platform.network));
  if (partitionOf(platform.region) === "aws-cn") {
    problems.push(`platform.region: "${platform.region}" is in the aws-cn partition, which llmkit does not support`);
  }
  return problems;
}

export function resolveAws(platform: AwsPlatformConfig): ResolvedAws {
  const problems = validateAws(platform);
  if (problems.length > 0) throw new Error(`aws platform:\n  ${problems.join("\n  ")}`);
  const systemNodes = platform.cluster.systemNodes ?? DEFAULT_SYSTEM_NODES;
  return {
    platform,
    partition: partitionOf(platform.region) as "aws" | "aws-us-gov",
    systemNodes,
    amiType: amiTypeFor(systemNodes.instanceType),
    podIdentityAgentVersion: POD_IDENTITY_AGENT_VERSIONS[platform.cluster.kubernetesVersion]!,
    nodeMonitoringAgentVersion: NODE_MONITORING_AGENT_VERSIONS[platform.cluster.kubernetesVersion]!,
    coreAddonVersions: {
      "vpc-cni": coreAddonVersion("vpc-cni", platform.cluster.kubernetesVersion)!,
      "kube-proxy": coreAddonVersion("kube-proxy", platform.cluster.kubernetesVersion)!,
      coredns: coreAddonVersion("coredns", platform.cluster.kubernetesVersion)!,
    },
  };
}
