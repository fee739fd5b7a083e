/**
 * What `npm run render` writes and prints for a run: one manifest per Kubernetes object,
 * resources.json, and a summary. Secrets are redacted everywhere.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RenderedObject, ResourceRecord } from "./harness.ts";
import { manifestFileName, manifestYaml } from "./manifests.ts";
import type { Verdict } from "./validate.ts";

/** Replaces `<out>/manifests` (stale files from an earlier render would mislead); returns the file names. */
export function writeManifests(objects: readonly RenderedObject[], outDir: string): string[] {
  const dir = join(outDir, "manifests");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const names = new Map<string, string>();
  for (const { manifest, resource } of objects) {
    const file = manifestFileName(manifest);
    const other = names.get(file);
    if (other !== undefined) throw new Error(`resources ${other} and ${resource.name} both render ${file}`);
    names.set(file, resource.name);
    writeFileSync(join(dir, file), manifestYaml(manifest));
  }
  return [...names.keys()].sort();
}

export function writeResources(resources: readonly ResourceRecord[], outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "resources.json"), `${JSON.stringify(resources, null, 2)}\n`);
}

/** `count  type` lines, sorted by type, then the validation tally. */
export function summaryLines(resources: readonly ResourceRecord[], verdicts: readonly Verdict[]): string[] {
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const width = String(Math.max(0, ...byType.values())).length;
  const lines = [...byType.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, n]) => `${String(n).padStart(width)}  ${t}`);
  const tally = (s: Verdict["status"]) => verdicts.filter((v) => v.status === s).length;
  lines.push(
    `${resources.length} resources; ${verdicts.length} Kubernetes objects: ${tally("valid")} valid, ${tally("invalid")} invalid, ` +
      `${tally("skipped")} skipped, ${tally("allowed")} allowed without schema`,
  );
  for (const v of verdicts.filter((x) => x.status === "skipped" || x.status === "allowed")) {
    lines.push(`note: ${v.object.apiVersion} ${v.object.kind} ${v.object.metadata?.name ?? ""}: ${v.status}: ${v.problems.join("; ")}`);
  }
  return lines;
}
