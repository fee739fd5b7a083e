/**
 * GPU pools as Karpenter objects (pure): resolve each `platform.gpuPools` entry against its preset,
 * check what the schema cannot, and render one NodePool + one EC2NodeClass per pool as plain
 * objects with stable key order.
 *
 * API: karpenter.sh/v1 NodePool and karpenter.k8s.aws/v1 EC2NodeClass of Karpenter v1.12.1
 * (aws/karpenter-provider-aws@v1.12.1 pkg/apis/v1/ec2nodeclass.go, sigs.k8s.io/karpenter@v1.12.0
 * pkg/apis/v1/nodepool.go); render/validate.ts checks every field emitted here against the CRDs that
 * release ships, the schema the pinned controller serves.
 */
import { familiesWithGpu, GPU_MEMORY_GIB, type GpuName } from "../../../../planner/gpus.ts";
import { NVIDIA_GPU, POOL_LABEL } from "../../../lib/scheduling.ts";
import { amiAliases } from "../../../lib/versions.ts";
import { DISCOVERY_TAG, NODE_METADATA_OPTIONS, type AwsPlatformConfig } from "../defaults.ts";
import { PRESETS, type Budget, type CapacityType, type Preset, type Purpose } from "./presets.ts";

export const PURPOSE_LABEL = "llmkit.dev/purpose";
/** Set on EFA pools' nodes; the EFA device plugin DaemonSet selects it. */
export const EFA_LABEL = "llmkit.dev/efa";

/** Karpenter's well-known labels (aws/karpenter-provider-aws@v1.12.1 pkg/apis/v1/labels.go). */
export const LABELS = {
  instanceFamily: "karpenter.k8s.aws/instance-family",
  gpuName: "karpenter.k8s.aws/instance-gpu-name",
  gpuCount: "karpenter.k8s.aws/instance-gpu-count",
  /** Per-GPU memory in MiB, as EC2 DescribeInstanceTypes reports it (pkg/providers/instancetype/types.go). */
  gpuMemory: "karpenter.k8s.aws/instance-gpu-memory",
  capacityType: "karpenter.sh/capacity-type",
  zone: "topology.kubernetes.io/zone",
  arch: "kubernetes.io/arch",
} as const;

/** Bottlerocket's OS volume: Karpenter's own default size (pkg/providers/amifamily/bottlerocket.go). */
export const BOTTLEROCKET_OS_GIB = 4;
/** The EKS AL2023 AMIs' root snapshot is 20 GiB: a smaller volume cannot launch. */
export const AL2023_MIN_ROOT_GIB = 20;

type GpuPoolConfig = AwsPlatformConfig["gpuPools"][number];
export type AmiFamily = "bottlerocket" | "al2023";

export interface ResolvedPool {
  readonly name: string;
  readonly preset: Preset;
  readonly purpose: Purpose;
  readonly gpu: { readonly name: GpuName; readonly count: number; readonly memoryGiB?: number };
  readonly families: readonly string[];
  readonly capacityTypes: readonly CapacityType[];
  readonly zones: readonly string[];
  readonly gpuLimit: number;
  readonly ami: string;
  readonly amiFamily: AmiFamily;
  /** Bottlerocket: OS volume + data volume; AL2023: one root volume (`dataGiB` unused, 0). */
  readonly disk: { readonly rootGiB: number; readonly dataGiB: number };
  readonly consolidationPolicy: "WhenEmpty" | "WhenEmptyOrUnderutilized";
  readonly consolidateAfter: string;
  readonly expireAfter: string;
  readonly budgets: readonly Budget[];
  readonly efa: boolean;
}

/**
 * What the schema and config/platform-rules.ts cannot see, per pool, each naming its path.
 * (Unknown families, GPU counts, EFA zones, gpuLimit and @latest are refused there already.)
 */
