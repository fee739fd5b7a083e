import { describe, expect, it } from "vitest";
import { validateObjects } from "../../render/validate.ts";
import { renderServingPriorityClass } from "./priority-class.ts";

describe("renderServingPriorityClass", () => {
  const pc = renderServingPriorityClass("platform");

  it("ranks serving above unclassed (training) pods, preempting them, without becoming the default", () => {
    expect(pc).toMatchObject({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "llmkit-serving" },
      value: 100000,
      globalDefault: false,
      preemptionPolicy: "PreemptLowerPriority",
    });
    // user-defined classes must stay at or below 1e9 (system classes sit above)
    expect(pc.value).toBeGreaterThan(0);
    expect(pc.value).toBeLessThanOrEqual(1_000_000_000);
  });

  it("validates against the Kubernetes schema", async () => {
    expect((await validateObjects([pc])).map((v) => [v.status, v.problems])).toEqual([["valid", []]]);
    expect((await validateObjects([{ ...pc, preemptionPolicy: "Always" }]))[0]!.status).toBe("invalid");
  });
});
