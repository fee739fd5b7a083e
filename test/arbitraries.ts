/**
 * fast-check generators of stack configs: a shipped stack with random edits at random paths, so
 * generated configs sit on the boundary between valid and invalid where bugs live.
 */
import fc from "fast-check";
import { readStackFile } from "../config/load.ts";

type Path = (string | number)[];

function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return [path, ...value.flatMap((v, i) => leafPaths(v, [...path, i]))];
  if (typeof value === "object" && value !== null) {
    return [path, ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]))];
  }
  return [path];
}

function setAt(root: Record<string, unknown>, path: Path, value: unknown): void {
  if (path.length === 0) return;
  let node: any = root;
  for (const seg of path.slice(0, -1)) {
    if (typeof node !== "object" || node === null) return;
    node = node[seg];
  }
  if (typeof node === "object" && node !== null) node[path[path.length - 1]!] = value;
}

function deleteAt(root: Record<string, unknown>, path: Path): void {
  if (path.length === 0) return;
  let node: any = root;
  for (const seg of path.slice(0, -1)) node = node?.[seg];
  if (Array.isArray(node)) node.splice(Number(path[path.length - 1]), 1);
  else if (typeof node === "object" && node !== null) delete node[path[path.length - 1]!];
}

/** Values a user might plausibly type, valid somewhere or not. */
const plausible = fc.oneof(
  fc.constantFrom("cpu", "gpu", "qwen2-5-0-5b", "support-bot", "lora", "qlora", "ms-swift", "prod", "dev", "main", "", "UPPER", "datasets/x.jsonl"),
  fc.constantFrom(0, 1, 2, 4, 8, -1, 0.5, 1e9, 512, 513),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 2 }),
);

const edit = (paths: Path[]) =>
  fc.oneof(
    fc.record({ op: fc.constant("set" as const), path: fc.constantFrom(...paths), value: plausible }),
    fc.record({ op: fc.constant("delete" as const), path: fc.constantFrom(...paths) }),
    fc.record({ op: fc.constant("add" as const), path: fc.constantFrom(...paths), key: fc.string({ maxLength: 8 }), value: plausible }),
  );

/** A shipped stack's llmkit config with 1–4 random edits. */
export function editedStackConfig(stack: string): fc.Arbitrary<Record<string, unknown>> {
  const base = readStackFile(stack);
  const paths = leafPaths(base);
  return fc.array(edit(paths), { minLength: 1, maxLength: 4 }).map((edits) => {
    const raw = structuredClone(base);
    for (const e of edits) {
      if (e.op === "set") setAt(raw, e.path, structuredClone(e.value));
      else if (e.op === "delete") deleteAt(raw, e.path);
      else setAt(raw, [...e.path, e.key], structuredClone(e.value));
    }
    return raw;
  });
}
