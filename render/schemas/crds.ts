/**
 * Schemas of the add-on kinds, read from the CRDs the pinned add-on releases ship
 * (../shared/contracts/crds/: Envoy Gateway v1.9.0 with its Gateway API v1.6.1 bundle, Karpenter
 * v1.12.1, KEDA v2.20.2, Prometheus Operator v0.93.0 — the versions charts/index.ts pins).
 * They are checked in CI only: users' clones have no ../shared, and the validator then skips
 * these kinds with a note.
 *
 * The CRD `openAPIV3Schema` is compiled with ajv after one change: every object schema that
 * lists `properties` and neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`
 * gets `additionalProperties: false`, because the API server prunes (drops) unknown fields of
 * structural schemas, so a misspelt field would silently do nothing. CEL rules
 * (`x-kubernetes-validations`) and formats are not evaluated.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { RE2JS } from "re2js";
import { parseAllDocuments } from "yaml";

/** The shared contracts folder exists only in CI-like checkouts (../shared beside the repo). */
export const CRD_DIR = fileURLToPath(new URL("../../../shared/contracts/crds/", import.meta.url));

/** Groups validated against these CRDs (and only these): known up front, so a missing folder is a skip. */
export const CRD_GROUPS: readonly string[] = [
  "gateway.networking.k8s.io",
  "gateway.networking.x-k8s.io",
  "gateway.envoyproxy.io",
  "karpenter.sh",
  "karpenter.k8s.aws",
  "keda.sh",
  "eventing.keda.sh",
  "monitoring.coreos.com",
];

type Schema = Record<string, unknown>;

/** Structural positions only: properties, items, additionalProperties (not allOf/anyOf/oneOf). */
export function closeObjects(schema: Schema): Schema {
  const out: Schema = { ...schema };
  const props = schema.properties as Record<string, Schema> | undefined;
  if (props !== undefined) {
    out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, closeObjects(v)]));
    if (schema.additionalProperties === undefined && schema["x-kubernetes-preserve-unknown-fields"] !== true) {
      out.additionalProperties = false;
    }
  }
  if (typeof schema.items === "object" && schema.items !== null) out.items = closeObjects(schema.items as Schema);
  if (typeof schema.additionalProperties === "object" && schema.additionalProperties !== null) {
    out.additionalProperties = closeObjects(schema.additionalProperties as Schema);
  }
  return out;
}

interface CrdDoc {
  kind?: string;
  spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: Schema } }[] };
}

interface CrdSchema {
  /** The CRD file under CRD_DIR, e.g. `keda-v2.20.2/keda.sh_scaledobjects.yaml`. */
  readonly file: string;
  readonly schema: Schema;
}

let schemas: Map<string, CrdSchema> | undefined;

function load(): Map<string, CrdSchema> {
  const found = new Map<string, CrdSchema>();
  const files = readdirSync(CRD_DIR, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml")).sort();
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(CRD_DIR, file), "utf8"))) {
      const crd = doc.toJS() as CrdDoc | null;
      if (crd?.kind !== "CustomResourceDefinition" || crd.spec === undefined) continue;
      for (const v of crd.spec.versions) {
        const schema = v.schema?.openAPIV3Schema;
        if (schema !== undefined) found.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { file, schema });
      }
    }
  }
  return found;
}

/**
 * CRD `pattern`s are Go regular expressions (RE2: the API server compiles them with Go's regexp,
 * kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/validation), e.g.
 * Prometheus Operator's `^(?i)(abort|warn)?$`, which JavaScript's RegExp rejects: match them with
 * the RE2 port re2js. Like JSON Schema, a pattern matches anywhere unless anchored.
 */
function re2(pattern: string): { test: (s: string) => boolean; toString: () => string } {
  const compiled = RE2JS.compile(pattern);
  // ajv caches compiled patterns by toString(): it must be the pattern itself
  return { test: (s) => compiled.matcher(s).find(), toString: () => pattern };
}

// strict: false lets the Kubernetes `x-kubernetes-*` keywords through; formats are not checked.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: re2 as never } });
const compiled = new Map<string, ValidateFunction>();

export interface CrdValidator {
  /** The CRD file the schema came from, relative to CRD_DIR. */
  readonly file: string;
  readonly validate: (object: unknown) => string[];
}

/**
 * A validator for `apiVersion`/`kind`: undefined if the CRDs do not define it. Call only when
 * `existsSync(CRD_DIR)`.
 */
export function crdValidator(apiVersion: string, kind: string): CrdValidator | undefined {
  const key = `${apiVersion}/${kind}`;
  schemas ??= load();
  const crd = schemas.get(key);
  if (crd === undefined) return undefined;
  let fn = compiled.get(key);
  if (fn === undefined) {
    fn = ajv.compile(closeObjects(crd.schema));
    compiled.set(key, fn);
  }
  const check = fn;
  const validate = (object: unknown): string[] =>
    check(object)
      ? []
      : (check.errors ?? []).map((e) =>
          e.keyword === "additionalProperties"
            ? `${e.instancePath || "/"}: unknown field "${String((e.params as { additionalProperty: string }).additionalProperty)}"`
            : `${e.instancePath || "/"}: ${e.message ?? e.keyword}`,
        );
  return { file: crd.file, validate };
}

export function crdsAvailable(): boolean {
  return existsSync(CRD_DIR);
}
