/**
 * Cross-field rules of the `platform` block (docs/architecture.md §4): pools that cannot exist, GPU pools
 * that could never launch a node, and add-ons that cannot work on the chosen provider. Each
 * problem names its path under `platform` and says how to fix it.
 */
import { familiesWithGpu, GPU_FAMILIES, type GpuName } from "../planner/gpus.ts";
import type { PlatformConfig } from "./schema.ts";

type Add = (path: (string | number)[], message: string) => void;
type AwsPlatform = Extract<PlatformConfig, { provider: "aws" }>;

export function platformProblems(platform: PlatformConfig, add: Add): void {
  const at = (path: (string | number)[], message: string) => add(["platform", ...path], message);
  const pools = platform.provider === "aws" ? platform.gpuPools : platform.pools;
  const poolsKey = platform.provider === "aws" ? "gpuPools" : "pools";
  const seen = new Map<string, number>();
  pools.forEach((p, i) => {
    const first = seen.get(p.name);
    if (first !== undefined) at([poolsKey, i, "name"], `"${p.name}" is already used by ${poolsKey}[${first}]: pool names must be unique`);
    else seen.set(p.name, i);
  });
  if (platform.provider === "aws") awsProblems(platform, at);

  const { addons } = platform;
  if (platform.provider === "local") {
    if (addons.dcgmExporter === true) at(["addons", "dcgmExporter"], "local clusters have CPU pools only: remove it");
    if (addons.nvidiaDevicePlugin === true) at(["addons", "nvidiaDevicePlugin"], "local clusters have CPU pools only: remove it");
  }
  if (platform.provider === "aws" && addons.nvidiaDevicePlugin !== undefined) {
    at(["addons", "nvidiaDevicePlugin"], "is decided per AMI family on aws (Bottlerocket ships its own, AL2023 gets the plugin): remove it");
  }
  if (platform.provider === "existing" && addons.dcgmExporter === true && platform.pools.every((p) => p.gpu === undefined)) {
    at(["addons", "dcgmExporter"], "no pool has GPUs: remove it or describe the GPU pools");
  }
}

function awsProblems(platform: AwsPlatform, at: Add): void {
  const nodes = platform.cluster.systemNodes;
  if (nodes !== undefined && nodes.min > nodes.max) at(["cluster", "systemNodes", "min"], `(${nodes.min}) exceeds systemNodes.max (${nodes.max})`);

  platform.gpuPools.forEach((pool, i) => {
    const path = ["gpuPools", i];
    const gpu: GpuName = pool.gpu.name;
    const withGpu = familiesWithGpu(gpu);
    const families = pool.instanceFamilies ?? withGpu;
    pool.instanceFamilies?.forEach((family, j) => {
      const known = GPU_FAMILIES[family];
      if (known === undefined) {
        at([...path, "instanceFamilies", j], `"${family}" is not a GPU instance family llmkit knows: use one of ${Object.keys(GPU_FAMILIES).join(", ")}`);
      } else if (known.gpu !== gpu) {
        at([...path, "instanceFamilies", j], `"${family}" carries ${known.gpu}, not ${gpu}: use one of ${withGpu.join(", ")}`);
      }
    });
    const counts = [...new Set(families.flatMap((f) => (GPU_FAMILIES[f]?.gpu === gpu ? GPU_FAMILIES[f].counts : [])))].sort((a, b) => a - b);
    if (counts.length > 0 && !counts.includes(pool.gpu.count)) {
      at([...path, "gpu", "count"], `no ${families.join("/")} instance has ${pool.gpu.count} ${gpu} GPU(s): use one of ${counts.join(", ")}`);
    }
    if (pool.gpuLimit < pool.gpu.count) {
      at([...path, "gpuLimit"], `(${pool.gpuLimit}) is below gpu.count (${pool.gpu.count}): not even one node could launch`);
    } else if (pool.gpuLimit % pool.gpu.count !== 0) {
      at([...path, "gpuLimit"], `(${pool.gpuLimit}) is not a multiple of gpu.count (${pool.gpu.count}): use ${pool.gpuLimit - (pool.gpuLimit % pool.gpu.count)}`);
    }
    pool.zones?.forEach((zone, j) => {
      if (!zone.startsWith(platform.region)) at([...path, "zones", j], `"${zone}" is not in region ${platform.region}`);
    });
    if (pool.preset === "training-efa") {
      if (pool.zones?.length !== 1) at([...path, "zones"], "an EFA pool must sit in exactly one availability zone (EFA traffic does not cross zones): list one zone");
      const noEfa = families.filter((f) => GPU_FAMILIES[f]?.efa === false);
      if (noEfa.length > 0) at([...path, "preset"], `training-efa needs EFA-capable instances, and ${noEfa.join(", ")} has none: use a p4d/p5/p5e/p5en GPU`);
    }
    if (pool.consolidateAfter !== undefined && pool.preset !== "serving") {
      at([...path, "consolidateAfter"], `applies to serving pools only: ${pool.preset} pools consolidate only when empty, so running jobs are never moved`);
    }
  });
}
