/**
 * Kueue and capacity-type placement of a training Job.
 *
 * Kueue: the LocalQueue goes in the Job label `kueue.x-k8s.io/queue-name` and the
 * WorkloadPriorityClass in `kueue.x-k8s.io/priority-class` (kubernetes-sigs/kueue
 * pkg/controller/constants/constants.go QueueLabel, WorkloadPriorityClassLabel; the priority
 * label stays mutable). Kueue's mutating webhook suspends a Job that carries a queue name
 * (kubernetes-sigs/kueue pkg/controller/jobframework/defaults.go ApplyDefaultForSuspend) and
 * unsuspends it on admission, so the Job is rendered WITHOUT `suspend`: with server-side apply,
 * Pulumi then never owns the field and a later `pulumi up` cannot re-suspend an admitted, running
 * Job. Jobs carry `pulumi.com/skipAwait`, so Pulumi never waits on a queued Job either.
 *
 * Spot: Karpenter labels every node with `karpenter.sh/capacity-type` (spot | on-demand |
 * reserved; sigs.k8s.io/karpenter pkg/apis/v1/labels.go CapacityTypeLabelKey); a node selector on
 * it keeps the pod on that capacity within the pool (config/rules.ts checks the pool offers it).
 */
import type { EffectiveFineTune } from "./defaults.ts";

export const KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
export const KUEUE_PRIORITY_LABEL = "kueue.x-k8s.io/priority-class";
export const CAPACITY_TYPE_LABEL = "karpenter.sh/capacity-type";

export function kueueLabels(ft: EffectiveFineTune): Record<string, string> {
  return {
    ...(ft.queue !== undefined ? { [KUEUE_QUEUE_LABEL]: ft.queue } : {}),
    ...(ft.priority !== undefined ? { [KUEUE_PRIORITY_LABEL]: ft.priority } : {}),
  };
}

export function capacitySelector(ft: EffectiveFineTune): Record<string, string> {
  return ft.spot === undefined ? {} : { [CAPACITY_TYPE_LABEL]: ft.spot ? "spot" : "on-demand" };
}
