/**
 * Validates rendered Kubernetes objects against the upstream schema of the pinned version
 * (docs/architecture.md §7.3):
 * - built-in kinds: the kubernetes-models validator (types, enums, required fields) plus an
 *   unknown-field check against the model's interface (schemas/fields.ts);
 * - add-on kinds (Gateway API, Envoy Gateway, Karpenter, KEDA, Prometheus Operator): the CRDs the
 *   pinned releases ship, unknown fields refused (schemas/crds.ts); skipped with a note where
 *   ../shared is absent;
 * - any other kind fails, unless ALLOWED_WITHOUT_SCHEMA names it with a reason.
 */
import { describeObject, type KubernetesObject } from "./manifests.ts";
import { CRD_DIR, CRD_GROUPS, crdsAvailable, crdValidator } from "./schemas/crds.ts";
import { preloadInterfaces } from "./schemas/fields.ts";
import { findModel } from "./schemas/models.ts";

/** `<apiVersion> <Kind>` → why it is deployed without a schema to check it against. */
export const ALLOWED_WITHOUT_SCHEMA: Readonly<Record<string, string>> = {};

export type Status = "valid" | "invalid" | "skipped" | "allowed";

export interface Verdict {
  readonly object: KubernetesObject;
  readonly status: Status;
  /** What was wrong (invalid) or why it was not checked (skipped, allowed). */
  readonly problems: readonly string[];
  /** Where the schema came from. */
  readonly schema: string;
}

export interface ValidateOptions {
  readonly allowedWithoutSchema?: Readonly<Record<string, string>>;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

function verdict(object: KubernetesObject, schema: string, problems: string[]): Verdict {
  return { object, schema, status: problems.length === 0 ? "valid" : "invalid", problems };
}

/** CRD schemas leave metadata open: check it as the ObjectMeta of a built-in kind. */
async function metadataProblems(object: KubernetesObject): Promise<string[]> {
  const meta = await findModel("v1", "ConfigMap");
  const probe = { apiVersion: "v1", kind: "ConfigMap", metadata: object.metadata };
  return [...meta!.validate(probe), ...meta!.unknownFields(probe).map((p) => `${p}: unknown field`)];
}

async function validateAgainstCrd(object: KubernetesObject, opts: ValidateOptions): Promise<Verdict> {
  if (!crdsAvailable()) {
    return { object, schema: `CRD ${CRD_DIR}`, status: "skipped", problems: [`${CRD_DIR} is absent: add-on kinds (Gateway API, Envoy Gateway, Karpenter, KEDA, Prometheus Operator) are checked in CI only`] };
  }
  const crd = crdValidator(object.apiVersion, object.kind);
  if (crd === undefined) return noSchema(object, opts);
  return verdict(object, `CRD ${crd.file}`, [...crd.validate(object), ...(await metadataProblems(object))]);
}

function noSchema(object: KubernetesObject, opts: ValidateOptions): Verdict {
  const key = `${object.apiVersion} ${object.kind}`;
  const reason = (opts.allowedWithoutSchema ?? ALLOWED_WITHOUT_SCHEMA)[key];
  if (reason !== undefined) return { object, schema: "none", status: "allowed", problems: [reason] };
  return {
    object,
    schema: "none",
    status: "invalid",
    problems: [`no schema for ${key}: add its model or CRD, or allow-list it with a reason in ALLOWED_WITHOUT_SCHEMA (render/validate.ts)`],
  };
}

export async function validateObject(object: KubernetesObject, opts: ValidateOptions = {}): Promise<Verdict> {
  if (CRD_GROUPS.includes(groupOf(object.apiVersion))) return validateAgainstCrd(object, opts);
  const model = await findModel(object.apiVersion, object.kind);
  if (model === undefined) return noSchema(object, opts);
  return verdict(object, model.source, [...model.validate(object), ...model.unknownFields(object).map((p) => `${p}: unknown field`)]);
}

export async function validateObjects(objects: readonly KubernetesObject[], opts: ValidateOptions = {}): Promise<Verdict[]> {
  const models = await Promise.all([...objects, { apiVersion: "v1", kind: "ConfigMap" }].map((o) => findModel(o.apiVersion, o.kind)));
  preloadInterfaces(models.flatMap((m) => (m === undefined ? [] : [m.dts])));
  const out: Verdict[] = [];
  for (const object of objects) out.push(await validateObject(object, opts));
  return out;
}

/** One line per problem: `batch/v1 Job llmkit/x: .spec.foo: unknown field`. */
export function formatVerdict(v: Verdict): string[] {
  return v.problems.map((p) => `${describeObject(v.object)}: ${p}`);
}