export function poolProblems(pools: readonly GpuPoolConfig[]): string[] {
  const problems: string[] = [];
  pools.forEach((pool, i) => {
    const at = `platform.gpuPools[${i}]`;
    const catalog = GPU_MEMORY_GIB[pool.gpu.name];
    if (pool.gpu.memoryGiB !== undefined && pool.gpu.memoryGiB > catalog) {
      problems.push(`${at}.gpu.memoryGiB: ${pool.gpu.name} has ${catalog} GiB per GPU, so no node could satisfy ${pool.gpu.memoryGiB} GiB`);
    }
    const family = amiFamilyOf(pool.ami ?? amiAliases.bottlerocket);
    if (family === "al2023") {
      if (pool.disk?.rootGiB !== undefined && pool.disk.dataGiB !== undefined) {
        problems.push(`${at}.disk: AL2023 nodes have one volume for the OS, images and weights: set rootGiB or dataGiB, not both`);
      }
      const size = pool.disk?.rootGiB ?? pool.disk?.dataGiB;
      if (size !== undefined && size < AL2023_MIN_ROOT_GIB) {
        problems.push(`${at}.disk: ${size} GiB is below the AL2023 AMI's ${AL2023_MIN_ROOT_GIB} GiB root snapshot`);
      }
    } else if (pool.disk?.rootGiB !== undefined && pool.disk.rootGiB < BOTTLEROCKET_OS_GIB) {
      problems.push(`${at}.disk.rootGiB: Bottlerocket's OS volume needs at least ${BOTTLEROCKET_OS_GIB} GiB`);
    }
    if (pool.capacityTypes?.includes("spot") === true && PRESETS[pool.preset].efa) {
      problems.push(`${at}.capacityTypes: ${pool.preset} pools run gangs of nodes that a spot reclaim would stall: use on-demand or reserved`);
    }
  });
  return problems;
}

export function amiFamilyOf(alias: string): AmiFamily {
  return alias.startsWith("al2023@") ? "al2023" : "bottlerocket";
}

export function resolvePool(pool: GpuPoolConfig): ResolvedPool {
  const preset = PRESETS[pool.preset];
  const ami = pool.ami ?? amiAliases.bottlerocket;
  const amiFamily = amiFamilyOf(ami);
  const disk =
    amiFamily === "bottlerocket"
      ? { rootGiB: pool.disk?.rootGiB ?? BOTTLEROCKET_OS_GIB, dataGiB: pool.disk?.dataGiB ?? preset.dataGiB }
      : { rootGiB: pool.disk?.rootGiB ?? pool.disk?.dataGiB ?? preset.dataGiB, dataGiB: 0 };
  return {
    name: pool.name,
    preset: pool.preset,
    purpose: preset.purpose,
    gpu: { ...pool.gpu },
    families: [...(pool.instanceFamilies ?? familiesWithGpu(pool.gpu.name))],
    capacityTypes: [...(pool.capacityTypes ?? preset.capacityTypes)],
    zones: [...(pool.zones ?? [])],
    gpuLimit: pool.gpuLimit,
    ami,
    amiFamily,
    disk,
    consolidationPolicy: preset.consolidationPolicy,
    consolidateAfter: pool.consolidateAfter ?? preset.consolidateAfter,
    expireAfter: preset.expireAfter,
    budgets: preset.budgets,
    efa: preset.efa,
  };
}

/** Every pool resolved, or one error listing every problem. */
export function resolvePools(platform: AwsPlatformConfig): ResolvedPool[] {
  const problems = poolProblems(platform.gpuPools);
  if (problems.length > 0) throw new Error(`aws GPU pools:\n  ${problems.join("\n  ")}`);
  return platform.gpuPools.map(resolvePool);
}

/** EC2 reports GPU memory in MiB of the marketed decimal GB (L4: 24 GB → 22888 MiB): at least that. */
export function gpuMemoryFloorMiB(memoryGiB: number): number {
  return Math.floor((memoryGiB * 1e9) / 2 ** 20);
}

export function nodePoolRequirements(pool: ResolvedPool) {
  const requirements: { key: string; operator: "In" | "Gt"; values: string[] }[] = [
    { key: LABELS.instanceFamily, operator: "In", values: [...pool.families] },
    { key: LABELS.gpuName, operator: "In", values: [pool.gpu.name] },
    { key: LABELS.gpuCount, operator: "In", values: [String(pool.gpu.count)] },
  ];
  if (pool.gpu.memoryGiB !== undefined) {
    requirements.push({ key: LABELS.gpuMemory, operator: "Gt", values: [String(gpuMemoryFloorMiB(pool.gpu.memoryGiB) - 1)] });
  }
  requirements.push({ key: LABELS.capacityType, operator: "In", values: [...pool.capacityTypes] });
  // GPU catalog families are x86 (planner/gpus.ts); the pinned images are amd64 builds.
  requirements.push({ key: LABELS.arch, operator: "In", values: ["amd64"] });
  if (pool.zones.length > 0) requirements.push({ key: LABELS.zone, operator: "In", values: [...pool.zones] });
  return requirements;
}

