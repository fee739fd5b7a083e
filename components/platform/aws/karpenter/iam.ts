/**
 * IAM and interruption-handling documents for Karpenter (pure functions of ARNs and names).
 *
 * Source: Karpenter v1.12's CloudFormation template,
 * aws/karpenter-provider-aws@8d881395a6f90baccebec311439c53c541badf4e (the v1.12.1 release docs
 * commit) website/content/en/v1.12/getting-started/getting-started-with-karpenter/cloudformation.yaml.
 * The controller policy below is the union of its NodeLifecyclePolicy, IAMIntegrationPolicy,
 * EKSIntegrationPolicy, InterruptionPolicy and ResourceDiscoveryPolicy, statement for statement
 * (same Sids, actions, resources and tag conditions), with two deliberate differences:
 * - ZonalShiftPolicy is left out: llmkit leaves `settings.enableZonalShift` false, so the
 *   controller never calls arc-zonal-shift:GetManagedResource;
 * - iam:PassedToService lists only ec2.amazonaws.com (upstream also lists ec2.amazonaws.com.cn,
 *   the aws-cn partition, which llmkit refuses in defaults.ts).
 */

export interface ControllerPolicyArgs {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly nodeRoleArn: string;
  readonly queueArn: string;
}

export function controllerPolicy(a: ControllerPolicyArgs) {
  const ec2 = (resource: string, account = "*") => `arn:${a.partition}:ec2:${a.region}:${account}:${resource}`;
  const owned = `kubernetes.io/cluster/${a.clusterName}`;
  const instanceProfiles = `arn:${a.partition}:iam::${a.accountId}:instance-profile/*`;
  const launched = [
    ec2("fleet/*"),
    ec2("instance/*"),
    ec2("volume/*"),
    ec2("network-interface/*"),
    ec2("launch-template/*"),
    ec2("spot-instances-request/*"),
  ];
  return {
    Version: "2012-10-17",
    Statement: [
      // ---- NodeLifecyclePolicy: launch, tag and terminate only what Karpenter tags as this cluster's.
      {
        Sid: "AllowScopedEC2InstanceAccessActions",
        Effect: "Allow",
        Resource: [
          ec2("image/*", ""),
          ec2("snapshot/*", ""),
          ec2("security-group/*"),
          ec2("subnet/*"),
          ec2("capacity-reservation/*"),
          ec2("placement-group/*"),
        ],
        Action: ["ec2:RunInstances", "ec2:CreateFleet"],
      },
      {
        Sid: "AllowScopedEC2LaunchTemplateAccessActions",
        Effect: "Allow",
        Resource: ec2("launch-template/*"),
        Action: ["ec2:RunInstances", "ec2:CreateFleet"],
        Condition: {
          StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
          StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
        },
      },
      {
        Sid: "AllowScopedEC2InstanceActionsWithTags",
        Effect: "Allow",
        Resource: launched,
        Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
        Condition: {
          StringEquals: { [`aws:RequestTag/${owned}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": a.clusterName },
          StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
        },
      },
      {
        Sid: "AllowScopedResourceCreationTagging",
        Effect: "Allow",
        Resource: launched,
        Action: "ec2:CreateTags",
        Condition: {
          StringEquals: {
            [`aws:RequestTag/${owned}`]: "owned",
            "aws:RequestTag/eks:eks-cluster-name": a.clusterName,
            "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
          },
          StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
        },
      },
      {
        Sid: "AllowScopedResourceTagging",
        Effect: "Allow",
        Resource: ec2("instance/*"),
        Action: "ec2:CreateTags",
        Condition: {
          StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
          StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
          StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": a.clusterName },
          "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
        },
      },
      {
        Sid: "AllowScopedDeletion",
        Effect: "Allow",
        Resource: [ec2("instance/*"), ec2("launch-template/*")],
        Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
        Condition: {
          StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
          StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
        },
      },
      // ---- IAMIntegrationPolicy: pass only the node role; manage only this cluster's instance profiles.
      {
        Sid: "AllowPassingInstanceRole",
        Effect: "Allow",
        Resource: a.nodeRoleArn,
        Action: "iam:PassRole",
        Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com"] } },
      },
      {
        Sid: "AllowScopedInstanceProfileCreationActions",
        Effect: "Allow",
        Resource: instanceProfiles,
        Action: ["iam:CreateInstanceProfile"],
        Condition: {
          StringEquals: {
            [`aws:RequestTag/${owned}`]: "owned",
            "aws:RequestTag/eks:eks-cluster-name": a.clusterName,
            "aws:RequestTag/topology.kubernetes.io/region": a.region,
          },
          StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
        },
      },
      {
        Sid: "AllowScopedInstanceProfileTagActions",
        Effect: "Allow",
        Resource: instanceProfiles,
        Action: ["iam:TagInstanceProfile"],
        Condition: {
          StringEquals: {
            [`aws:ResourceTag/${owned}`]: "owned",
            "aws:ResourceTag/topology.kubernetes.io/region": a.region,
            [`aws:RequestTag/${owned}`]: "owned",
            "aws:RequestTag/eks:eks-cluster-name": a.clusterName,
            "aws:RequestTag/topology.kubernetes.io/region": a.region,
          },
          StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
        },
      },
      {
        Sid: "AllowScopedInstanceProfileActions",
        Effect: "Allow",
        Resource: instanceProfiles,
        Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
        Condition: {
          StringEquals: { [`aws:ResourceTag/${owned}`]: "owned", "aws:ResourceTag/topology.kubernetes.io/region": a.region },
          StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
        },
      },
      // ---- EKSIntegrationPolicy: discover the API endpoint of this cluster only.
      {
        Sid: "AllowAPIServerEndpointDiscovery",
        Effect: "Allow",
        Resource: `arn:${a.partition}:eks:${a.region}:${a.accountId}:cluster/${a.clusterName}`,
        Action: "eks:DescribeCluster",
      },
      // ---- InterruptionPolicy: read and delete messages of this cluster's queue only.
      {
        Sid: "AllowInterruptionQueueActions",
        Effect: "Allow",
        Resource: a.queueArn,
        Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
      },
      // ---- ResourceDiscoveryPolicy: read-only, in this region only.
      {
        Sid: "AllowRegionalReadActions",
        Effect: "Allow",
        Resource: "*",
        Action: [
          "ec2:DescribeCapacityReservations",
          "ec2:DescribeImages",
          "ec2:DescribeInstances",
          "ec2:DescribeInstanceStatus",
          "ec2:DescribeInstanceTypeOfferings",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplates",
          "ec2:DescribePlacementGroups",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSpotPriceHistory",
          "ec2:DescribeSubnets",
        ],
        Condition: { StringEquals: { "aws:RequestedRegion": a.region } },
      },
      {
        Sid: "AllowSSMReadActions",
        Effect: "Allow",
        Resource: `arn:${a.partition}:ssm:${a.region}::parameter/aws/service/*`,
        Action: "ssm:GetParameter",
      },
      { Sid: "AllowPricingReadActions", Effect: "Allow", Resource: "*", Action: "pricing:GetProducts" },
      { Sid: "AllowUnscopedInstanceProfileListAction", Effect: "Allow", Resource: "*", Action: "iam:ListInstanceProfiles" },
      { Sid: "AllowInstanceProfileReadActions", Effect: "Allow", Resource: instanceProfiles, Action: "iam:GetInstanceProfile" },
    ],
  };
}

/**
 * Managed policies of the Karpenter node role (the template's KarpenterNodeRole): kubelet and
 * VPC CNI, image pulls, and SSM for break-glass access without SSH.
 */
export const KARPENTER_NODE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonSSMManagedInstanceCore",
] as const;

/** Interruption queue: 300 s retention (older notices are stale) and SQS-managed SSE, as upstream. */
export const INTERRUPTION_QUEUE = { messageRetentionSeconds: 300, sqsManagedSseEnabled: true } as const;

/** The template's KarpenterInterruptionQueuePolicy: EventBridge (and SQS) may send; TLS only. */
export function interruptionQueuePolicy(queueArn: string) {
  return {
    Version: "2012-10-17",
    Id: "EC2InterruptionPolicy",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
        Action: "sqs:SendMessage",
        Resource: queueArn,
      },
      {
        Sid: "DenyHTTP",
        Effect: "Deny",
        Action: "sqs:*",
        Resource: queueArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
        Principal: "*",
      },
    ],
  };
}

/**
 * EventBridge rules that feed the queue, keyed by the child-name role (the template's
 * ScheduledChangeRule, SpotInterruptionRule, RebalanceRule, InstanceStateChangeRule and
 * CapacityReservationInterruptionRule).
 */
export const INTERRUPTION_RULES = {
  "scheduled-change": { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
  "spot-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
  rebalance: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
  "instance-state-change": { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
  "capacity-reservation-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"] },
} as const;

/** The template's rule target id. */
export const INTERRUPTION_TARGET_ID = "KarpenterInterruptionQueueTarget";
