import { describe, expect, it } from "vitest";
import type { FineTuneConfig } from "./inputs.ts";
import { resolveFineTune } from "./defaults.ts";
import { datasetMix } from "./mix.ts";
import { seedLora } from "./__fixtures__/specs.ts";

type Ds = FineTuneConfig["datasets"][number];
const domain = (samples?: number): Ds => ({ path: "datasets/d.jsonl", format: "alpaca", purpose: "domain", ...(samples !== undefined ? { samples } : {}) });
const general = (samples?: number): Ds => ({ path: "datasets/g.jsonl", format: "alpaca", purpose: "general", ...(samples !== undefined ? { samples } : {}) });
const mix = (...datasets: Ds[]) => datasetMix(resolveFineTune({ ...seedLora, datasets }));

describe("datasetMix", () => {
  it.each<[string, Ds[], string]>([
    ["1:2 at the lower bound", [domain(1000), general(2000)], "1:2"],
    ["1:10 at the upper bound", [domain(1000), general(6000), general(4000)], "1:10"],
    ["1:4 summed over datasets", [domain(500), domain(500), general(4000)], "1:4"],
  ])("accepts %s", (_label, datasets, ratio) => {
    expect(mix(...datasets)).toEqual({ ratio });
  });

  it("warns below 1:2 with the ratio, the range and the fix", () => {
    expect(mix(domain(10000), general(12000))).toEqual({
      ratio: "1:1.2",
      warning: "domain:general is 1:1.2, outside 1:2–1:10 (catastrophic forgetting risk): raise samples of the general datasets or lower the domain ones",
    });
  });

  it("warns above 1:10", () => {
    expect(mix(domain(100), general(1500))).toEqual({
      ratio: "1:15",
      warning: "domain:general is 1:15, outside 1:2–1:10 (the domain rows are drowned out): lower samples of the general datasets",
    });
  });

  it("warns 1:0 without general data, whatever the sample counts", () => {
    expect(mix(domain()).ratio).toBe("1:0");
    expect(mix(domain(5)).warning).toBe(
      "domain:general is 1:0, outside 1:2–1:10 (catastrophic forgetting risk): add a dataset with purpose: general (e.g. mirrored through llmkit:datasets)",
    );
  });

  it('reports "unknown" and names the dataset without samples', () => {
    expect(mix(general(2000), domain())).toEqual({
      ratio: "unknown",
      warning: "domain:general is unknown (datasets[1] has no samples): set samples on every dataset so the 1:2–1:10 mix can be checked",
    });
  });

  it("warns when there are no domain rows at all", () => {
    expect(mix(general(10)).ratio).toBe("0:1");
  });

  it("leaves the identity rows out of the mix", () => {
    const identity = { name: "Ada", author: "Acme", path: "datasets/identity.json", format: "alpaca" as const, samples: 100000 };
    expect(datasetMix(resolveFineTune({ ...seedLora, identity, datasets: [domain(1000), general(3000)] }))).toEqual({ ratio: "1:3" });
  });
});
