import { describe, expect, it } from "vitest";
import { awsPlatform } from "../__fixtures__/configs.ts";
import { amiTypeFor, partitionOf, resolveAws, validateAws } from "./defaults.ts";

describe("amiTypeFor", () => {
  it.each([
    ["m7i.large", "AL2023_x86_64_STANDARD"],
    ["g6.xlarge", "AL2023_x86_64_STANDARD"],
    ["c6in.2xlarge", "AL2023_x86_64_STANDARD"],
    ["m7g.large", "AL2023_ARM_64_STANDARD"],
    ["c7gn.xlarge", "AL2023_ARM_64_STANDARD"],
    ["t4g.medium", "AL2023_ARM_64_STANDARD"],
    ["g5g.xlarge", "AL2023_ARM_64_STANDARD"],
  ])("%s → %s", (instanceType, ami) => {
    expect(amiTypeFor(instanceType)).toBe(ami);
  });
});

describe("partitionOf", () => {
  it.each([
    ["us-west-2", "aws"],
    ["eu-central-1", "aws"],
    ["us-gov-west-1", "aws-us-gov"],
    ["cn-north-1", "aws-cn"],
  ])("%s → %s", (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe("resolveAws", () => {
  it("defaults the system nodes to m7i.large, 2 to 3", () => {
    const resolved = resolveAws(awsPlatform());
    expect(resolved.systemNodes).toEqual({ instanceType: "m7i.large", min: 2, max: 3 });
    expect(resolved.amiType).toBe("AL2023_x86_64_STANDARD");
    expect(resolved.podIdentityAgentVersion).toBe("v1.3.10-eksbuild.2");
    expect(resolved.nodeMonitoringAgentVersion).toBe("v1.4.2-eksbuild.1");
    expect(resolved.partition).toBe("aws");
  });

  it("keeps configured system nodes", () => {
    const resolved = resolveAws(awsPlatform({ systemNodes: { instanceType: "m7g.xlarge", min: 3, max: 6 } }));
    expect(resolved.systemNodes).toEqual({ instanceType: "m7g.xlarge", min: 3, max: 6 });
    expect(resolved.amiType).toBe("AL2023_ARM_64_STANDARD");
  });

  it.each([
    ["1.33", "v1.4.0-eksbuild.2"],
    ["1.34", "v1.4.2-eksbuild.1"],
    ["1.35", "v1.6.2-eksbuild.1"],
  ])("pins the node monitoring agent for %s to %s", (kubernetesVersion, version) => {
    expect(resolveAws(awsPlatform({ kubernetesVersion })).nodeMonitoringAgentVersion).toBe(version);
  });

  it("refuses 1.32: the Pod Identity agent is pinned there, the node monitoring agent and the core add-ons are not", () => {
    expect(validateAws(awsPlatform({ kubernetesVersion: "1.32" }))).toEqual([
      'platform.cluster.kubernetesVersion: "1.32" has no pinned eks-node-monitoring-agent version (pinned: 1.33, 1.34, 1.35)',
      'platform.cluster.kubernetesVersion: "1.32" has no pinned vpc-cni version (pinned: 1.33, 1.34, 1.35)',
      'platform.cluster.kubernetesVersion: "1.32" has no pinned kube-proxy version (pinned: 1.33, 1.34, 1.35)',
      'platform.cluster.kubernetesVersion: "1.32" has no pinned coredns version (pinned: 1.33, 1.34, 1.35)',
    ]);
  });

  it("reports every problem at once", () => {
    const platform = awsPlatform({ kubernetesVersion: "1.29", systemNodes: { instanceType: "m7i.large", min: 4, max: 2 } }, {}, "cn-north-1");
    expect(validateAws(platform)).toEqual([
      'platform.cluster.kubernetesVersion: "1.29" has no pinned eks-pod-identity-agent version (pinned: 1.32, 1.33, 1.34, 1.35)',
      'platform.cluster.kubernetesVersion: "1.29" has no pinned eks-node-monitoring-agent version (pinned: 1.33, 1.34, 1.35)',
      'platform.cluster.kubernetesVersion: "1.29" has no pinned vpc-cni version (pinned: 1.33, 1.34, 1.35)',
      'platform.cluster.kubernetesVersion: "1.29" has no pinned kube-proxy version (pinned: 1.33, 1.34, 1.35)',
      'platform.cluster.kubernetesVersion: "1.29" has no pinned coredns version (pinned: 1.33, 1.34, 1.35)',
      'platform.region: "cn-north-1" is in the aws-cn partition, which llmkit does not support',
    ]);
    expect(() => resolveAws(platform)).toThrow(/aws platform:\n {2}platform\.cluster\.kubernetesVersion/);
  });
});
