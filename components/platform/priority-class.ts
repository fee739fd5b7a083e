/**
 * The serving PriorityClass (components/lib/priority.ts), rendered by every platform provider.
 * scheduling.k8s.io/v1 PriorityClass: https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
 */
import { recommendedLabels } from "../lib/labels.ts";
import { SERVING_PRIORITY, SERVING_PRIORITY_CLASS } from "../lib/priority.ts";

export function renderServingPriorityClass(instance: string) {
  return {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: SERVING_PRIORITY_CLASS, labels: recommendedLabels({ name: "llmkit", instance, component: "platform" }) },
    value: SERVING_PRIORITY,
    // never the default for unlabelled pods: only serving asks for it
    globalDefault: false,
    // a serving replica may evict lower-priority (training) pods to get a GPU
    preemptionPolicy: "PreemptLowerPriority",
    description: "llmkit serving replicas: preempt training (which resumes from checkpoints) when GPUs are short",
  };
}
