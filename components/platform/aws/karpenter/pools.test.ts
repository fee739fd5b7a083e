import { describe, expect, it } from "vitest";
import { crdsAvailable } from "../../../../render/schemas/crds.ts";
import { validateObjects } from "../../../../render/validate.ts";
import { awsPlatform } from "../../__fixtures__/configs.ts";
import { poolContracts } from "../../contract.ts";
import type { AwsPlatformConfig } from "../defaults.ts";
import {
  blockDeviceMappings,
  gpuMemoryFloorMiB,
  poolProblems,
  renderEc2NodeClass,
  renderNodePool,
  resolvePool,
  resolvePools,
} from "./pools.ts";
import { PRESETS } from "./presets.ts";

type Pool = AwsPlatformConfig["gpuPools"][number];

const l4: Pool = { name: "serving-l4", preset: "serving", gpu: { name: "l4", count: 1 }, gpuLimit: 4 };
const l40sSpot: Pool = { name: "training-l40s", preset: "training-spot", gpu: { name: "l40s", count: 1 }, gpuLimit: 8 };
const h100Efa: Pool = { name: "training-h100-efa", preset: "training-efa", gpu: { name: "h100", count: 8 }, zones: ["us-east-1a"], gpuLimit: 16 };
const a10gTraining: Pool = { name: "train-a10g", preset: "training", gpu: { name: "a10g", count: 4 }, gpuLimit: 8, ami: "al2023@v20251120" };

const TRAINING_BUDGETS = [
  { nodes: "100%", reasons: ["Empty"] },
  { nodes: "1", reasons: ["Drifted"] },
];

