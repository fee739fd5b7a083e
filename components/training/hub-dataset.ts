/**
 * Where a mirrored hub dataset lives in the store (DESIGN.md §1: nothing reads a hub at run time).
 * Pure and dependency-free so the stack schema can resolve `{dataset, file}` references with it.
 */

/** `datasets/<hub repo>/<revision>/`: one immutable copy of a hub dataset per pinned revision. */
export function hubDatasetPrefix(repo: string, revision: string): string {
  return `datasets/${repo}/${revision}/`;
}
