/** Warnings render prints about the serving layer as a whole (config/preflight.ts). */
import { describe, expect, it } from "vitest";
import { platformContract } from "../components/platform/contract.ts";
import { change, local, type Raw } from "../test/bad-configs.ts";
import { loadStack, readStackFile } from "./load.ts";
import { preflightWarnings } from "./preflight.ts";

describe("serving GPU peaks per pool", () => {
  const workloadsProd = () => structuredClone(readStackFile("workloads-prod")) as Raw;
  const warnings = (raw: Raw) => {
    const loaded = loadStack("workloads-prod", raw);
    return preflightWarnings(loaded, platformContract(loaded.platform)).filter((w) => w.startsWith("llmkit:serving:"));
  };

  it("are quiet while the services of a pool fit its gpuLimit together (workloads-prod: 6 + 3 of 12)", () => {
    expect(warnings(workloadsProd())).toEqual([]);
  });

  it("warn when each service fits alone but not together", () => {
    const raw = change(workloadsProd(), (r) => {
      r.serving[0].replicas.max = 10;
      r.serving[1].replicas.max = 3;
    });
    expect(warnings(raw)).toEqual([
      'llmkit:serving: services on pool "serving-l40s" can scale to 13 GPUs together (chat 10×1, reranker 3×1) but its gpuLimit is 12: at that peak the last replicas stay Pending; raise the pool\'s gpuLimit or lower replicas.max',
    ]);
  });
});

describe("serving on a cluster whose CNI may not enforce NetworkPolicy", () => {
  const warnings = (raw: Raw, stack = "local") => {
    const loaded = loadStack(stack, raw);
    return preflightWarnings(loaded, platformContract(loaded.platform)).filter((w) => w.includes("enforcesNetworkPolicy"));
  };

  it("warns while platform.cni.enforcesNetworkPolicy is false (the default, e.g. the local stack)", () => {
    expect(warnings(local())).toEqual([
      "llmkit:platform.cni.enforcesNetworkPolicy: is false, so the serving NetworkPolicies may not be enforced and clients that reach the pods directly " +
        "get engine routes the gateway does not allow (/invocations, /tokenize, /score, …): run a CNI that enforces NetworkPolicy (e.g. Calico, Cilium) and set it to true",
    ]);
  });

  it("is quiet once the platform declares an enforcing CNI, on aws (the kit enables it) and without serving", () => {
    expect(warnings(change(local(), (r) => (r.platform.cni = { enforcesNetworkPolicy: true })))).toEqual([]);
    expect(warnings(structuredClone(readStackFile("workloads-prod")) as Raw, "workloads-prod")).toEqual([]);
    expect(warnings(change(local(), (r) => {
      r.serving = [];
      delete r.chatUi; // it names a service
    }))).toEqual([]);
  });
});