describe("renderNodePool: one NodePool per preset", () => {
  it("serving: on-demand, consolidates when empty or underused, one node at a time", () => {
    expect(renderNodePool(resolvePool({ ...l4, consolidateAfter: "15m" }))).toEqual({
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: { name: "serving-l4", labels: { "app.kubernetes.io/part-of": "llmkit", "app.kubernetes.io/managed-by": "pulumi" } },
      spec: {
        template: {
          metadata: { labels: { "llmkit.dev/pool": "serving-l4", "llmkit.dev/purpose": "serving" } },
          spec: {
            nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "serving-l4" },
            requirements: [
              { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g6"] },
              { key: "karpenter.k8s.aws/instance-gpu-name", operator: "In", values: ["l4"] },
              { key: "karpenter.k8s.aws/instance-gpu-count", operator: "In", values: ["1"] },
              { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
              { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
            ],
            taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }],
            // budgets do not cover expiry: serving nodes are renewed by drift only (presets.ts)
            expireAfter: "Never",
          },
        },
        limits: { "nvidia.com/gpu": "4" },
        disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "15m", budgets: [{ nodes: "1" }] },
      },
    });
    expect(renderNodePool(resolvePool(l4)).spec.disruption.consolidateAfter).toBe("10m");
  });

  it("training: on-demand, only when empty, never expires", () => {
    const spec = renderNodePool(resolvePool(a10gTraining)).spec;
    expect(spec.template.spec.requirements).toContainEqual({ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] });
    expect(spec.template.spec.expireAfter).toBe("Never");
    expect(spec.template.metadata.labels).toEqual({ "llmkit.dev/pool": "train-a10g", "llmkit.dev/purpose": "training" });
    expect(spec.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "10m", budgets: TRAINING_BUDGETS });
    expect(spec.limits).toEqual({ "nvidia.com/gpu": "8" });
  });

  it("training-spot: spot first, on-demand as fallback", () => {
    const spec = renderNodePool(resolvePool(l40sSpot)).spec;
    expect(spec.template.spec.requirements).toEqual([
      { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g6e"] },
      { key: "karpenter.k8s.aws/instance-gpu-name", operator: "In", values: ["l40s"] },
      { key: "karpenter.k8s.aws/instance-gpu-count", operator: "In", values: ["1"] },
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
      { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
    ]);
    expect(spec.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "10m", budgets: TRAINING_BUDGETS });
    expect(spec.template.spec.taints).toEqual([{ key: "nvidia.com/gpu", effect: "NoSchedule" }]);
  });

  it("training-efa: one zone, 8×H100 on EFA families, marked for the EFA plugin", () => {
    const spec = renderNodePool(resolvePool(h100Efa)).spec;
    expect(spec.template.spec.requirements).toEqual([
      { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["p5"] },
      { key: "karpenter.k8s.aws/instance-gpu-name", operator: "In", values: ["h100"] },
      { key: "karpenter.k8s.aws/instance-gpu-count", operator: "In", values: ["8"] },
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
      { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
      { key: "topology.kubernetes.io/zone", operator: "In", values: ["us-east-1a"] },
    ]);
    expect(spec.template.metadata.labels).toEqual({ "llmkit.dev/pool": "training-h100-efa", "llmkit.dev/purpose": "training", "llmkit.dev/efa": "true" });
    expect(spec.limits).toEqual({ "nvidia.com/gpu": "16" });
    expect(spec.disruption.consolidationPolicy).toBe("WhenEmpty");
  });

  it("honours configured families, capacity types and GPU memory", () => {
    const spec = renderNodePool(
      resolvePool({ ...l4, instanceFamilies: ["g6"], capacityTypes: ["reserved", "on-demand"], gpu: { name: "l4", count: 1, memoryGiB: 24 } }),
    ).spec;
    expect(spec.template.spec.requirements).toEqual([
      { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g6"] },
      { key: "karpenter.k8s.aws/instance-gpu-name", operator: "In", values: ["l4"] },
      { key: "karpenter.k8s.aws/instance-gpu-count", operator: "In", values: ["1"] },
      // EC2 reports an L4 as 22888 MiB: the floor of 24 GB must admit it.
      { key: "karpenter.k8s.aws/instance-gpu-memory", operator: "Gt", values: ["22887"] },
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["reserved", "on-demand"] },
      { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
    ]);
  });

  it.each([
    [24, 22888],
    [48, 45776],
    [80, 76293],
  ])("gpuMemoryFloorMiB(%i GB) = %i MiB", (gb, mib) => expect(gpuMemoryFloorMiB(gb)).toBe(mib));

  it("labels and taints every node exactly as the scheduling contract promises", () => {
    const platform = { ...awsPlatform(), gpuPools: [l4, l40sSpot, h100Efa, a10gTraining] };
    const contracts = poolContracts(platform);
    for (const pool of resolvePools(platform)) {
      const contract = contracts.find((c) => c.name === pool.name)!;
      const spec = renderNodePool(pool).spec;
      for (const [k, v] of Object.entries(contract.nodeSelector)) expect(spec.template.metadata.labels).toHaveProperty([k], v);
      for (const toleration of contract.tolerations) {
        expect(spec.template.spec.taints.some((t) => t.key === toleration.key && t.effect === toleration.effect)).toBe(true);
      }
      // the cap serving's autoscaling validates replicas.max against (components/serving/autoscaling.ts)
      expect(spec.limits).toHaveProperty([contract.gpuResource!], String(contract.gpuLimit));
    }
  });

  it("every preset has a purpose, a capacity type and a disruption budget", () => {
    for (const preset of Object.values(PRESETS)) {
      expect(preset.capacityTypes.length).toBeGreaterThan(0);
      expect(preset.budgets.length).toBeGreaterThan(0);
      expect(preset.consolidationPolicy === "WhenEmptyOrUnderutilized").toBe(preset.purpose === "serving");
    }
  });
});

describe("renderEc2NodeClass", () => {
  it("Bottlerocket (default): pinned alias, discovery by tag, IMDSv2 one hop, OS + data volumes, RAID0", () => {
    expect(renderEc2NodeClass(resolvePool(l4), "llmkit-dev", "node-role")).toEqual({
      apiVersion: "karpenter.k8s.aws/v1",
      kind: "EC2NodeClass",
      metadata: { name: "serving-l4", labels: { "app.kubernetes.io/part-of": "llmkit", "app.kubernetes.io/managed-by": "pulumi" } },
      spec: {
        amiSelectorTerms: [{ alias: "bottlerocket@v1.62.0" }],
        role: "node-role",
        subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "llmkit-dev" } }],
        securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "llmkit-dev" } }],
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, httpProtocolIPv6: "disabled" },
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: "4Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true } },
          { deviceName: "/dev/xvdb", ebs: { volumeSize: "200Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true } },
        ],
        instanceStorePolicy: "RAID0",
        tags: { "llmkit.dev/cluster": "llmkit-dev", "llmkit.dev/pool": "serving-l4" },
      },
    });
  });

  it("AL2023: its pinned alias and one large root volume", () => {
    const spec = renderEc2NodeClass(resolvePool(a10gTraining), "llmkit-dev", "node-role").spec;
    expect(spec.amiSelectorTerms).toEqual([{ alias: "al2023@v20251120" }]);
    expect(spec.blockDeviceMappings).toEqual([
      { deviceName: "/dev/xvda", ebs: { volumeSize: "500Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true } },
    ]);
    expect(blockDeviceMappings(resolvePool({ ...a10gTraining, disk: { rootGiB: 300 } }))[0]!.ebs.volumeSize).toBe("300Gi");
  });

  it("sizes volumes by preset and by config", () => {
    expect(blockDeviceMappings(resolvePool(h100Efa)).map((d) => d.ebs.volumeSize)).toEqual(["4Gi", "1000Gi"]);
    expect(blockDeviceMappings(resolvePool({ ...l4, disk: { rootGiB: 8, dataGiB: 400 } })).map((d) => d.ebs.volumeSize)).toEqual(["8Gi", "400Gi"]);
  });

  it("selects capacity reservations tagged for the cluster only when reserved capacity is allowed", () => {
    expect(renderEc2NodeClass(resolvePool(l4), "c", "r").spec).not.toHaveProperty("capacityReservationSelectorTerms");
    expect(renderEc2NodeClass(resolvePool({ ...h100Efa, capacityTypes: ["reserved"] }), "c", "r").spec.capacityReservationSelectorTerms).toEqual([
      { tags: { "karpenter.sh/discovery": "c" } },
    ]);
  });
});

