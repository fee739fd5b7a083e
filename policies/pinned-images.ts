/**
 * pinned-images: every container image is pinned by a tag other than `latest` or by digest, every
 * Helm release pins its chart version, and no Helm value sets an image tag `latest`. docs/architecture.md §5:
 * nothing resolves at deploy time.
 */
import { containers, displayName, isObj, podTemplate, str, type Obj } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"]);

/** Why an image reference is not pinned, or undefined when it is. */
export function imageProblem(image: unknown): string | undefined {
  if (typeof image !== "string" || image.trim() === "") return "has no image";
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const last = image.slice(image.lastIndexOf("/") + 1);
  const colon = last.lastIndexOf(":");
  if (colon < 0) return `image "${image}" has no tag (resolves to latest)`;
  const tag = last.slice(colon + 1);
  if (tag === "" || tag.toLowerCase() === "latest") return `image "${image}" uses the mutable tag "latest"`;
  return undefined;
}

/** Paths in Helm values that set a `latest` image tag. */
export function latestInValues(values: unknown, path = "values"): string[] {
  if (Array.isArray(values)) return values.flatMap((v, i) => latestInValues(v, `${path}[${i}]`));
  if (!isObj(values)) return [];
  const found: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const p = `${path}.${k}`;
    if (typeof v === "string" && k === "tag" && v.toLowerCase() === "latest") found.push(p);
    else if (typeof v === "string" && k === "image" && /:latest$/i.test(v)) found.push(p);
    else found.push(...latestInValues(v, p));
  }
  return found;
}

function helmProblems(inputs: Obj): string[] {
  const chart = str(inputs.chart) ?? "(chart)";
  const problems: string[] = [];
  const local = chart.startsWith(".") || chart.startsWith("/");
  const version = str(inputs.version);
  if (!local && (version === undefined || version.trim() === "" || version === "latest" || /[*^~x]|>=?|<=?/.test(version))) {
    problems.push(`Helm chart ${chart}: version ${version === undefined ? "is not set" : `"${version}" is not exact`}: pin it in charts/`);
  }
  for (const p of latestInValues(inputs.values)) problems.push(`Helm chart ${chart}: ${p} sets the image tag "latest"`);
  return problems;
}

export const pinnedImages: ResourcePolicy = {
  kind: "resource",
  name: "pinned-images",
  description: "Container images pinned by a non-latest tag or digest; Helm charts pinned to an exact version with no latest image tags in values.",
  check(type, inputs) {
    if (HELM_TYPES.has(type)) return helmProblems(inputs);
    const pod = podTemplate(type, inputs);
    if (pod === undefined) return [];
    const who = displayName(type, inputs, "(unnamed)");
    return containers(pod.spec).flatMap((c) => {
      const p = imageProblem(c.raw.image);
      return p === undefined ? [] : [`${who}: container ${c.name} ${p}`];
    });
  },
};
