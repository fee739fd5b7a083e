/**
 * gpu-pod-scheduling: a pod that requests GPUs sets a GPU limit (extended resources need one),
 * tolerates the `nvidia.com/gpu` taint and selects a pool (`llmkit.dev/pool` or
 * `karpenter.sh/nodepool`); a pod that tolerates the GPU taint and selects a pool but requests
 * no GPU is refused too, since it would hold a GPU node without using it. docs/architecture.md §6.
 */
import { GPU_RESOURCES, podGpus, selectedPool, toleratesGpuTaint } from "./lib/gpu.ts";
import { containers, displayName, num, obj, podTemplate } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

export const gpuPodScheduling: ResourcePolicy = {
  kind: "resource",
  name: "gpu-pod-scheduling",
  description: "Pods that request GPUs set GPU limits, tolerate the nvidia.com/gpu taint and select a node pool; pods on GPU pools request GPUs.",
  check(type, inputs) {
    const pod = podTemplate(type, inputs);
    if (pod === undefined || pod.kind === "DaemonSet") return [];
    const who = displayName(type, inputs, "(unnamed)");
    const problems: string[] = [];
    for (const c of containers(pod.spec)) {
      const res = obj(c.raw.resources);
      for (const r of GPU_RESOURCES) {
        const request = num(obj(res.requests)[r]);
        const limit = num(obj(res.limits)[r]);
        if (request !== undefined && limit === undefined) problems.push(`${who}: container ${c.name} requests ${r} without a limit (extended resources are set through limits)`);
        if (request !== undefined && limit !== undefined && request !== limit) problems.push(`${who}: container ${c.name} has ${r} request ${request} ≠ limit ${limit}`);
      }
    }
    const gpus = podGpus(pod.spec);
    const tolerates = toleratesGpuTaint(pod.spec.tolerations);
    const pool = selectedPool(pod.spec);
    if (gpus > 0) {
      if (!tolerates) problems.push(`${who}: requests ${gpus} GPU(s) but does not tolerate the nvidia.com/gpu NoSchedule taint, so it can never schedule on a GPU pool`);
      if (pool === undefined) problems.push(`${who}: requests ${gpus} GPU(s) but selects no node pool (nodeSelector llmkit.dev/pool or karpenter.sh/nodepool)`);
    } else if (tolerates && pool !== undefined) {
      problems.push(`${who}: tolerates the GPU taint and selects pool ${pool} but requests no GPU: it would hold a GPU node idle`);
    }
    return problems;
  },
};