describe.runIf(crdsAvailable())("validation against Karpenter v1.12.1's CRDs (CI only)", () => {
  it("accepts every rendered object and refuses an unknown field", async () => {
    const pools = [l4, l40sSpot, h100Efa, a10gTraining, { ...l4, name: "r", capacityTypes: ["reserved" as const], gpu: { name: "l4" as const, count: 1, memoryGiB: 20 } }].map(resolvePool);
    const objects = pools.flatMap((p) => [renderNodePool(p), renderEc2NodeClass(p, "llmkit-dev", "node-role")]);
    const verdicts = await validateObjects(objects);
    expect(verdicts.map((v) => [v.object.kind, v.object.metadata?.name, v.status, v.problems])).toEqual(
      objects.map((o) => [o.kind, o.metadata.name, "valid", []]),
    );
    const broken = renderNodePool(pools[0]!);
    const [bad] = await validateObjects([{ ...broken, spec: { ...broken.spec, disruption: { ...broken.spec.disruption, consolidateAftr: "1m" } } }]);
    expect(bad!.status).toBe("invalid");
  });
});

describe("poolProblems: refuses what no node could satisfy, naming the path", () => {
  it("collects every problem at once", () => {
    expect(
      poolProblems([
        { ...l4, gpu: { name: "l4", count: 1, memoryGiB: 48 } },
        { ...a10gTraining, disk: { rootGiB: 100, dataGiB: 200 } },
        { ...a10gTraining, disk: { rootGiB: 10 } },
        { ...l4, disk: { rootGiB: 2 } },
        { ...h100Efa, capacityTypes: ["spot"] },
      ]),
    ).toEqual([
      "platform.gpuPools[0].gpu.memoryGiB: l4 has 24 GiB per GPU, so no node could satisfy 48 GiB",
      "platform.gpuPools[1].disk: AL2023 nodes have one volume for the OS, images and weights: set rootGiB or dataGiB, not both",
      "platform.gpuPools[2].disk: 10 GiB is below the AL2023 AMI's 20 GiB root snapshot",
      "platform.gpuPools[3].disk.rootGiB: Bottlerocket's OS volume needs at least 4 GiB",
      "platform.gpuPools[4].capacityTypes: training-efa pools run gangs of nodes that a spot reclaim would stall: use on-demand or reserved",
    ]);
    expect(poolProblems([l4, l40sSpot, h100Efa, a10gTraining])).toEqual([]);
  });

  it("resolvePools throws once with all of them", () => {
    const platform = { ...awsPlatform(), gpuPools: [{ ...l4, gpu: { name: "l4" as const, count: 1, memoryGiB: 99 } }, { ...l4, disk: { rootGiB: 1 } }] };
    expect(() => resolvePools(platform)).toThrow(/gpuPools\[0\]\.gpu\.memoryGiB[\s\S]*gpuPools\[1\]\.disk\.rootGiB/);
  });
});
