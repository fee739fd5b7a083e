/**
 * no-privilege-escalation: every container, init container and ephemeral container sets
 * `securityContext.allowPrivilegeEscalation: false` (and is not privileged). docs/architecture.md §6 "pods".
 */
import { containers, displayName, obj, podTemplate } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

export const noPrivilegeEscalation: ResourcePolicy = {
  kind: "resource",
  name: "no-privilege-escalation",
  description: "Containers set securityContext.allowPrivilegeEscalation: false and are not privileged.",
  check(type, inputs) {
    const pod = podTemplate(type, inputs);
    if (pod === undefined) return [];
    const who = displayName(type, inputs, "(unnamed)");
    return containers(pod.spec).flatMap((c) => {
      const sc = obj(c.raw.securityContext);
      const out: string[] = [];
      if (sc.allowPrivilegeEscalation !== false) out.push(`${who}: container ${c.name} does not set securityContext.allowPrivilegeEscalation: false`);
      if (sc.privileged === true) out.push(`${who}: container ${c.name} is privileged`);
      return out;
    });
  },
};
