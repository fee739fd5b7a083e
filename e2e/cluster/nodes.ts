/**
 * KWOK Node objects for a platform, derived from what the kit rendered for it: one set of nodes per
 * Karpenter NodePool (labels Karpenter puts on its nodes, the NodePool's template labels and taints,
 * the requirement values, the EC2NodeClass data volume), the EKS managed system node group from
 * resources.json, or, for `provider: local`, one untainted kind-style node.
 *
 * A GPU pool gets as many nodes as its NodePool `limits` allow (gpuLimit / GPUs per node): the most
 * Karpenter would ever launch, so "nothing pending" means "fits within the pool's cap". The instance
 * size is the smallest of the pool's family, with the pool's GPU count, whose allocatable holds the
 * largest pod that selects the pool: what Karpenter's bin-packing picks for one pod per node.
 */
import { gpuMemoryFloorMiB } from "../../components/platform/aws/karpenter/pools.ts";
import { NVIDIA_GPU, POOL_LABEL } from "../../components/lib/scheduling.ts";
import { GPU_MEMORY_GIB, type GpuName } from "../../planner/gpus.ts";
import { allocatable, MAX_PODS } from "../../planner/instances.ts";
import type { PlatformConfig } from "../../config/schema.ts";
import type { KubeObject, Live } from "./kube.ts";

export const KWOK_ANNOTATION = { "kwok.x-k8s.io/node": "fake" } as const;

export interface InstanceType {
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly gpus: number;
}

/**
 * The sizes of the instance families the shipped stacks use, from the EC2 instance type pages
 * (https://aws.amazon.com/ec2/instance-types/g6/, …/g6e/, …/p5/, …/m7i/). A family missing here
 * fails the lane with its name, rather than being guessed.
 */
export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = {
  "g6.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 1 },
  "g6.2xlarge": { vcpu: 8, memoryGiB: 32, gpus: 1 },
  "g6.4xlarge": { vcpu: 16, memoryGiB: 64, gpus: 1 },
  "g6.8xlarge": { vcpu: 32, memoryGiB: 128, gpus: 1 },
  "g6.16xlarge": { vcpu: 64, memoryGiB: 256, gpus: 1 },
  "g6.12xlarge": { vcpu: 48, memoryGiB: 192, gpus: 4 },
  "g6.24xlarge": { vcpu: 96, memoryGiB: 384, gpus: 4 },
  "g6.48xlarge": { vcpu: 192, memoryGiB: 768, gpus: 8 },
  "g6e.xlarge": { vcpu: 4, memoryGiB: 32, gpus: 1 },
  "g6e.2xlarge": { vcpu: 8, memoryGiB: 64, gpus: 1 },
  "g6e.4xlarge": { vcpu: 16, memoryGiB: 128, gpus: 1 },
  "g6e.8xlarge": { vcpu: 32, memoryGiB: 256, gpus: 1 },
  "g6e.16xlarge": { vcpu: 64, memoryGiB: 512, gpus: 1 },
  "g6e.12xlarge": { vcpu: 48, memoryGiB: 384, gpus: 4 },
  "g6e.24xlarge": { vcpu: 96, memoryGiB: 768, gpus: 4 },
  "g6e.48xlarge": { vcpu: 192, memoryGiB: 1536, gpus: 8 },
  "p5.4xlarge": { vcpu: 16, memoryGiB: 256, gpus: 1 },
  "p5.48xlarge": { vcpu: 192, memoryGiB: 2048, gpus: 8 },
  "m7i.large": { vcpu: 2, memoryGiB: 8, gpus: 0 },
  "m7i.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 0 },
  "m7i.2xlarge": { vcpu: 8, memoryGiB: 32, gpus: 0 },
};

export function parseCpuMilli(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const s = String(q);
  return s.endsWith("m") ? Number(s.slice(0, -1)) : Math.round(Number(s) * 1000);
}

const MEMORY_UNITS: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };
export function parseMemoryMiB(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q));
  if (m === null) throw new Error(`unparsable quantity ${String(q)}`);
  const unit = m[2] ?? "";
  return unit === "" ? Number(m[1]) / 2 ** 20 : Number(m[1]) * (MEMORY_UNITS[unit] ?? NaN);
}

interface Container {
  readonly resources?: { readonly requests?: Record<string, string> };
  readonly restartPolicy?: string;
}

/**
 * A pod's effective request, as the scheduler computes it (k8s.io/component-helpers resource
 * PodRequests): the larger of the app containers plus sidecars, and each init container plus the
 * sidecars started before it.
 */
