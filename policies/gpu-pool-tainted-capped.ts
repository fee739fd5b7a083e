/**
 * gpu-pool-tainted-capped: every Karpenter NodePool that can launch GPU instances carries the
 * `nvidia.com/gpu` NoSchedule taint (so only GPU pods land there) and a positive
 * `spec.limits["nvidia.com/gpu"]` (so a runaway scale-up has a ceiling). docs/architecture.md §6, §8.
 */
import { GPU_RESOURCES, GPU_TAINT_KEY } from "./lib/gpu.ts";
import { arr, isKind, num, obj, str, type Obj } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

const GPU_REQUIREMENT_KEYS = ["karpenter.k8s.aws/instance-gpu-count", "karpenter.k8s.aws/instance-gpu-name", "karpenter.k8s.aws/instance-gpu-manufacturer", "karpenter.k8s.aws/instance-gpu-memory"];
/** EC2 GPU families: g4dn, g5, g5g, g6, g6e, gr6, p3, p4d, p5, p5e, p6... */
const GPU_FAMILY = /^(g|gr|p)\d/;

/** A pool is a GPU pool if its requirements ask for GPUs or GPU instance families, or it already counts GPUs. */
export function isGpuPool(spec: Obj): boolean {
  const template = obj(obj(spec.template).spec);
  const reqs = arr(template.requirements).map(obj);
  const byReq = reqs.some((r) => {
    const key = str(r.key) ?? "";
    const op = str(r.operator) ?? "";
    const values = arr(r.values).map(String);
    if (GPU_REQUIREMENT_KEYS.includes(key)) return op === "Exists" || (op === "In" && values.some((v) => v !== "0")) || op === "Gt";
    if (key === "karpenter.k8s.aws/instance-category") return op === "In" && values.some((v) => v === "g" || v === "p");
    if (key === "karpenter.k8s.aws/instance-family") return op === "In" && values.some((v) => GPU_FAMILY.test(v));
    if (key === "node.kubernetes.io/instance-type") return op === "In" && values.some((v) => GPU_FAMILY.test(v));
    return false;
  });
  const limits = obj(spec.limits);
  return byReq || GPU_RESOURCES.some((r) => r in limits) || arr(template.taints).some((t) => str(obj(t).key) === GPU_TAINT_KEY);
}

export const gpuPoolTaintedCapped: ResourcePolicy = {
  kind: "resource",
  name: "gpu-pool-tainted-capped",
  description: "GPU NodePools carry the nvidia.com/gpu NoSchedule taint and a positive nvidia.com/gpu limit.",
  check(type, inputs) {
    if (!isKind(type, inputs, "karpenter.sh", "NodePool")) return [];
    const name = str(obj(inputs.metadata).name) ?? "(unnamed)";
    const spec = obj(inputs.spec);
    if (!isGpuPool(spec)) return [];
    const problems: string[] = [];
    const taints = arr(obj(obj(spec.template).spec).taints).map(obj);
    if (!taints.some((t) => str(t.key) === GPU_TAINT_KEY && (str(t.effect) === "NoSchedule" || str(t.effect) === "NoExecute"))) {
      problems.push(`NodePool ${name}: GPU pool has no "${GPU_TAINT_KEY}" NoSchedule taint in spec.template.spec.taints, so any pod can land on (and pin) its GPU nodes`);
    }
    const limit = num(obj(spec.limits)[GPU_TAINT_KEY]);
    if (limit === undefined || limit <= 0) {
      problems.push(`NodePool ${name}: GPU pool has no positive spec.limits["nvidia.com/gpu"]: its GPU spend is uncapped`);
    }
    return problems;
  },
};
