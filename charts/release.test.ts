import { describe, expect, it } from "vitest";
import { CHARTS } from "./index.ts";
import { mergeValues, releaseArgs } from "./release.ts";

describe("mergeValues", () => {
  it("merges maps deeply, replaces lists and scalars, sorts keys and leaves its inputs alone", () => {
    const base = { z: 1, a: { y: [1, 2], x: { k: "v" } } };
    const over = { a: { y: [3], x: { j: "w" } }, b: null };
    expect(JSON.stringify(mergeValues(base, over))).toBe(JSON.stringify({ a: { x: { j: "w", k: "v" }, y: [3] }, b: null, z: 1 }));
    expect(base).toEqual({ z: 1, a: { y: [1, 2], x: { k: "v" } } });
    expect(over).toEqual({ a: { y: [3], x: { j: "w" } }, b: null });
  });
});

describe("releaseArgs", () => {
  it("references an oci:// chart whole and a classic repository through repositoryOpts", () => {
    expect(releaseArgs("karpenterCrd", "karpenter-crd", {}).chart).toBe(`${CHARTS.karpenterCrd.repo}/karpenter-crd`);
    expect(releaseArgs("keda", "keda", {})).toMatchObject({ chart: "keda", repositoryOpts: { repo: CHARTS.keda.repo } });
    expect(releaseArgs("karpenterCrd", "karpenter-crd", {})).not.toHaveProperty("repositoryOpts");
  });

  it("takes the timeout and CRD handling as options", () => {
    expect(releaseArgs("keda", "keda", {}, { timeout: 600, skipCrds: true })).toMatchObject({ timeout: 600, skipCrds: true });
  });
});
