import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { awsPlatform } from "../__fixtures__/configs.ts";
import { ACCOUNT, CLUSTER_SECURITY_GROUP, KUBECONFIG_JSON, byName, installMocks, secretInput, settled, valueOf, type Registered } from "../__fixtures__/mocks.ts";
import { storePolicies } from "./store-policies.ts";

const BUCKET_ARN = "arn:aws:s3:::acme-llmkit-dev-models";
const KEY_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/platform-store-key`;

let registered: Registered[];
let outputs: { kubeconfig: string; kubeconfigSecret: boolean; contract: unknown; providerName: string };
let retained: Registered[];

beforeAll(async () => {
  const all = await installMocks();
  const { AwsPlatform } = await import("./aws-platform.ts");
  const { createPlatform } = await import("../index.ts");
  const platform = new AwsPlatform("platform", {
    platform: awsPlatform({
      systemNodes: { instanceType: "m7i.xlarge", min: 3, max: 6 },
      admins: [`arn:aws:iam::${ACCOUNT}:role/platform-admins`],
      publicAccessCidrs: ["203.0.113.0/24"],
    }),
  });
  createPlatform("prod", awsPlatform({ name: "llmkit-prod" }, { bucket: "acme-llmkit-prod-models", retainOnDelete: true }));
  outputs = {
    kubeconfig: await valueOf(platform.kubeconfig),
    kubeconfigSecret: await pulumi.isSecret(platform.kubeconfig),
    contract: platform.contract,
    providerName: await valueOf(platform.k8sProvider.urn),
  };
  await settled(all);
  registered = all.filter((r) => r.name.startsWith("platform"));
  retained = all.filter((r) => r.name.startsWith("prod"));
});

describe("AwsPlatform: cluster", () => {
  it("creates exactly these children", () => {
    expect(registered.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "llmkit:platform:AwsPlatform platform",
        "eks:index:Cluster platform-cluster",
        "aws:iam/role:Role platform-system-node-role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment platform-system-node-AmazonEKSWorkerNodePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment platform-system-node-AmazonEKS_CNI_Policy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment platform-system-node-AmazonEC2ContainerRegistryPullOnly",
        "aws:ec2/launchTemplate:LaunchTemplate platform-system-node-template",
        "eks:index:ManagedNodeGroup platform-system-nodes",
        "aws:eks/addon:Addon platform-pod-identity-agent",
        "aws:eks/addon:Addon platform-node-monitoring-agent",
        "aws:eks/addon:Addon platform-coredns",
        "aws:ec2/tag:Tag platform-cluster-sg-discovery",
        "aws:kms/key:Key platform-store-key",
        "aws:s3/bucket:Bucket platform-store",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls platform-store-ownership",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock platform-store-public-access",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration platform-store-encryption",
        "aws:s3/bucketVersioning:BucketVersioning platform-store-versioning",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration platform-store-lifecycle",
        "aws:s3/bucketPolicy:BucketPolicy platform-store-policy",
        ...["mirror", "trainer", "serving"].flatMap((role) => [
          `aws:iam/role:Role platform-${role}-role`,
          `aws:iam/rolePolicy:RolePolicy platform-${role}-store-access`,
          `aws:eks/podIdentityAssociation:PodIdentityAssociation platform-${role}-identity`,
          `kubernetes:core/v1:ServiceAccount platform-sa-${role}`,
        ]),
        "kubernetes:core/v1:Namespace platform-namespace",
        "kubernetes:scheduling.k8s.io/v1:PriorityClass platform-serving-priority",
        "pulumi:providers:kubernetes platform-k8s",
        "pulumi:providers:kubernetes platform-workloads-k8s",
        // Karpenter and the GPU pool (components/platform/aws/karpenter/, tested there in detail).
        "aws:iam/role:Role platform-karpenter-node-role",
        ...["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"].map(
          (policy) => `aws:iam/rolePolicyAttachment:RolePolicyAttachment platform-karpenter-node-${policy}`,
        ),
        "aws:eks/accessEntry:AccessEntry platform-karpenter-node-access",
        "aws:sqs/queue:Queue platform-karpenter-queue",
        "aws:sqs/queuePolicy:QueuePolicy platform-karpenter-queue-policy",
        ...["scheduled-change", "spot-interruption", "rebalance", "instance-state-change", "capacity-reservation-interruption"].flatMap((rule) => [
          `aws:cloudwatch/eventRule:EventRule platform-karpenter-${rule}`,
          `aws:cloudwatch/eventTarget:EventTarget platform-karpenter-${rule}-target`,
        ]),
        "aws:iam/role:Role platform-karpenter-controller-role",
        "aws:iam/rolePolicy:RolePolicy platform-karpenter-controller-policy",
        "aws:eks/podIdentityAssociation:PodIdentityAssociation platform-karpenter-identity",
        "kubernetes:helm.sh/v3:Release platform-karpenter-crd",
        "kubernetes:helm.sh/v3:Release platform-karpenter",
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass platform-nodeclass-serving-l4",
        "kubernetes:karpenter.sh/v1:NodePool platform-nodepool-serving-l4",
        "kubernetes:helm.sh/v3:Release platform-dcgm-exporter",
        // Cluster add-ons (components/platform/addons/, tested there in detail): all on by default on aws.
        ...["prometheus-stack", "keda", "envoy-gateway"].flatMap((role) => [
          `kubernetes:core/v1:Namespace platform-${role}-namespace`,
          `kubernetes:helm.sh/v3:Release platform-${role}`,
        ]),
        "kubernetes:gateway.networking.k8s.io/v1:GatewayClass platform-gateway-class",
        "kubernetes:monitoring.coreos.com/v1:PodMonitor platform-envoy-monitor",
      ].sort(),
    );
  });

  it("builds EKS on the private subnets with API auth, STANDARD support and audit logs", () => {
    expect(byName(registered, "platform-cluster").inputs).toEqual({
      name: "llmkit-dev",
      version: "1.34",
      vpcId: "vpc-0a1b2c3d4e5f60718",
      privateSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
      authenticationMode: "API",
      accessEntries: {
        "admin-0": {
          principalArn: `arn:aws:iam::${ACCOUNT}:role/platform-admins`,
          type: "STANDARD",
          accessPolicies: {
            admin: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } },
          },
        },
      },
      upgradePolicy: { supportType: "STANDARD" },
      enabledClusterLogTypes: ["api", "audit", "authenticator"],
      skipDefaultNodeGroup: true,
      // issue 12: NetworkPolicies enforced; VPC CNI and kube-proxy pinned for 1.34
      // (the SDK fills in the OVERWRITE defaults, @pulumi/eks types/input.d.ts *ProvideDefaults)
      vpcCniOptions: { addonVersion: "v1.20.5-eksbuild.1", enableNetworkPolicy: true, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE" },
      kubeProxyAddonOptions: { version: "v1.34.1-eksbuild.2", resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE" },
      skipDefaultSecurityGroups: true,
      tags: { "llmkit.dev/cluster": "llmkit-dev" },
    });
  });

  it("tags the security group EKS created for Karpenter discovery", () => {
    expect(byName(registered, "platform-cluster-sg-discovery").inputs).toEqual({
      resourceId: CLUSTER_SECURITY_GROUP,
      key: "karpenter.sh/discovery",
      value: "llmkit-dev",
    });
  });

  it("runs a managed system node group with IMDSv2 at one hop and an encrypted disk", () => {
    const { cluster, ...nodeGroup } = byName(registered, "platform-system-nodes").inputs;
    expect(cluster.__pulumiType).toBe("eks:index:Cluster");
    expect(nodeGroup).toEqual({
      nodeGroupName: "llmkit-dev-system",
      nodeRole: expect.objectContaining({ __pulumiType: "aws:iam/role:Role", __name: "platform-system-node-role" }),
      amiType: "AL2023_x86_64_STANDARD",
      version: "1.34",
      capacityType: "ON_DEMAND",
      instanceTypes: ["m7i.xlarge"],
      scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 },
      subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
      launchTemplate: { id: "platform-system-node-template-id", version: "1" },
      labels: { "llmkit.dev/pool": "system" },
    });
    expect(byName(registered, "platform-system-node-template").inputs).toEqual({
      description: "llmkit llmkit-dev system nodes: IMDSv2 only, encrypted root volume",
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
      ],
      updateDefaultVersion: true,
    });
    expect(JSON.parse(byName(registered, "platform-system-node-role").inputs.assumeRolePolicy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(
      registered
        .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.startsWith("platform-system-node-"))
        .map((r) => r.inputs.policyArn),
    ).toEqual([
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    ]);
  });

  it("installs the pinned Pod Identity agent once the nodes exist", () => {
    const addon = byName(registered, "platform-pod-identity-agent");
    expect(addon.inputs).toEqual({
      clusterName: "llmkit-dev",
      addonName: "eks-pod-identity-agent",
      addonVersion: "v1.3.10-eksbuild.2",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    });
    expect(addon.dependsOn).toContain("platform-system-nodes");
  });

  it("installs the pinned node monitoring agent once the nodes exist", () => {
    const addon = byName(registered, "platform-node-monitoring-agent");
    expect(addon.inputs).toEqual({
      clusterName: "llmkit-dev",
      addonName: "eks-node-monitoring-agent",
      addonVersion: "v1.4.2-eksbuild.1",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    });
    expect(addon.dependsOn).toContain("platform-system-nodes");
  });

  it("manages CoreDNS as the pinned add-on once the nodes exist (EKS bootstraps it unmanaged)", () => {
    const addon = byName(registered, "platform-coredns");
    expect(addon.inputs).toEqual({
      clusterName: "llmkit-dev",
      addonName: "coredns",
      addonVersion: "v1.12.4-eksbuild.1",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    });
    expect(addon.dependsOn).toContain("platform-system-nodes");
  });
});

describe("AwsPlatform: model store", () => {
  it("creates a private, KMS-encrypted, versioned bucket with lifecycle rules", () => {
    expect(byName(registered, "platform-store").inputs).toEqual({
      bucket: "acme-llmkit-dev-models",
      tags: { "llmkit.dev/store": "acme-llmkit-dev-models" },
    });
    expect(byName(registered, "platform-store-key").inputs).toEqual({
      description: "llmkit model store s3://acme-llmkit-dev-models",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: { "llmkit.dev/store": "acme-llmkit-dev-models" },
    });
    expect(byName(registered, "platform-store-public-access").inputs).toEqual({
      bucket: "platform-store-id",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(byName(registered, "platform-store-ownership").inputs).toEqual({
      bucket: "platform-store-id",
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    expect(byName(registered, "platform-store-encryption").inputs).toEqual({
      bucket: "platform-store-id",
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }],
    });
    expect(byName(registered, "platform-store-versioning").inputs).toEqual({
      bucket: "platform-store-id",
      versioningConfiguration: { status: "Enabled" },
    });
    const lifecycle = byName(registered, "platform-store-lifecycle");
    expect(lifecycle.inputs).toEqual({
      bucket: "platform-store-id",
      rules: [
        { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 14 } },
        {
          id: "expire-pruned-checkpoints",
          status: "Enabled",
          filter: { prefix: "checkpoints/" },
          noncurrentVersionExpiration: { noncurrentDays: 1 },
          expiration: { expiredObjectDeleteMarker: true },
        },
      ],
    });
    expect(lifecycle.dependsOn).toContain("platform-store-versioning");
  });

  it("denies every non-TLS request and uploads with another algorithm or key in the bucket policy", () => {
    const policy = JSON.parse(byName(registered, "platform-store-policy").inputs.policy);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["DenyInsecureTransport", "DenyOtherEncryption", "DenyOtherKmsKey"]);
    expect(policy.Statement[2].Condition.StringNotEquals).toEqual({ "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN });
    expect({ ...policy, Statement: policy.Statement.slice(0, 1) }).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("retains the bucket, its guards and its key only when asked", () => {
    const storeResources = (rs: Registered[]) => rs.filter((r) => r.type.startsWith("aws:s3/") || r.type === "aws:kms/key:Key");
    expect(storeResources(registered).map((r) => [r.name, r.retainOnDelete]).filter(([, kept]) => kept)).toEqual([]);
    expect(storeResources(retained).map((r) => [r.name, r.retainOnDelete])).toEqual(
      expect.arrayContaining(
        [
          "prod-store-key",
          "prod-store",
          "prod-store-ownership",
          "prod-store-public-access",
          "prod-store-encryption",
          "prod-store-versioning",
          "prod-store-lifecycle",
          "prod-store-policy",
        ].map((name) => [name, true]),
      ),
    );
    expect(storeResources(retained)).toHaveLength(8);
    expect(byName(retained, "prod-store").inputs.bucket).toBe("acme-llmkit-prod-models");
  });
});

describe("AwsPlatform: workload identities", () => {
  it.each(["mirror", "trainer", "serving"] as const)("%s: Pod Identity role with its store policy", (role) => {
    const trust = JSON.parse(byName(registered, `platform-${role}-role`).inputs.assumeRolePolicy);
    expect(trust.Statement).toEqual([
      { Sid: "EksPodIdentity", Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
    ]);
    const policy = byName(registered, `platform-${role}-store-access`);
    expect(policy.inputs.role).toBe(`platform-${role}-role-physical`);
    expect(JSON.parse(policy.inputs.policy)).toEqual(storePolicies(BUCKET_ARN, KEY_ARN)[role]);
    const serviceAccount = { mirror: "llmkit-model-mirror", trainer: "llmkit-trainer", serving: "llmkit-serving" }[role];
    const association = byName(registered, `platform-${role}-identity`);
    expect(association.inputs).toEqual({
      clusterName: "llmkit-dev",
      namespace: "llmkit",
      serviceAccount,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/platform-${role}-role-physical`,
    });
    expect(association.dependsOn).toContain(`platform-${role}-store-access`);
  });
});

