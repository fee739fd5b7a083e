/**
 * PriorityClasses the platform creates and workloads name (docs/architecture.md §6). Cluster-scoped, so the
 * platform layer owns them: one platform stack per cluster, whatever number of workloads stacks.
 */

/**
 * Serving pods outrank training pods (which carry no class, priority 0): when GPU capacity is
 * short the scheduler preempts a training pod for a serving replica. Training resumes from its
 * last checkpoint after preemption (docs/architecture.md §6), an endpoint has no such recovery.
 */
export const SERVING_PRIORITY_CLASS = "llmkit-serving";
/** Above every default (0), far below system-cluster-critical (2000000000) and the 1e9 user maximum. */
export const SERVING_PRIORITY = 100000;
