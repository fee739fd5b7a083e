// Writes package.json and package-lock.json of a project that depends on the packed llmkit tarball,
// with every dependency at the version this repository's package-lock.json locks: `npm ci` there
// then installs what a fresh clone's `npm ci` installs, minus the dev tree and the files `npm pack`
// leaves out. Usage: tsx consumer-lock.ts <repo package-lock.json> <tarball file name> <project dir>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface LockEntry {
  version?: string;
  license?: string;
  dev?: boolean;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

const [lockPath, tarball, dir] = process.argv.slice(2) as [string, string, string];
const lock = JSON.parse(readFileSync(lockPath, "utf8")) as { packages: Record<string, LockEntry> };
const root = lock.packages[""]!;
const spec = `file:${tarball}`;

const packages: Record<string, LockEntry & { name?: string; resolved?: string }> = {
  "": { name: "llmkit-consumer", version: "0.0.0", dependencies: { llmkit: spec } },
  "node_modules/llmkit": {
    version: root.version,
    resolved: spec,
    license: root.license,
    dependencies: root.dependencies,
    bin: root.bin,
    engines: root.engines,
  },
};
// the repo's own tree, hoisted the same way; entries only devDependencies need keep `dev: true`
for (const [path, entry] of Object.entries(lock.packages)) if (path !== "") packages[path] = entry;

writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "llmkit-consumer", version: "0.0.0", private: true, type: "module", dependencies: { llmkit: spec } }, null, 2)}\n`);
writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify({ name: "llmkit-consumer", version: "0.0.0", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
