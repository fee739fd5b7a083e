import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveFineTune, type EffectiveFineTune } from "./defaults.ts";
import { canonicalJson, runId } from "./run-id.ts";
import { qloraSwift, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const IMAGE = "hiyouga/llamafactory:0.9.5";
const SWIFT_IMAGE = "modelscope:swift4.5.3";
const base = resolveFineTune(seedLora);

/** Rebuilds an object with its keys in a random order, at every level. */
function shuffleKeys(value: unknown, order: number[]): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, order));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  const keyed = entries.map((e, i) => ({ e, k: order[i % order.length]! * 1000 + i }));
  keyed.sort((a, b) => a.k - b.k);
  return Object.fromEntries(keyed.map(({ e: [k, v] }) => [k, shuffleKeys(v, order)]));
}

/** Every leaf path of a JSON value. */
function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

function setPath(obj: any, path: (string | number)[], v: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) cur = cur[key];
  cur[path[path.length - 1]!] = v;
}

function getPath(obj: any, path: (string | number)[]): unknown {
  return path.reduce((cur, key) => cur[key], obj);
}

describe("runId", () => {
  it("is 12 lower-case hex characters and stable for the seed spec", () => {
    const id = runId(base, qwen7b, IMAGE);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(runId(resolveFineTune(structuredClone(seedLora)), structuredClone(qwen7b), IMAGE)).toBe(id);
  });

  it("does not depend on key order", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 20 }), (order) => {
        const shuffled = shuffleKeys(base, order) as EffectiveFineTune;
        expect(runId(shuffled, qwen7b, IMAGE)).toBe(runId(base, qwen7b, IMAGE));
      }),
    );
  });

  it("changes when any field of the effective spec changes", () => {
    const paths = leafPaths(base);
    expect(paths.length).toBeGreaterThan(25);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), (path, v) => {
        fc.pre(!Object.is(getPath(base, path), v) && getPath(base, path) !== v);
        const changed = structuredClone(base) as any;
        setPath(changed, path, v);
        expect(runId(changed, qwen7b, IMAGE)).not.toBe(runId(base, qwen7b, IMAGE));
      }),
    );
  });

  it("changes with the model's hub, repo or revision and with the engine image", () => {
    const id = runId(base, qwen7b, IMAGE);
    expect(runId(base, { ...qwen7b, revision: "0".repeat(40) }, IMAGE)).not.toBe(id);
    expect(runId(base, { ...qwen7b, repo: "Qwen/Qwen2.5-7B" }, IMAGE)).not.toBe(id);
    expect(runId(base, { ...qwen7b, hub: "modelscope" }, IMAGE)).not.toBe(id);
    expect(runId(base, qwen7b, "hiyouga/llamafactory:0.9.4")).not.toBe(id);
  });

  it("hashes ms-swift's model type for ms-swift runs only: an override is a new run, the catalog's own value is not", () => {
    const swift = resolveFineTune(qloraSwift);
    const id = runId(swift, qwen7b, SWIFT_IMAGE);
    expect(runId(swift, { ...qwen7b, msSwiftModelType: "qwen2" }, SWIFT_IMAGE)).toBe(id);
    expect(runId(swift, { ...qwen7b, msSwiftModelType: "qwen2_gte" }, SWIFT_IMAGE)).not.toBe(id);
    expect(runId(base, { ...qwen7b, msSwiftModelType: "qwen2_gte" }, IMAGE)).toBe(runId(base, qwen7b, IMAGE));
  });

  it("ignores model fields that do not change the weights", () => {
    const id = runId(base, qwen7b, IMAGE);
    expect(runId(base, { ...qwen7b, name: "other", sizeGiB: 99, tokenSecret: { name: "hf", key: "token" } }, IMAGE)).toBe(id);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: [2, { d: 1, c: null }], a: "x" })).toBe('{"a":"x","b":[2,{"c":null,"d":1}]}');
  });

  it("refuses values JSON cannot represent", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow("non-finite");
    expect(() => canonicalJson(undefined)).toThrow("resolve defaults first");
  });
});
