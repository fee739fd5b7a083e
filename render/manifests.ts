/**
 * Kubernetes objects out of registered resources: which resources are objects, the object each
 * one sends to the API server, and how render names and writes it.
 */
import { stringify } from "yaml";

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * `kubernetes:<group>/<version>:<Kind>` tokens of typed resources and CustomResources. Helm,
 * YAML and Kustomize tokens are components that expand into objects elsewhere; the provider's
 * token is `pulumi:providers:kubernetes`.
 */
const OBJECT_TOKEN = /^kubernetes:([^:]+)\/([^:/]+):([A-Za-z0-9]+)$/;
const COMPONENT_GROUPS = ["helm.sh", "yaml", "kustomize"];

export function isKubernetesObjectType(type: string): boolean {
  const m = OBJECT_TOKEN.exec(type);
  return m !== null && !COMPONENT_GROUPS.includes(m[1]!);
}

/** `core/v1` is the legacy core group, whose apiVersion is just `v1`. */
export function apiVersionOf(type: string): { apiVersion: string; kind: string } {
  const m = OBJECT_TOKEN.exec(type);
  if (m === null) throw new Error(`${type} is not a Kubernetes object type token`);
  const [, group, version, kind] = m;
  return { apiVersion: group === "core" ? version! : `${group}/${version}`, kind: kind! };
}

/**
 * The object as the provider sends it: the typed classes put apiVersion and kind into the inputs
 * (CustomResources carry their own); both must agree with the type token.
 */
export function toKubernetesObject(type: string, inputs: Record<string, unknown>): KubernetesObject {
  const { apiVersion, kind } = apiVersionOf(type);
  if ((inputs.apiVersion ?? apiVersion) !== apiVersion || (inputs.kind ?? kind) !== kind) {
    throw new Error(`${type}: inputs say ${String(inputs.apiVersion)} ${String(inputs.kind)}, the type token says ${apiVersion} ${kind}`);
  }
  return { ...inputs, apiVersion, kind };
}

/** Stable key order: apiVersion, kind, metadata, then the rest; nested keys sorted. */
export function canonical(object: KubernetesObject): KubernetesObject {
  const head = ["apiVersion", "kind", "metadata"].filter((k) => k in object);
  const rest = Object.keys(object).filter((k) => !head.includes(k)).sort();
  return Object.fromEntries([...head, ...rest].map((k) => [k, sortKeys(object[k])])) as KubernetesObject;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** Cluster-scoped objects have no namespace: they go to `_cluster.<kind>.<name>.yaml`. */
export function manifestFileName(object: KubernetesObject): string {
  const namespace = object.metadata?.namespace ?? "_cluster";
  const name = object.metadata?.name;
  if (name === undefined) throw new Error(`${object.apiVersion} ${object.kind} has no metadata.name`);
  return `${namespace}.${object.kind.toLowerCase()}.${name}.yaml`;
}

export function manifestYaml(object: KubernetesObject): string {
  return stringify(canonical(object), { lineWidth: 0 });
}

/** A short label for messages: `batch/v1 Job llmkit/chat-mirror`. */
export function describeObject(object: KubernetesObject): string {
  const ns = object.metadata?.namespace;
  return `${object.apiVersion} ${object.kind} ${ns === undefined ? "" : `${ns}/`}${object.metadata?.name ?? "(no name)"}`;
}
