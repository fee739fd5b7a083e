import { beforeAll, describe, expect, it } from "vitest";
import { awsPlatform } from "../../__fixtures__/configs.ts";
import { ACCOUNT, byName, installMocks, settled, type Registered } from "../../__fixtures__/mocks.ts";
import { controllerPolicy, interruptionQueuePolicy } from "./iam.ts";
import { renderEc2NodeClass, renderNodePool, resolvePool } from "./pools.ts";

let registered: Registered[];
const QUEUE_ARN = `arn:aws:sqs:us-west-2:${ACCOUNT}:llmkit-dev-karpenter`;
const NODE_ROLE = "platform-karpenter-node-role-physical";
const platform = {
  ...awsPlatform(),
  gpuPools: [
    { name: "serving-l4", preset: "serving" as const, gpu: { name: "l4" as const, count: 1 }, gpuLimit: 4, consolidateAfter: "15m" },
    { name: "train-a10g", preset: "training" as const, gpu: { name: "a10g" as const, count: 4 }, gpuLimit: 8, ami: "al2023@v20251120" },
  ],
};

beforeAll(async () => {
  const all = await installMocks();
  const pulumi = await import("@pulumi/pulumi");
  const k8s = await import("@pulumi/kubernetes");
  const { resolveAws } = await import("../defaults.ts");
  const { registerCluster } = await import("../cluster.ts");
  const { registerKarpenter } = await import("./karpenter.ts");
  class Parent extends pulumi.ComponentResource {
    constructor() {
      super("test:index:Parent", "platform", {});
      const resolved = resolveAws(platform);
      const cluster = registerCluster("platform", resolved, { vpcId: "vpc-1", privateSubnetIds: ["subnet-1", "subnet-2"] }, this);
      const provider = new k8s.Provider("platform-k8s", { kubeconfig: "{}" }, { parent: this });
      registerKarpenter(
        "platform",
        {
          resolved,
          cluster,
          provider,
          addons: { keda: true, envoyGateway: true, prometheus: { mode: "install" }, dcgmExporter: true, nvidiaDevicePlugin: false },
        },
        this,
      );
    }
  }
  new Parent();
  registered = (await settled(all)).filter((r) => r.name.startsWith("platform-karpenter") || /platform-(nodeclass|nodepool|nvidia|dcgm|efa)/.test(r.name));
});

