/**
 * jobs-ttl: every Job sets `ttlSecondsAfterFinished`, so finished Jobs and their pods (and logs
 * pinned to GPU nodes' disks) are cleaned up. Kept apart from jobs-bounded because some Jobs are
 * deliberately kept (see enforcement/dev.yaml).
 */
import { jobSpec } from "./jobs-bounded.ts";
import { num } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

export const jobsTtl: ResourcePolicy = {
  kind: "resource",
  name: "jobs-ttl",
  description: "Jobs set ttlSecondsAfterFinished.",
  check(type, inputs) {
    const job = jobSpec(type, inputs);
    if (job === undefined) return [];
    const ttl = num(job.spec.ttlSecondsAfterFinished);
    return ttl === undefined || ttl < 0 ? [`${job.who}: spec.ttlSecondsAfterFinished is not set: finished Jobs and pods are never cleaned up`] : [];
  },
};