describe("AwsPlatform: outputs", () => {
  it("exports the cluster kubeconfig as a secret and the derived contract", async () => {
    const { platformContract } = await import("../contract.ts");
    expect(outputs.kubeconfig).toBe(KUBECONFIG_JSON);
    expect(outputs.kubeconfigSecret).toBe(true);
    expect(outputs.contract).toEqual(platformContract(
      awsPlatform({
        systemNodes: { instanceType: "m7i.xlarge", min: 3, max: 6 },
        admins: [`arn:aws:iam::${ACCOUNT}:role/platform-admins`],
        publicAccessCidrs: ["203.0.113.0/24"],
      }),
    ));
    expect(byName(registered, "platform-k8s").inputs).toEqual({ kubeconfig: secretInput(KUBECONFIG_JSON) });
  });

  it("puts the namespace and service accounts on the cluster's provider", () => {
    for (const name of ["platform-namespace", "platform-sa-mirror", "platform-sa-trainer", "platform-sa-serving"]) {
      expect(byName(registered, name).provider).toMatch(/::platform-k8s::platform-k8s-id$/);
    }
  });

  it("hands out a workloads provider that waits for the whole platform", () => {
    expect(outputs.providerName).toMatch(/::platform-workloads-k8s$/);
    expect(byName(registered, "platform-workloads-k8s").dependsOn).toEqual(
      expect.arrayContaining([
        "platform-namespace",
        "platform-sa-mirror",
        "platform-sa-trainer",
        "platform-sa-serving",
        "platform-serving-priority",
        "platform-system-nodes",
        "platform-pod-identity-agent",
        "platform-coredns",
        "platform-mirror-identity",
        "platform-trainer-identity",
        "platform-serving-identity",
        "platform-store-encryption",
        "platform-store-policy",
        "platform-store-public-access",
        "platform-nodepool-serving-l4",
      ]),
    );
  });
});
