/**
 * Schemas of the built-in kinds from kubernetes-models (the Kubernetes OpenAPI, compiled; 4.5.1,
 * the newest release that runs on Node 20 — 5.x declares Node ≥ 22). A model is a class per kind
 * with `.validate()`, beside a `.d.ts` whose interface `I<Kind>` lists the fields (see fields.ts).
 * Add-on kinds are checked against their upstream CRDs instead (crds.ts); the real API server of
 * the pinned Kubernetes minor checks everything in the cluster lane (e2e/cluster).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unknownFields } from "./fields.ts";

/** Built-in groups: the legacy core group ("v1"), un-dotted groups (apps, batch) and *.k8s.io. */
function isBuiltInGroup(group: string): boolean {
  return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

export interface Model {
  /** The package subpath the class came from, e.g. `kubernetes-models/batch/v1/Job`. */
  readonly source: string;
  /** The `.d.ts` file declaring the kind's interface. */
  readonly dts: string;
  /** Problems the compiled validator reports (types, enums, required fields). */
  validate(object: unknown): string[];
  /** Fields the schema does not declare. */
  unknownFields(object: unknown): string[];
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

const NODE_MODULES = fileURLToPath(new URL("../../node_modules/", import.meta.url));

function specifier(apiVersion: string, kind: string): string | undefined {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return isBuiltInGroup(group) ? `kubernetes-models/${apiVersion}/${kind}` : undefined;
}

const cache = new Map<string, Model | undefined>();

/** The model for an apiVersion/kind, or undefined if no installed package has one. */
export async function findModel(apiVersion: string, kind: string): Promise<Model | undefined> {
  const source = specifier(apiVersion, kind);
  if (source === undefined) return undefined;
  if (cache.has(source)) return cache.get(source);
  // Each package maps `<apiVersion>/<Kind>` to `<apiVersion>/<Kind>.js` beside its `.d.ts`.
  const js = join(NODE_MODULES, `${source}.js`);
  const cls = existsSync(js) ? ((await import(source)) as Record<string, ModelClass | undefined>)[kind] : undefined;
  const dts = js.replace(/\.js$/, ".d.ts");
  const model: Model | undefined =
    cls === undefined
      ? undefined
      : {
          source,
          dts,
          validate: (object) => {
            try {
              new cls(object).validate();
              return [];
            } catch (err) {
              return [(err as Error).message];
            }
          },
          unknownFields: (object) => unknownFields(dts, `I${kind}`, object),
        };
  cache.set(source, model);
  return model;
}
