/**
 * jobs-bounded: every Job (and CronJob template) sets `activeDeadlineSeconds` and `backoffLimit`
 * explicitly, so a stuck or crash-looping run stops costing GPU hours. docs/architecture.md §6 "training".
 */
import { groupKind, num, obj, str, type Obj } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

/** The Job spec of a Job or a CronJob, or undefined. */
export function jobSpec(type: string, inputs: Obj): { spec: Obj; who: string } | undefined {
  const gk = groupKind(type, inputs);
  if (gk?.group !== "batch") return undefined;
  const name = str(obj(inputs.metadata).name) ?? "(unnamed)";
  if (gk.kind === "Job") return { spec: obj(inputs.spec), who: `Job ${name}` };
  if (gk.kind === "CronJob") return { spec: obj(obj(obj(inputs.spec).jobTemplate).spec), who: `CronJob ${name}` };
  return undefined;
}

export const jobsBounded: ResourcePolicy = {
  kind: "resource",
  name: "jobs-bounded",
  description: "Jobs set activeDeadlineSeconds (> 0) and an explicit backoffLimit.",
  check(type, inputs) {
    const job = jobSpec(type, inputs);
    if (job === undefined) return [];
    const problems: string[] = [];
    const deadline = num(job.spec.activeDeadlineSeconds);
    if (deadline === undefined || deadline <= 0) problems.push(`${job.who}: spec.activeDeadlineSeconds is not set: a stuck run is never stopped`);
    if (num(job.spec.backoffLimit) === undefined) problems.push(`${job.who}: spec.backoffLimit is not set (Kubernetes defaults to 6 retries)`);
    return problems;
  },
};