/** The labels every node of the pool carries: what the scheduling contract selects on. */
export function poolLabels(pool: ResolvedPool): Record<string, string> {
  return { [POOL_LABEL]: pool.name, [PURPOSE_LABEL]: pool.purpose, ...(pool.efa ? { [EFA_LABEL]: "true" } : {}) };
}

export function renderNodePool(pool: ResolvedPool) {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: pool.name, labels: { "app.kubernetes.io/part-of": "llmkit", "app.kubernetes.io/managed-by": "pulumi" } },
    spec: {
      template: {
        metadata: { labels: poolLabels(pool) },
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: pool.name },
          requirements: nodePoolRequirements(pool),
          // docs/architecture.md §6: every GPU pool is tainted; the contract's toleration (Exists) matches it.
          taints: [{ key: NVIDIA_GPU, effect: "NoSchedule" }],
          expireAfter: pool.expireAfter,
        },
      },
      // docs/architecture.md §6: every GPU pool is capped; Karpenter stops launching at this many GPUs.
      limits: { [NVIDIA_GPU]: String(pool.gpuLimit) },
      disruption: {
        consolidationPolicy: pool.consolidationPolicy,
        consolidateAfter: pool.consolidateAfter,
        budgets: pool.budgets.map((b) => ({ nodes: b.nodes, ...(b.reasons !== undefined ? { reasons: [...b.reasons] } : {}) })),
      },
    },
  };
}

function ebs(sizeGiB: number) {
  return { volumeSize: `${sizeGiB}Gi`, volumeType: "gp3" as const, encrypted: true, deleteOnTermination: true };
}

/**
 * Bottlerocket: the small OS volume /dev/xvda and the data volume /dev/xvdb that holds images and
 * pod storage (Karpenter's Bottlerocket defaults, pkg/providers/amifamily/bottlerocket.go).
 * AL2023: one root volume /dev/xvda for everything (pkg/providers/amifamily/al2023.go).
 */
export function blockDeviceMappings(pool: ResolvedPool) {
  return pool.amiFamily === "bottlerocket"
    ? [
        { deviceName: "/dev/xvda", ebs: ebs(pool.disk.rootGiB) },
        { deviceName: "/dev/xvdb", ebs: ebs(pool.disk.dataGiB) },
      ]
    : [{ deviceName: "/dev/xvda", ebs: ebs(pool.disk.rootGiB) }];
}

export function renderEc2NodeClass(pool: ResolvedPool, clusterName: string, nodeRoleName: string) {
  const discovery = [{ tags: { [DISCOVERY_TAG]: clusterName } }];
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: pool.name, labels: { "app.kubernetes.io/part-of": "llmkit", "app.kubernetes.io/managed-by": "pulumi" } },
    spec: {
      amiSelectorTerms: [{ alias: pool.ami }],
      role: nodeRoleName,
      subnetSelectorTerms: discovery,
      securityGroupSelectorTerms: discovery,
      // "reserved" offerings come from capacity reservations (ODCRs, capacity blocks) Karpenter
      // may use: those tagged for this cluster.
      ...(pool.capacityTypes.includes("reserved") ? { capacityReservationSelectorTerms: discovery } : {}),
      // IMDSv2 only, one hop: pods cannot reach the node role (same as the system nodes).
      metadataOptions: { ...NODE_METADATA_OPTIONS, httpProtocolIPv6: "disabled" },
      blockDeviceMappings: blockDeviceMappings(pool),
      // Instance-store NVMe (g6, g6e, p4d, p5 …) becomes one RAID0 array for containerd and kubelet:
      // faster image pulls and weight loads than EBS. Types without instance store use the EBS volume.
      instanceStorePolicy: "RAID0",
      tags: { "llmkit.dev/cluster": clusterName, [POOL_LABEL]: pool.name },
    },
  };
}
