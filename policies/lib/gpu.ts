/** What the pack treats as an accelerator, and how a pod lands on a GPU pool (docs/architecture.md §6 "GPU"). */
import { arr, containers, num, obj, str, type Obj } from "./k8s.ts";

/** Extended resources that count accelerators. The scheduling contract uses `nvidia.com/gpu`. */
export const GPU_RESOURCES = ["nvidia.com/gpu"] as const;
/** The taint every GPU pool carries; GPU pods tolerate it. */
export const GPU_TAINT_KEY = "nvidia.com/gpu";
/** Node labels that pin a pod to a pool: llmkit's contract label and Karpenter's own. */
export const POOL_LABELS = ["llmkit.dev/pool", "karpenter.sh/nodepool"] as const;

/** GPUs of one container: its limit (or request) of a GPU resource. */
function containerGpus(c: Obj): number {
  const res = obj(c.resources);
  return GPU_RESOURCES.reduce((n, r) => n + (num(obj(res.limits)[r]) ?? num(obj(res.requests)[r]) ?? 0), 0);
}

/**
 * GPUs a pod requests, as the scheduler counts them: the larger of the sum over app containers and
 * the largest init container (a trainer may run as an init container before an upload step).
 */
export function podGpus(podSpec: Obj): number {
  let app = 0;
  let init = 0;
  for (const c of containers(podSpec)) {
    if (c.list === "containers") app += containerGpus(c.raw);
    else if (c.list === "initContainers") init = Math.max(init, containerGpus(c.raw));
  }
  return Math.max(app, init);
}

/** Does a toleration list tolerate the GPU taint (NoSchedule)? */
export function toleratesGpuTaint(tolerations: unknown): boolean {
  return arr(tolerations).some((t) => {
    const tol = obj(t);
    const key = str(tol.key);
    const operator = str(tol.operator) ?? "Equal";
    const effect = str(tol.effect);
    const keyOk = key === GPU_TAINT_KEY || (key === undefined && operator === "Exists");
    const effectOk = effect === undefined || effect === "" || effect === "NoSchedule";
    return keyOk && effectOk;
  });
}

/** The pool a pod selects through nodeSelector or required node affinity, if any. */
export function selectedPool(podSpec: Obj): string | undefined {
  const selector = obj(podSpec.nodeSelector);
  for (const l of POOL_LABELS) {
    const v = str(selector[l]);
    if (v !== undefined && v !== "") return v;
  }
  const terms = arr(obj(obj(obj(obj(podSpec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution)).nodeSelectorTerms);
  for (const term of terms) {
    for (const e of arr(obj(term).matchExpressions)) {
      const expr = obj(e);
      const values = arr(expr.values).filter((v): v is string => typeof v === "string");
      if (POOL_LABELS.includes(str(expr.key) as (typeof POOL_LABELS)[number]) && str(expr.operator) === "In" && values.length > 0) return values.join(",");
    }
  }
  return undefined;
}