describe("registerKarpenter", () => {
  it("creates exactly these resources", () => {
    const rules = ["scheduled-change", "spot-interruption", "rebalance", "instance-state-change", "capacity-reservation-interruption"];
    expect(registered.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "aws:iam/role:Role platform-karpenter-node-role",
        ...["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"].map(
          (p) => `aws:iam/rolePolicyAttachment:RolePolicyAttachment platform-karpenter-node-${p}`,
        ),
        "aws:eks/accessEntry:AccessEntry platform-karpenter-node-access",
        "aws:sqs/queue:Queue platform-karpenter-queue",
        "aws:sqs/queuePolicy:QueuePolicy platform-karpenter-queue-policy",
        ...rules.flatMap((r) => [
          `aws:cloudwatch/eventRule:EventRule platform-karpenter-${r}`,
          `aws:cloudwatch/eventTarget:EventTarget platform-karpenter-${r}-target`,
        ]),
        "aws:iam/role:Role platform-karpenter-controller-role",
        "aws:iam/rolePolicy:RolePolicy platform-karpenter-controller-policy",
        "aws:eks/podIdentityAssociation:PodIdentityAssociation platform-karpenter-identity",
        "kubernetes:helm.sh/v3:Release platform-karpenter-crd",
        "kubernetes:helm.sh/v3:Release platform-karpenter",
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass platform-nodeclass-serving-l4",
        "kubernetes:karpenter.sh/v1:NodePool platform-nodepool-serving-l4",
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass platform-nodeclass-train-a10g",
        "kubernetes:karpenter.sh/v1:NodePool platform-nodepool-train-a10g",
        "kubernetes:helm.sh/v3:Release platform-nvidia-device-plugin",
        "kubernetes:helm.sh/v3:Release platform-dcgm-exporter",
      ].sort(),
    );
  });

  it("gives nodes the upstream node policies and an EC2_LINUX access entry", () => {
    expect(JSON.parse(byName(registered, "platform-karpenter-node-role").inputs.assumeRolePolicy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(registered.filter((r) => r.type.endsWith("RolePolicyAttachment")).map((r) => r.inputs.policyArn)).toEqual([
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]);
    expect(byName(registered, "platform-karpenter-node-access").inputs).toEqual({
      clusterName: "llmkit-dev",
      principalArn: `arn:aws:iam::${ACCOUNT}:role/${NODE_ROLE}`,
      type: "EC2_LINUX",
      tags: { "llmkit.dev/cluster": "llmkit-dev" },
    });
  });

  it("creates the interruption queue (SSE, 300 s), its TLS-only policy and the EventBridge rules", () => {
    expect(byName(registered, "platform-karpenter-queue").inputs).toEqual({
      name: "llmkit-dev-karpenter",
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
      tags: { "llmkit.dev/cluster": "llmkit-dev" },
    });
    const policy = byName(registered, "platform-karpenter-queue-policy");
    expect(policy.inputs.queueUrl).toBe(`https://sqs.us-west-2.amazonaws.com/${ACCOUNT}/llmkit-dev-karpenter`);
    expect(JSON.parse(policy.inputs.policy)).toEqual(interruptionQueuePolicy(QUEUE_ARN));
    expect(JSON.parse(byName(registered, "platform-karpenter-spot-interruption").inputs.eventPattern)).toEqual({
      source: ["aws.ec2"],
      "detail-type": ["EC2 Spot Instance Interruption Warning"],
    });
    expect(JSON.parse(byName(registered, "platform-karpenter-scheduled-change").inputs.eventPattern)).toEqual({
      source: ["aws.health"],
      "detail-type": ["AWS Health Event"],
    });
    const target = byName(registered, "platform-karpenter-rebalance-target");
    expect(target.inputs).toEqual({ rule: "platform-karpenter-rebalance-physical", arn: QUEUE_ARN, targetId: "KarpenterInterruptionQueueTarget" });
    expect(target.dependsOn).toContain("platform-karpenter-queue-policy");
  });

  it("binds kube-system/karpenter to the controller role with the cluster-scoped policy", () => {
    expect(JSON.parse(byName(registered, "platform-karpenter-controller-role").inputs.assumeRolePolicy).Statement[0].Principal).toEqual({
      Service: "pods.eks.amazonaws.com",
    });
    const policy = byName(registered, "platform-karpenter-controller-policy");
    expect(policy.inputs.role).toBe("platform-karpenter-controller-role-physical");
    expect(JSON.parse(policy.inputs.policy)).toEqual(
      controllerPolicy({
        partition: "aws",
        region: "us-west-2",
        accountId: ACCOUNT,
        clusterName: "llmkit-dev",
        nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/${NODE_ROLE}`,
        queueArn: QUEUE_ARN,
      }),
    );
    const identity = byName(registered, "platform-karpenter-identity");
    expect(identity.inputs).toEqual({
      clusterName: "llmkit-dev",
      namespace: "kube-system",
      serviceAccount: "karpenter",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/platform-karpenter-controller-role-physical`,
    });
    expect(identity.dependsOn).toContain("platform-karpenter-controller-policy");
  });

  it("installs CRDs, then the controller once it can authenticate and nodes can join", () => {
    const crd = byName(registered, "platform-karpenter-crd");
    expect(crd.inputs).toMatchObject({ chart: "oci://public.ecr.aws/karpenter/karpenter-crd", version: "1.12.1", namespace: "kube-system" });
    const release = byName(registered, "platform-karpenter");
    expect(release.inputs).toMatchObject({
      name: "karpenter",
      chart: "oci://public.ecr.aws/karpenter/karpenter",
      version: "1.12.1",
      namespace: "kube-system",
      skipCrds: true,
      values: { replicas: 2, settings: { clusterName: "llmkit-dev", interruptionQueue: "llmkit-dev-karpenter" }, nodeSelector: { "llmkit.dev/pool": "system" } },
    });
    expect(release.provider).toMatch(/::platform-k8s::/);
    expect(release.dependsOn).toEqual(
      expect.arrayContaining([
        "platform-karpenter-crd",
        "platform-system-nodes",
        "platform-pod-identity-agent",
        "platform-karpenter-identity",
        "platform-karpenter-node-access",
      ]),
    );
  });

  it("registers each pool's EC2NodeClass and NodePool after the controller, exactly as rendered", () => {
    for (const pool of platform.gpuPools.map(resolvePool)) {
      const nodeClass = byName(registered, `platform-nodeclass-${pool.name}`);
      expect(nodeClass.inputs).toEqual(renderEc2NodeClass(pool, "llmkit-dev", NODE_ROLE));
      expect(nodeClass.dependsOn).toContain("platform-karpenter");
      const nodePool = byName(registered, `platform-nodepool-${pool.name}`);
      expect(nodePool.inputs).toEqual(renderNodePool(pool));
      expect(nodePool.dependsOn).toEqual(expect.arrayContaining(["platform-karpenter", `platform-nodeclass-${pool.name}`]));
    }
  });

  it("installs the device plugin for the AL2023 pool only, and DCGM with its ServiceMonitor", () => {
    const plugin = byName(registered, "platform-nvidia-device-plugin");
    expect(plugin.inputs.values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: "llmkit.dev/pool", operator: "In", values: ["train-a10g"] }] },
    ]);
    expect(byName(registered, "platform-dcgm-exporter").inputs.values.serviceMonitor.enabled).toBe(true);
    expect(registered.some((r) => r.name === "platform-efa-device-plugin")).toBe(false);
  });
});
