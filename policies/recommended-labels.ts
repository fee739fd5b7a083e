/**
 * recommended-labels (advisory): workloads, their pod templates and Services carry the
 * Kubernetes recommended labels `app.kubernetes.io/{name,instance,component,part-of,managed-by}`,
 * which dashboards, alerts and these policies select by. docs/architecture.md §6 "pods".
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
import { displayName, isKind, labelsOf, podTemplate } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

export const RECOMMENDED_LABELS = ["name", "instance", "component", "part-of", "managed-by"].map((l) => `app.kubernetes.io/${l}`);

function missing(labels: Record<string, string>): string[] {
  return RECOMMENDED_LABELS.filter((l) => labels[l] === undefined || labels[l] === "");
}

export const recommendedLabels: ResourcePolicy = {
  kind: "resource",
  name: "recommended-labels",
  description: "Workloads, pod templates and Services carry the app.kubernetes.io/* recommended labels.",
  check(type, inputs) {
    const pod = podTemplate(type, inputs);
    if (pod === undefined && !isKind(type, inputs, "", "Service")) return [];
    const who = displayName(type, inputs, "(unnamed)");
    const problems: string[] = [];
    const own = missing(labelsOf(inputs.metadata));
    if (own.length > 0) problems.push(`${who}: metadata.labels lack ${own.join(", ")}`);
    if (pod !== undefined && pod.kind !== "Pod") {
      const tpl = missing(labelsOf(pod.metadata));
      if (tpl.length > 0) problems.push(`${who}: pod template labels lack ${tpl.join(", ")}`);
    }
    return problems;
  },
};