export function podRequest(spec: { containers: Container[]; initContainers?: Container[] }): { cpuMilli: number; memoryMiB: number } {
  const req = (c: Container) => ({ cpuMilli: parseCpuMilli(c.resources?.requests?.cpu), memoryMiB: parseMemoryMiB(c.resources?.requests?.memory) });
  let sidecars = { cpuMilli: 0, memoryMiB: 0 };
  let initPeak = { cpuMilli: 0, memoryMiB: 0 };
  for (const c of spec.initContainers ?? []) {
    const r = req(c);
    if (c.restartPolicy === "Always") {
      sidecars = { cpuMilli: sidecars.cpuMilli + r.cpuMilli, memoryMiB: sidecars.memoryMiB + r.memoryMiB };
      initPeak = { cpuMilli: Math.max(initPeak.cpuMilli, sidecars.cpuMilli), memoryMiB: Math.max(initPeak.memoryMiB, sidecars.memoryMiB) };
    } else {
      initPeak = { cpuMilli: Math.max(initPeak.cpuMilli, sidecars.cpuMilli + r.cpuMilli), memoryMiB: Math.max(initPeak.memoryMiB, sidecars.memoryMiB + r.memoryMiB) };
    }
  }
  const app = spec.containers.map(req).reduce((a, b) => ({ cpuMilli: a.cpuMilli + b.cpuMilli, memoryMiB: a.memoryMiB + b.memoryMiB }), sidecars);
  return { cpuMilli: Math.max(app.cpuMilli, initPeak.cpuMilli), memoryMiB: Math.max(app.memoryMiB, initPeak.memoryMiB) };
}

/** Pod templates of workload objects (Deployment, StatefulSet, Job, …). */
export function podTemplates(objects: readonly KubeObject[]): { owner: string; spec: Live }[] {
  return objects.flatMap((o) => {
    const spec = (o.spec as Live)?.template?.spec;
    return spec?.containers !== undefined ? [{ owner: `${o.kind}/${o.metadata.name}`, spec }] : [];
  });
}

export interface NodePlan {
  readonly pool: string;
  readonly instanceType: string;
  readonly count: number;
  readonly zones: readonly string[];
  /** Why this size: the largest pod that selects the pool, or a note. */
  readonly reason: string;
}

function zonesOf(platform: PlatformConfig): string[] {
  if (platform.provider !== "aws") return ["local-a"];
  const n = platform.network?.mode === "create" ? (platform.network.zones ?? 3) : 3;
  return ["a", "b", "c", "d", "e", "f"].slice(0, n).map((s) => `${platform.region}${s}`);
}

function node(name: string, labels: Record<string, string>, taints: unknown[], t: InstanceType, extra: { gpuResource?: string; ephemeralGiB: number; alloc?: { cpuMilli: number; memoryMiB: number } }) {
  const alloc = extra.alloc ?? allocatable(t);
  const capacity: Record<string, string> = { cpu: String(t.vcpu), memory: `${t.memoryGiB}Gi`, pods: String(MAX_PODS), "ephemeral-storage": `${extra.ephemeralGiB}Gi` };
  const allocatableRes: Record<string, string> = {
    cpu: `${alloc.cpuMilli}m`,
    memory: `${alloc.memoryMiB}Mi`,
    pods: String(MAX_PODS),
    "ephemeral-storage": `${Math.floor(extra.ephemeralGiB * 0.9) - 1}Gi`,
  };
  if (extra.gpuResource !== undefined && t.gpus > 0) {
    capacity[extra.gpuResource] = String(t.gpus);
    allocatableRes[extra.gpuResource] = String(t.gpus);
  }
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, annotations: { ...KWOK_ANNOTATION }, labels: { ...labels, "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", type: "kwok" } },
    spec: { taints },
    status: {
      capacity,
      allocatable: allocatableRes,
      nodeInfo: { kubeletVersion: "v1.34.12", architecture: labels["kubernetes.io/arch"] ?? "amd64", operatingSystem: "linux" },
    },
  };
}

/**
 * The kind node README's "Local quick start" documents (Docker given 4 CPUs, 12 GiB, 60 GB of
 * disk). While the run trains, the local stack's pods request 10.9 GiB (vLLM 6 GiB by its KV-cache
 * arithmetic, the trainer 4 GiB for a measured 3.56 GiB peak, the store 512 MiB, three sidecars);
 * the chat UI the stack ships commented out adds 1 GiB, more than that node has left: 13 GiB.
 */
