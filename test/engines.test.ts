/**
 * The Node.js requirement package.json and README state must be one every installed package
 * accepts: a dependency whose `engines.node` excludes it would install with a warning and may fail
 * at run time on exactly the machines the README promises.
 */
import { readFileSync } from "node:fs";
import { minVersion, satisfies } from "semver";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } | string[] }>;
};

describe("the Node.js requirement", () => {
  const oldest = minVersion(pkg.engines.node)!.version;

  it("is accepted by every package the lock file installs", () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, p]) => {
      const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
      return path !== "" && !p.optional && range !== undefined && !satisfies(oldest, range) ? [`${path}@${p.version}: node ${range}`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it("is the one README states", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain(`Requirements: Node.js ≥ ${oldest.replace(/\.0$/, "")} and npm.`);
  });
});
