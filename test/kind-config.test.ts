/**
 * docs/kind-local.yaml, the kind cluster README's "Local quick start" creates: one node of the
 * Kubernetes minor the kit pins, pinned by digest, named so the context is kind-llmkit; and the
 * cluster lane's stand-in for it is that node.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadStackFile } from "../config/load.ts";
import { KIND_NODE, kindAllocatable } from "../e2e/cluster/nodes.ts";

const ROOT = join(import.meta.dirname, "..");
const kind = parse(readFileSync(join(ROOT, "docs/kind-local.yaml"), "utf8"));

describe("docs/kind-local.yaml", () => {
  it("is a v1alpha4 Cluster named llmkit with one control-plane node", () => {
    expect(Object.keys(kind).sort()).toEqual(["apiVersion", "kind", "name", "nodes"]);
    expect([kind.kind, kind.apiVersion, kind.name]).toEqual(["Cluster", "kind.x-k8s.io/v1alpha4", "llmkit"]);
    expect(kind.nodes.map((n: { role: string }) => n.role)).toEqual(["control-plane"]);
  });

  it("pins the node image by digest to the Kubernetes minor of the platform stacks and the cluster lane", () => {
    const image = kind.nodes[0].image as string;
    const m = /^kindest\/node:v(\d+\.\d+)\.\d+@sha256:[0-9a-f]{64}$/.exec(image);
    expect(m, image).not.toBeNull();
    const lane = /^k8s_version=v(\d+\.\d+)\.\d+$/m.exec(readFileSync(join(ROOT, "e2e/cluster/build.sh"), "utf8"));
    expect(m![1]).toBe(lane![1]);
    for (const stack of ["platform-dev", "platform-prod"]) {
      const platform = loadStackFile(stack).platform;
      expect(platform.provider === "aws" && platform.cluster.kubernetesVersion).toBe(m![1]);
    }
  });

  it("the lane's node has the documented size, less kind's own pods", () => {
    expect(KIND_NODE).toEqual({ vcpu: 4, memoryGiB: 12, diskGiB: 60 });
    expect(kindAllocatable()).toEqual({ cpuMilli: 3050, memoryMiB: 12 * 1024 - 290 - 100 });
  });
});