export const KIND_NODE = { vcpu: 4, memoryGiB: 12, diskGiB: 60 } as const;
/**
 * What kind's own pods request on that node, which the local stack's pods do not get: kubeadm's
 * static pods (kube-apiserver 250m, kube-controller-manager 200m, kube-scheduler 100m, etcd 100m and
 * 100Mi; cmd/kubeadm/app/phases/controlplane/manifests.go, phases/etcd/local.go), two CoreDNS
 * replicas (100m, 70Mi each) and kindnet (100m, 50Mi; kind pkg/build/nodeimage/const_cni.go);
 * kube-proxy and local-path-provisioner request nothing. kind reserves nothing for the system and
 * sets evictionHard for nodefs/imagefs only (kind pkg/cluster/internal/kubeadm/config.go), which
 * leaves memory.available at 0 (a partial evictionHard does not inherit the defaults while
 * mergeDefaultEvictionSettings is false, its default). The 100Mi kept here anyway (the kubelet's
 * usual memory.available<100Mi) is a margin for the Docker VM's own kernel share, not measured here.
 */
export const KIND_SYSTEM = { cpuMilli: 950, memoryMiB: 290, evictionMiB: 100 } as const;

export function kindAllocatable(): { cpuMilli: number; memoryMiB: number } {
  return { cpuMilli: KIND_NODE.vcpu * 1000 - KIND_SYSTEM.cpuMilli, memoryMiB: KIND_NODE.memoryGiB * 1024 - KIND_SYSTEM.memoryMiB - KIND_SYSTEM.evictionMiB };
}

/** The smallest size of `family` with `gpus` accelerators whose allocatable holds `need`. */
function pickInstance(family: string, gpus: number, need: { cpuMilli: number; memoryMiB: number }): { name: string; fits: boolean } {
  const sizes = Object.entries(INSTANCE_TYPES)
    .filter(([n, t]) => n.startsWith(`${family}.`) && t.gpus === gpus)
    .sort(([, a], [, b]) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB);
  if (sizes.length === 0) throw new Error(`no ${family} size with ${gpus} GPU(s) in e2e/cluster/nodes.ts INSTANCE_TYPES: add it from the EC2 instance type page`);
  const fit = sizes.find(([, t]) => {
    const a = allocatable(t);
    return a.cpuMilli >= need.cpuMilli && a.memoryMiB >= need.memoryMiB;
  });
  const chosen = fit ?? sizes[sizes.length - 1]!;
  return { name: chosen[0], fits: fit !== undefined };
}

/**
 * Nodes for one platform: `platformObjects` are its rendered objects (NodePools, EC2NodeClasses),
 * `resources` its resources.json, `workloadObjects` every rendered object whose pods will run there.
 */
