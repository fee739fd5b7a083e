/**
 * Image overrides (`fineTunes[].image`, `serving[].image`, components/lib/inputs.ts) in env prod:
 * a tag can be pushed again with other contents, a digest cannot, so prod pins the digest too
 * (docs/architecture.md §5: nothing resolves at deploy time). The pinned images in
 * components/lib/versions.ts are the kit's own and reviewed with it.
 */
import type { Problem } from "./rules.ts";
import type { ParsedStackConfig } from "./schema.ts";

export function imageRuleProblems(cfg: ParsedStackConfig): Problem[] {
  if (cfg.env !== "prod") return [];
  const problems: Problem[] = [];
  for (const area of ["fineTunes", "serving"] as const) {
    cfg[area].forEach((entry, i) => {
      const image = entry.image;
      if (image === undefined || image.digest !== undefined) return;
      problems.push({
        path: [area, i, "image", "digest"],
        message: `is required in env prod (a tag can be pushed again, a digest cannot): add digest: sha256:<64 hex>, as \`docker buildx imagetools inspect ${image.repository}:${image.tag}\` prints it`,
      });
    });
  }
  return problems;
}
