/**
 * `npm run docs:config [-- --check]`: writes docs/stack.schema.json and the README's config
 * reference from config/schema.ts. With --check, exits 1 when either is out of date (CI runs it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { stackFileJsonSchema, withReference } from "../config/reference.ts";

const root = resolve(import.meta.dirname, "..");
const targets = [
  { file: resolve(root, "docs/stack.schema.json"), render: () => `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n` },
  { file: resolve(root, "README.md"), render: () => withReference(readFileSync(resolve(root, "README.md"), "utf8")) },
];

const check = process.argv.includes("--check");
let stale = 0;
for (const t of targets) {
  const next = t.render();
  let current = "";
  try {
    current = readFileSync(t.file, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current === next) continue;
  if (check) {
    console.error(`${t.file} is out of date: run npm run docs:config`);
    stale++;
  } else {
    writeFileSync(t.file, next);
    console.log(`wrote ${t.file}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
