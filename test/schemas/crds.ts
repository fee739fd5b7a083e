/**
 * Schemas for the kinds no npm model package covers at the pinned version: Envoy Gateway
 * (SecurityPolicy, BackendTrafficPolicy, ClientTrafficPolicy, EnvoyProxy) and the Gateway API
 * CRDs it bundles, read from the CRDs Envoy Gateway v1.9.0 ships
 * (../shared/contracts/crds/envoy-gateway-v1.9.0, see ../shared/contracts/README.md).
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
import { parseAllDocuments } from "yaml";

/** The shared contracts folder exists only in CI-like checkouts (../shared beside the repo). */
export const CRD_DIR = fileURLToPath(new URL("../../../shared/contracts/crds/envoy-gateway-v1.9.0/", import.meta.url));

/** Groups validated against these CRDs (and only these). */
export const CRD_GROUPS: readonly string[] = ["gateway.networking.k8s.io", "gateway.networking.x-k8s.io", "gateway.envoyproxy.io"];

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

let schemas: Map<string, Schema> | undefined;

function load(): Map<string, Schema> {
  const found = new Map<string, Schema>();
  for (const file of readdirSync(CRD_DIR).filter((f) => f.endsWith(".yaml")).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(CRD_DIR, file), "utf8"))) {
      const crd = doc.toJS() as CrdDoc | null;
      if (crd?.kind !== "CustomResourceDefinition" || crd.spec === undefined) continue;
      for (const v of crd.spec.versions) {
        const schema = v.schema?.openAPIV3Schema;
        if (schema !== undefined) found.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, schema);
      }
    }
  }
  return found;
}

// strict: false lets the Kubernetes `x-kubernetes-*` keywords through; formats are not checked.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();

/**
 * A validator for `apiVersion`/`kind`: undefined if the CRDs do not define it. Call only when
 * `existsSync(CRD_DIR)`.
 */
export function crdValidator(apiVersion: string, kind: string): ((object: unknown) => string[]) | undefined {
  const key = `${apiVersion}/${kind}`;
  schemas ??= load();
  const schema = schemas.get(key);
  if (schema === undefined) return undefined;
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajv.compile(closeObjects(schema));
    compiled.set(key, validate);
  }
  const fn = validate;
  return (object) =>
    fn(object)
      ? []
      : (fn.errors ?? []).map((e) =>
          e.keyword === "additionalProperties"
            ? `${e.instancePath || "/"}: unknown field "${String((e.params as { additionalProperty: string }).additionalProperty)}"`
            : `${e.instancePath || "/"}: ${e.message ?? e.keyword}`,
        );
}

export function crdsAvailable(): boolean {
  return existsSync(CRD_DIR);
}
