import { describe, expect, it } from "vitest";
import { controllerPolicy, INTERRUPTION_RULES, interruptionQueuePolicy } from "./iam.ts";

const ARGS = {
  partition: "aws",
  region: "us-east-1",
  accountId: "111122223333",
  clusterName: "llmkit-prod",
  nodeRoleArn: "arn:aws:iam::111122223333:role/node",
  queueArn: "arn:aws:sqs:us-east-1:111122223333:llmkit-prod-karpenter",
};

// Parsed back from JSON, as IAM receives it.
const policy = JSON.parse(JSON.stringify(controllerPolicy(ARGS)));
const statement = (sid: string): any => policy.Statement.find((s: { Sid: string }) => s.Sid === sid);
const actions = (s: { Action: string | string[] }) => [s.Action].flat();
const OWNED = "kubernetes.io/cluster/llmkit-prod";

describe("controllerPolicy (upstream v1.12 CloudFormation, scoped to one cluster)", () => {
  it("has exactly upstream's statements, minus zonal shift", () => {
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "AllowScopedEC2InstanceAccessActions",
      "AllowScopedEC2LaunchTemplateAccessActions",
      "AllowScopedEC2InstanceActionsWithTags",
      "AllowScopedResourceCreationTagging",
      "AllowScopedResourceTagging",
      "AllowScopedDeletion",
      "AllowPassingInstanceRole",
      "AllowScopedInstanceProfileCreationActions",
      "AllowScopedInstanceProfileTagActions",
      "AllowScopedInstanceProfileActions",
      "AllowAPIServerEndpointDiscovery",
      "AllowInterruptionQueueActions",
      "AllowRegionalReadActions",
      "AllowSSMReadActions",
      "AllowPricingReadActions",
      "AllowUnscopedInstanceProfileListAction",
      "AllowInstanceProfileReadActions",
    ]);
    expect(policy.Statement.every((s: { Effect: string }) => s.Effect === "Allow")).toBe(true);
    expect(JSON.stringify(policy)).not.toContain("arc-zonal-shift");
    // Inline role policies may hold 10,240 characters in all (IAM quotas).
    expect(JSON.stringify(policy).length).toBeLessThan(10_240);
  });

  it("launches and tags only resources tagged for this cluster and a NodePool", () => {
    expect(statement("AllowScopedEC2InstanceActionsWithTags").Condition).toEqual({
      StringEquals: { [`aws:RequestTag/${OWNED}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": "llmkit-prod" },
      StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
    });
    expect(statement("AllowScopedResourceCreationTagging").Condition.StringEquals["ec2:CreateAction"]).toEqual([
      "RunInstances",
      "CreateFleet",
      "CreateLaunchTemplate",
    ]);
    expect(statement("AllowScopedResourceTagging").Condition["ForAllValues:StringEquals"]).toEqual({
      "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"],
    });
    expect(statement("AllowScopedEC2InstanceAccessActions").Resource).toEqual([
      "arn:aws:ec2:us-east-1::image/*",
      "arn:aws:ec2:us-east-1::snapshot/*",
      "arn:aws:ec2:us-east-1:*:security-group/*",
      "arn:aws:ec2:us-east-1:*:subnet/*",
      "arn:aws:ec2:us-east-1:*:capacity-reservation/*",
      "arn:aws:ec2:us-east-1:*:placement-group/*",
    ]);
  });

  it("terminates only this cluster's Karpenter instances and launch templates", () => {
    const s = statement("AllowScopedDeletion");
    expect(actions(s)).toEqual(["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"]);
    expect(s.Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/${OWNED}`]: "owned" },
      StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
    });
  });

  it("passes only the node role, only to EC2", () => {
    expect(statement("AllowPassingInstanceRole")).toEqual({
      Sid: "AllowPassingInstanceRole",
      Effect: "Allow",
      Resource: ARGS.nodeRoleArn,
      Action: "iam:PassRole",
      Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com"] } },
    });
  });

  it("manages only instance profiles tagged for this cluster, region and an EC2NodeClass", () => {
    for (const sid of ["AllowScopedInstanceProfileCreationActions", "AllowScopedInstanceProfileTagActions", "AllowScopedInstanceProfileActions"]) {
      const s = statement(sid);
      expect(s.Resource).toBe("arn:aws:iam::111122223333:instance-profile/*");
      const tagged = JSON.stringify(s.Condition);
      expect(tagged).toContain(OWNED);
      expect(tagged).toContain('"us-east-1"');
      expect(tagged).toContain("karpenter.k8s.aws/ec2nodeclass");
    }
  });

  it("scopes cluster, queue, SSM and reads to this cluster and region", () => {
    expect(statement("AllowAPIServerEndpointDiscovery").Resource).toBe("arn:aws:eks:us-east-1:111122223333:cluster/llmkit-prod");
    expect(statement("AllowInterruptionQueueActions")).toMatchObject({
      Resource: ARGS.queueArn,
      Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
    });
    expect(statement("AllowSSMReadActions").Resource).toBe("arn:aws:ssm:us-east-1::parameter/aws/service/*");
    const reads = statement("AllowRegionalReadActions");
    expect(actions(reads).every((a) => a.startsWith("ec2:Describe"))).toBe(true);
    expect(actions(reads)).toContain("ec2:DescribeInstanceStatus");
    expect(reads.Condition).toEqual({ StringEquals: { "aws:RequestedRegion": "us-east-1" } });
  });

  it("grants nothing unscoped beyond upstream's read-only list/pricing calls", () => {
    const unscoped = policy.Statement.filter((s: { Resource: unknown; Condition?: unknown }) => s.Resource === "*" && s.Condition === undefined);
    expect(unscoped.flatMap(actions)).toEqual(["pricing:GetProducts", "iam:ListInstanceProfiles"]);
  });

  it("follows the partition in every ARN", () => {
    const gov = JSON.stringify(
      controllerPolicy({
        ...ARGS,
        partition: "aws-us-gov",
        region: "us-gov-west-1",
        nodeRoleArn: "arn:aws-us-gov:iam::111122223333:role/node",
        queueArn: "arn:aws-us-gov:sqs:us-gov-west-1:111122223333:q",
      }),
    );
    expect(gov).not.toMatch(/arn:aws:/);
  });
});

describe("interruption queue", () => {
  it("lets EventBridge send and denies non-TLS access", () => {
    expect(interruptionQueuePolicy(ARGS.queueArn)).toEqual({
      Version: "2012-10-17",
      Id: "EC2InterruptionPolicy",
      Statement: [
        { Effect: "Allow", Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] }, Action: "sqs:SendMessage", Resource: ARGS.queueArn },
        {
          Sid: "DenyHTTP",
          Effect: "Deny",
          Action: "sqs:*",
          Resource: ARGS.queueArn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
          Principal: "*",
        },
      ],
    });
  });

  it("routes the five upstream event kinds", () => {
    expect(INTERRUPTION_RULES).toEqual({
      "scheduled-change": { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
      "spot-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
      rebalance: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
      "instance-state-change": { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
      "capacity-reservation-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"] },
    });
  });
});
