/**
 * Reading Kubernetes objects out of Pulumi resource inputs, whatever form registered them:
 * typed resources (`kubernetes:apps/v1:Deployment`), CRD-typed resources
 * (`kubernetes:karpenter.sh/v1:NodePool`) and generic `kubernetes:apiextensions.k8s.io/v1:CustomResource`
 * (whose inputs carry `apiVersion`/`kind`). Every accessor tolerates missing properties.
 */

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Numbers, or numeric strings (quantities like "12" arrive either way). */
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

export interface GroupKind {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

const TOKEN = /^kubernetes:([^:]+)\/([^/:]+):([A-Za-z0-9]+)$/;
const GENERIC_TOKENS = new Set(["apiextensions.k8s.io/v1:CustomResource"]);

/** Group, version and kind of a Kubernetes resource; undefined for anything else (helm, yaml, providers). */
export function groupKind(type: string, inputs: Obj): GroupKind | undefined {
  if (!type.startsWith("kubernetes:")) return undefined;
  const apiVersion = str(inputs.apiVersion);
  const kind = str(inputs.kind);
  const generic = GENERIC_TOKENS.has(type.slice("kubernetes:".length));
  if (apiVersion !== undefined && kind !== undefined) {
    const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/", 2) as [string, string]) : ["", apiVersion];
    return { group, version, kind };
  }
  if (generic) return undefined;
  const m = TOKEN.exec(type);
  if (m === null) return undefined;
  const [, g, version, kind2] = m as unknown as [string, string, string, string];
  if (g === "helm.sh" || g === "yaml" || g === "kustomize") return undefined;
  return { group: g === "core" ? "" : g, version, kind: kind2 };
}

export function isKind(type: string, inputs: Obj, group: string, kind: string): boolean {
  const gk = groupKind(type, inputs);
  return gk !== undefined && gk.group === group && gk.kind === kind;
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"] as const;

/** The pod template (metadata + spec) of a workload, or undefined if this is not a workload. */
export function podTemplate(type: string, inputs: Obj): { metadata: Obj; spec: Obj; kind: string } | undefined {
  const gk = groupKind(type, inputs);
  if (gk === undefined) return undefined;
  const spec = obj(inputs.spec);
  if (gk.group === "" && gk.kind === "Pod") return { metadata: obj(inputs.metadata), spec, kind: gk.kind };
  if (gk.group === "batch" && gk.kind === "CronJob") {
    const t = obj(obj(obj(spec.jobTemplate).spec).template);
    return { metadata: obj(t.metadata), spec: obj(t.spec), kind: gk.kind };
  }
  const isWorkload =
    (gk.group === "apps" && ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(gk.kind)) ||
    (gk.group === "batch" && gk.kind === "Job");
  if (!isWorkload) return undefined;
  const t = obj(spec.template);
  return { metadata: obj(t.metadata), spec: obj(t.spec), kind: gk.kind };
}

export interface Container {
  readonly name: string;
  /** "containers", "initContainers" or "ephemeralContainers". */
  readonly list: string;
  readonly raw: Obj;
}

export function containers(podSpec: Obj): Container[] {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((list) =>
    arr(podSpec[list]).map((c, i) => ({ name: str(obj(c).name) ?? `${list}[${i}]`, list, raw: obj(c) })),
  );
}

export function labelsOf(metadata: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(obj(metadata).labels))) if (typeof v === "string") out[k] = v;
  return out;
}

/** True when every matchLabels pair is in `labels` (matchExpressions are not evaluated: no match). */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const s = obj(selector);
  if (arr(s.matchExpressions).length > 0) return false;
  const match = Object.entries(obj(s.matchLabels));
  return match.length > 0 && match.every(([k, v]) => labels[k] === v);
}

export function namespaceOf(inputs: Obj): string {
  return str(obj(inputs.metadata).namespace) ?? "default";
}

export function displayName(type: string, inputs: Obj, fallback: string): string {
  const gk = groupKind(type, inputs);
  const name = str(obj(inputs.metadata).name) ?? fallback;
  return gk === undefined ? fallback : `${gk.kind} ${name}`;
}