export function platformNodes(
  platform: PlatformConfig,
  platformObjects: readonly KubeObject[],
  resources: readonly { type: string; inputs: Record<string, Live> }[],
  workloadObjects: readonly KubeObject[],
): { nodes: Live[]; plans: NodePlan[] } {
  const zones = zonesOf(platform);
  const templates = podTemplates(workloadObjects);
  const nodes: Live[] = [];
  const plans: NodePlan[] = [];

  if (platform.provider === "local") {
    // One node like the documented kind node (docs/kind-local.yaml; kind untaints its single
    // control-plane node; named as kind names it for the cluster "llmkit"), its allocatable less
    // what kind's own pods request there.
    const alloc = kindAllocatable();
    nodes.push(node("llmkit-control-plane", { "kubernetes.io/arch": "amd64", "topology.kubernetes.io/zone": zones[0]! }, [], { ...KIND_NODE, gpus: 0 }, { ephemeralGiB: KIND_NODE.diskGiB, alloc }));
    plans.push({ pool: "local", instanceType: `${KIND_NODE.vcpu} CPU / ${KIND_NODE.memoryGiB} GiB`, count: 1, zones: [zones[0]!], reason: `one kind node; ${alloc.cpuMilli}m / ${alloc.memoryMiB}Mi left after kind's own pods` });
    return { nodes, plans };
  }
  if (platform.provider !== "aws") throw new Error(`provider ${platform.provider}: no node derivation in e2e/cluster/nodes.ts`);

  // EKS managed node group: its instance type, desired size and labels, as rendered.
  for (const ng of resources.filter((r) => r.type === "eks:index:ManagedNodeGroup")) {
    const type = String(ng.inputs.instanceTypes?.[0]);
    const t = INSTANCE_TYPES[type];
    if (t === undefined) throw new Error(`system node type ${type} missing from e2e/cluster/nodes.ts INSTANCE_TYPES`);
    const count = Number(ng.inputs.scalingConfig?.desiredSize ?? 1);
    const labels = ng.inputs.labels ?? {};
    for (let i = 0; i < count; i++) {
      const zone = zones[i % zones.length]!;
      nodes.push(
        node(`${labels[POOL_LABEL] ?? "system"}-${i}`, {
          ...labels,
          "eks.amazonaws.com/nodegroup": String(ng.inputs.nodeGroupName),
          "eks.amazonaws.com/capacityType": String(ng.inputs.capacityType ?? "ON_DEMAND"),
          "node.kubernetes.io/instance-type": type,
          "topology.kubernetes.io/zone": zone,
          "topology.kubernetes.io/region": platform.region,
          "kubernetes.io/arch": "amd64",
        }, [], t, { ephemeralGiB: 50 }),
      );
    }
    plans.push({ pool: String(labels[POOL_LABEL] ?? "system"), instanceType: type, count, zones: zones.slice(0, Math.min(count, zones.length)), reason: "EKS managed node group desired size" });
  }

  for (const np of platformObjects.filter((o) => o.kind === "NodePool")) {
    const spec = np.spec as Live;
    const name = np.metadata.name;
    const reqs: { key: string; operator: string; values: string[] }[] = spec.template.spec.requirements;
    const value = (key: string) => reqs.find((r) => r.key === key && r.operator === "In")?.values;
    const family = value("karpenter.k8s.aws/instance-family")?.[0];
    const gpuName = value("karpenter.k8s.aws/instance-gpu-name")?.[0] as GpuName | undefined;
    const gpuCount = Number(value("karpenter.k8s.aws/instance-gpu-count")?.[0] ?? 0);
    if (family === undefined || gpuName === undefined) throw new Error(`NodePool ${name}: no instance-family/gpu-name requirement to derive nodes from`);
    const poolZones = value("topology.kubernetes.io/zone") ?? zones;
    const limit = Number(spec.limits?.[NVIDIA_GPU] ?? gpuCount);
    const count = Math.max(1, Math.floor(limit / gpuCount));
    const poolLabels: Record<string, string> = spec.template.metadata?.labels ?? {};

    // The largest pod selecting this pool decides the size.
    const selecting = templates.filter((t) => t.spec.nodeSelector?.[POOL_LABEL] === poolLabels[POOL_LABEL]);
    let need = { cpuMilli: 0, memoryMiB: 0 };
    let by = "no pod selects it";
    for (const t of selecting) {
      const r = podRequest(t.spec);
      if (r.cpuMilli > need.cpuMilli || r.memoryMiB > need.memoryMiB) by = t.owner;
      need = { cpuMilli: Math.max(need.cpuMilli, r.cpuMilli), memoryMiB: Math.max(need.memoryMiB, r.memoryMiB) };
    }
    const pick = pickInstance(family, gpuCount, need);
    const t = INSTANCE_TYPES[pick.name]!;
    // Ephemeral storage: the EC2NodeClass's data volume (Bottlerocket /dev/xvdb) or its root volume.
    const nodeClass = platformObjects.find((o) => o.kind === "EC2NodeClass" && o.metadata.name === spec.template.spec.nodeClassRef?.name);
    const volumes: { deviceName: string; ebs: { volumeSize: string } }[] = (nodeClass?.spec as Live)?.blockDeviceMappings ?? [];
    const data = volumes.find((v) => v.deviceName === "/dev/xvdb") ?? volumes[0];
    const ephemeralGiB = data !== undefined ? Number(data.ebs.volumeSize.replace(/Gi$/, "")) : 20;

    const labelsFromReqs: Record<string, string> = {};
    for (const r of reqs) {
      if (r.operator === "In" && r.values[0] !== undefined) labelsFromReqs[r.key] = r.values[0];
    }
    for (let i = 0; i < count; i++) {
      const zone = poolZones[i % poolZones.length]!;
      nodes.push(
        node(`${name}-${i}`, {
          ...labelsFromReqs,
          ...poolLabels,
          "karpenter.sh/nodepool": name,
          "karpenter.sh/registered": "true",
          "karpenter.sh/initialized": "true",
          "karpenter.k8s.aws/ec2nodeclass": String(spec.template.spec.nodeClassRef?.name),
          "karpenter.k8s.aws/instance-size": pick.name.split(".")[1]!,
          "karpenter.k8s.aws/instance-gpu-memory": String(gpuMemoryFloorMiB(GPU_MEMORY_GIB[gpuName])),
          "node.kubernetes.io/instance-type": pick.name,
          "topology.kubernetes.io/zone": zone,
          "topology.kubernetes.io/region": platform.region,
        }, [...(spec.template.spec.taints ?? [])], t, { gpuResource: NVIDIA_GPU, ephemeralGiB }),
      );
    }
    plans.push({
      pool: name,
      instanceType: pick.name,
      count,
      zones: poolZones.slice(0, Math.min(count, poolZones.length)),
      reason: `${pick.fits ? "smallest fitting" : "LARGEST (none fits)"} ${by} (${need.cpuMilli}m CPU, ${Math.ceil(need.memoryMiB)}Mi); ${count} = ${NVIDIA_GPU} limit ${limit} / ${gpuCount}`,
    });
  }
  return { nodes, plans };
}
