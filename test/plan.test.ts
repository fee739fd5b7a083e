import { describe, expect, it } from "vitest";
import { cli } from "../cli/plan.ts";
import { platformContract } from "../components/platform/contract.ts";
import { generateStackConfig, median } from "../planner/bench.ts";
import { formatPlan } from "../planner/format.ts";
import { buildPlan, type PlanReport } from "../planner/plan.ts";
import { inRegion, SPOT_PRICE_FACTOR } from "../planner/pricing.ts";
import { loadStack, loadStackFile, parseStackConfig } from "../config/load.ts";
import { fitFindings, preflightProblems } from "../config/preflight.ts";
import { change, local, platformDev, workloadsDev, type Raw } from "./bad-configs.ts";

const SHIPPED = ["local", "platform-dev", "platform-prod", "workloads-dev", "workloads-prod"];

function runCli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = cli(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const fit = (raw: Raw) => {
  const loaded = loadStack("workloads-dev", raw);
  return { problems: preflightProblems(loaded, platformContract(loaded.platform)), ...fitFindings(loaded, platformContract(loaded.platform)) };
};

describe("fit checks in preflight", () => {
  it("shipped stacks fit; warnings are separate and never errors", () => {
    for (const stack of SHIPPED) {
      const loaded = loadStackFile(stack);
      expect(fitFindings(loaded, platformContract(loaded.platform)).errors, stack).toEqual([]);
    }
  });

  it("refuses a fine-tune that does not fit, naming the path, needed vs available and suggestions", () => {
    const raw = change(workloadsDev(), (r) => {
      r.models.push({ name: "qwen2-5-72b", hub: "huggingface", repo: "Qwen/Qwen2.5-72B-Instruct", revision: "a".repeat(40), sizeGiB: 136 });
      r.fineTunes[0].baseModel = "qwen2-5-72b";
      r.serving[0].adapters = [];
      r.release.adapters = {};
    });
    const { problems } = fit(raw);
    expect(problems).toEqual([expect.stringMatching(/^llmkit:fineTunes\[0\]: does not fit pool "training-l40s": needs ~1\d\d\.\d GiB per GPU .* its GPUs have 48\.0 GiB each/)]);
    expect(problems[0]).toMatch(/try .*method: qlora with quantBits: 4|no single-node catalog GPU/);
  });

  it("suggests a fitting instance type and a shorter maxLength", () => {
    const raw = change(workloadsDev(), (r) => {
      r.fineTunes[0].training = { maxLength: 16384 };
    });
    const [p, ...rest] = fit(raw).problems;
    expect(rest).toEqual([]);
    expect(p).toMatch(/^llmkit:fineTunes\[0\]: does not fit pool "training-l40s": needs ~\d+\.\d GiB per GPU/);
    expect(p).toMatch(/activations \d+\.\d GiB at maxLength 16384 × micro-batch 1/);
    expect(p).toMatch(/try a pool on p5\.4xlarge \(1× h100, 80 GiB each, \$6\.88\/h on-demand\); or engine: ms-swift, method: qlora with quantBits: 4 \(~\d+\.\d GiB\); or training\.maxLength: 8192 \(~\d+\.\d GiB\)$/);
  });

  it("suggests QLoRA, on ms-swift for a LLaMA-Factory run, when 4-bit weights make the difference", () => {
    const raw = change(workloadsDev(), (r) => {
      r.models.push({ name: "qwen2-5-32b", hub: "huggingface", repo: "Qwen/Qwen2.5-32B-Instruct", revision: "b".repeat(40), sizeGiB: 61 });
      r.fineTunes[0].baseModel = "qwen2-5-32b";
      r.fineTunes[0].training = { maxLength: 512 };
      r.serving[0].adapters = [];
      r.release.adapters = {};
    });
    const [p] = fit(raw).problems;
    expect(p).toMatch(/^llmkit:fineTunes\[0\]: does not fit pool "training-l40s"/);
    expect(p).toMatch(/; or engine: ms-swift, method: qlora with quantBits: 4 \(~\d+\.\d GiB\)/);
  });

  it("refuses a service that does not fit and suggests tensor parallelism or a shorter maxModelLen", () => {
    // DeepSeek-R1-Distill-Qwen-7B: Qwen2.5-7B's shape with 131072 positions, so the length is the model's own
    const raw = change(workloadsDev(), (r) => {
      r.models.push({ name: "r1-7b", repo: "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", revision: "c".repeat(40), sizeGiB: 15.2 });
      Object.assign(r.serving[0], { baseModel: "r1-7b", adapters: [] });
      r.serving[0].engine.maxModelLen = 131072;
    });
    const { problems } = fit(raw);
    expect(problems).toEqual([expect.stringMatching(/^llmkit:serving\[0\]: does not fit pool "serving-l4": needs ~\d+\.\d GiB per GPU \(weights 14\.2 GiB, KV cache for one 131072-token sequence 7\.0 GiB.*leaves 21\.6 GiB; try .*gpus: 2 \(tensor parallel.*engine\.maxModelLen: 65536/)]);
    // beyond Qwen2.5-7B's 32768 positions the config itself is refused (config/serving-rules.ts), no longer a warning
    const beyond = parseStackConfig(change(workloadsDev(), (r) => (r.serving[0].engine.maxModelLen = 131072)));
    expect(beyond.ok ? [] : beyond.problems).toEqual([expect.stringMatching(/^llmkit:serving\[0\]\.engine\.maxModelLen: 131072 exceeds Qwen\/Qwen2\.5-7B-Instruct's context of 32768 tokens/)]);
  });

  it("warns (never fails) when a GPU is oversized, with a cheaper GPU that holds the job", () => {
    const { problems, warnings } = fit(workloadsDev());
    expect(problems).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^llmkit:fineTunes\[1\]: oversized: needs ~\d+\.\d GiB per GPU of pool "training-l40s"'s 48\.0 GiB; l4 \(24 GiB/)]);
  });

  it("does not check CPU pools for GPU memory, and estimates an unknown repo with a warning", () => {
    const raw = change(local(), (r) => {
      r.models[0].repo = "acme/tiny-chat";
      r.fineTunes[0].training.maxLength = 1_000_000;
    });
    const parsed = parseStackConfig(raw);
    expect(parsed.ok).toBe(true);
    const loaded = loadStack("local", raw);
    const f = fitFindings(loaded, platformContract(loaded.platform));
    expect(f.errors).toEqual([]);
    expect(f.warnings).toEqual([
      expect.stringMatching(/^llmkit:fineTunes\[0\]: model repo "acme\/tiny-chat" is not in the planner catalog/),
      expect.stringMatching(/^llmkit:serving\[0\]: model repo "acme\/tiny-chat" is not in the planner catalog/),
    ]);
  });
});

describe("plan report", () => {
  const plan = (stack: string) => buildPlan(loadStackFile(stack));
  const PLACEMENT_KEYS = ["pool", "gpu", "gpusPerNode", "gpuMemoryGiB", "instanceType", "capacityTypes", "priceBasis", "onDemandPerHour", "instancePricePerHour", "pricePerGpuHour"];

  it("has the documented JSON shape for every shipped stack", () => {
    for (const stack of SHIPPED) {
      const r: PlanReport = JSON.parse(JSON.stringify(plan(stack)));
      expect(Object.keys(r)).toEqual(["schemaVersion", "stack", "env", "provider", "prices", "assumptions", "fineTunes", "services", "pools", "cluster", "totals", "errors", "warnings"]);
      expect(r.schemaVersion).toBe(2);
      expect(Object.keys(r.prices)).toEqual(["region", "catalogRegion", "source", "regionFactor", "regionFactorStatus", "spotFactor", "spotFactorStatus"]);
      expect(Object.keys(r.totals)).toEqual(["trainingUsd", "servingMonthlyUsd", "platformMonthlyUsd", "unpriced"]);
      for (const f of r.fineTunes) {
        expect(Object.keys(f)).toEqual(["name", "model", "method", "quantBits", "gpus", "placement", "memory", "adapter", "run"]);
        expect(Object.keys(f.placement)).toEqual(PLACEMENT_KEYS);
        expect(Object.keys(f.run)).toEqual(["tokens", "tokensAssumed", "tokensPerSecond", "hours", "costUsd", "costUsdOnDemand"]);
      }
      for (const s of r.services) {
        expect(Object.keys(s)).toEqual(["name", "runtime", "image", "model", "adapters", "gpus", "replicas", "placement", "memory", "monthlyUsd", "multiLora"]);
        expect(Object.keys(s.placement)).toEqual(PLACEMENT_KEYS);
      }
      for (const p of r.pools) expect(Object.keys(p)).toEqual(["name", "preset", "gpu", "gpusPerNode", "instanceTypes", "capacityTypes", "priceBasis", "gpuLimit", "maxNodes", "usd"]);
      if (r.cluster !== null) expect(Object.keys(r.cluster)).toEqual(["systemNodes", "controlPlaneMonthlyUsd"]);
      expect(r.errors).toEqual([]);
    }
  });

  it("workloads-dev: spot L40S fine-tunes priced at the spot estimate with an on-demand bound, an on-demand L4 service", () => {
    const r = plan("workloads-dev");
    expect(r.prices).toEqual({
      region: "us-west-2",
      catalogRegion: "us-east-1",
      source: "https://aws.amazon.com/ec2/pricing/on-demand/",
      regionFactor: 1,
      regionFactorStatus: "list-unconfirmed",
      spotFactor: 0.4,
      spotFactorStatus: "estimate",
    });
    const [ft, q] = r.fineTunes;
    expect(ft!.placement).toEqual({
      pool: "training-l40s",
      gpu: "l40s",
      gpusPerNode: 1,
      gpuMemoryGiB: 48,
      // 8 CPU / 64 GiB (the trainer's GPU default) fit no 8-vCPU, 64-GiB node once kube-reserved is taken
      instanceType: "g6e.4xlarge",
      capacityTypes: ["spot", "on-demand"],
      priceBasis: "spot-estimate",
      onDemandPerHour: 3.0042,
      instancePricePerHour: 1.2017,
      pricePerGpuHour: 1.2017,
    });
    expect(ft!.memory!.fits).toBe(true);
    expect(ft!.memory!.perGpuGiB).toBeGreaterThan(16);
    expect(ft!.memory!.perGpuGiB).toBeLessThan(30);
    expect(q!.memory!.perGpuGiB).toBeLessThan(ft!.memory!.perGpuGiB);
    // 10,000 assumed + 20,000 rows, 90% train, 2048 tokens, 3 epochs
    expect(ft!.run).toMatchObject({ tokens: Math.round(30_000 * 0.9 * 2048 * 3), tokensAssumed: true });
    expect(ft!.run.costUsd).toBeCloseTo(ft!.run.hours! * 3.0042 * SPOT_PRICE_FACTOR, 1);
    expect(ft!.run.costUsdOnDemand).toBeCloseTo(ft!.run.hours! * 3.0042, 1);
    expect(q!.run.tokensPerSecond!).toBeLessThan(ft!.run.tokensPerSecond!);
    const [svc] = r.services;
    // 4 CPU / 34 GiB (vLLM's defaults for a 7B model) need g6.4xlarge: g6.xlarge has 16 GiB, g6.2xlarge 32
    expect(svc!.placement).toMatchObject({ gpu: "l4", instanceType: "g6.4xlarge", capacityTypes: ["on-demand"], priceBasis: "on-demand", pricePerGpuHour: 1.3232 });
    expect(svc!.memory!.fits).toBe(true);
    expect(svc!.memory!.maxConcurrentSequences).toBeGreaterThan(1);
    expect(svc!.replicas).toEqual({ min: 1, max: 2, peak: 2 });
    expect(svc!.monthlyUsd).toEqual({ min: 965.94, max: 1931.87 }); // 1.3232 × 730 × 1 and × 2
    expect(r.pools).toEqual([]);
    expect(r.cluster).toBeNull();
    expect(r.totals).toMatchObject({ servingMonthlyUsd: { min: 965.94, max: 1931.87 }, platformMonthlyUsd: null, unpriced: [] });
    expect(r.totals.trainingUsd!.expected).toBeCloseTo(ft!.run.costUsd! + q!.run.costUsd!, 2);
    expect(r.totals.trainingUsd!.onDemand).toBeCloseTo(ft!.run.costUsdOnDemand! + q!.run.costUsdOnDemand!, 2);
  });

  it("workloads-prod: the custom-runtime reranker is planned and priced beside the vLLM service", () => {
    const r = plan("workloads-prod");
    expect(r.services.map((s) => [s.name, s.runtime])).toEqual([["chat", "vllm"], ["reranker", "custom"]]);
    const reranker = r.services[1]!;
    expect(reranker).toEqual({
      name: "reranker",
      runtime: "custom",
      image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/support-reranker:1.4.2",
      model: null,
      adapters: 0,
      gpus: 1,
      replicas: { min: 2, max: 3, peak: 3 },
      placement: {
        pool: "serving-l40s",
        gpu: "l40s",
        gpusPerNode: 1,
        gpuMemoryGiB: 48,
        // cpu: 4 leaves g6e.xlarge (4 vCPU, 3.92 allocatable) out
        instanceType: "g6e.2xlarge",
        capacityTypes: ["on-demand"],
        priceBasis: "on-demand",
        onDemandPerHour: 2.2421,
        instancePricePerHour: 2.2421,
        pricePerGpuHour: 2.2421,
      },
      memory: null,
      monthlyUsd: { min: 3273.47, max: 4910.2 }, // 2.2421 × 730 × 2 and × 3
      multiLora: null,
    });
    const chat = r.services[0]!;
    expect(chat.monthlyUsd).toEqual({ min: 3273.47, max: 9820.4 }); // × 2 and × 6
    expect(r.totals.servingMonthlyUsd).toEqual({ min: 6546.94, max: 14730.6 });
    const table = formatPlan(r);
    expect(table).toContain(
      "  reranker  custom 111122223333.dkr.ecr.us-east-1.amazonaws.com/support-reranker:1.4.2  1× l40s 48 GiB (serving-l40s, g6e.2xlarge)  2-3       n/a (custom)         n/a           $3,273.47    $4,910.20",
    );
    expect(table).toContain("  serving: $6,546.94-$14,730.60/month (min-peak replicas)");
  });

  it("workloads-prod: multi-LoRA shares one base; merged deployments multiply GPUs and weights", () => {
    const [svc] = plan("workloads-prod").services;
    const m = svc!.multiLora!;
    expect(m.adapters).toBe(2);
    expect(m.merged.gpus).toBe(2 * m.shared.gpus);
    expect(m.merged.monthlyUsd).toBeCloseTo(2 * m.shared.monthlyUsd!, 1);
    expect(m.merged.storageGiB).toBeGreaterThan(m.shared.storageGiB);
    expect(svc!.monthlyUsd!.min).toBeCloseTo(2 * 730 * 2.2421, 0);
  });

  it("platform-dev: every pool with its instance types, capacity, GPU limit and the most it can cost; the cluster; totals", () => {
    const r = plan("platform-dev");
    expect(r.pools).toEqual([
      {
        name: "serving-l4",
        preset: "serving",
        gpu: "l4",
        gpusPerNode: 1,
        instanceTypes: ["g6.xlarge", "g6.2xlarge", "g6.4xlarge", "g6.8xlarge", "g6.16xlarge"],
        capacityTypes: ["on-demand"],
        priceBasis: "on-demand",
        gpuLimit: 4,
        maxNodes: 4,
        // 4 × 0.8048 = 3.2192/h; × 730 = 2350.016; ceiling 4 × 3.3968 × 730
        usd: { instanceType: "g6.xlarge", maxPerHour: 3.22, maxPerMonth: 2350.02, expectedMaxPerMonth: 2350.02, ceilingInstanceType: "g6.16xlarge", ceilingPerMonth: 9918.66 },
      },
      {
        name: "training-l40s",
        preset: "training-spot",
        gpu: "l40s",
        gpusPerNode: 1,
        instanceTypes: ["g6e.xlarge", "g6e.2xlarge", "g6e.4xlarge", "g6e.8xlarge", "g6e.16xlarge"],
        capacityTypes: ["spot", "on-demand"],
        priceBasis: "spot-estimate",
        gpuLimit: 8,
        maxNodes: 8,
        // 8 × 1.861 × 730 = 10868.24; spot estimate × 0.4 = 4347.30
        usd: { instanceType: "g6e.xlarge", maxPerHour: 14.89, maxPerMonth: 10868.24, expectedMaxPerMonth: 4347.3, ceilingInstanceType: "g6e.16xlarge", ceilingPerMonth: 44250.79 },
      },
    ]);
    // m7i.large 0.1008 × 730 × 2 and × 3; EKS 0.10 × 730
    expect(r.cluster).toEqual({ systemNodes: { instanceType: "m7i.large", min: 2, max: 3, pricePerHour: 0.1008, monthlyUsd: { min: 147.17, max: 220.75 } }, controlPlaneMonthlyUsd: 73 });
    expect(r.totals).toEqual({ trainingUsd: null, servingMonthlyUsd: null, platformMonthlyUsd: { idle: 220.17, max: 13512.01 }, unpriced: [] });
  });

  it("platform-prod: an 8-GPU EFA pool counts nodes, not GPUs", () => {
    const [, efa] = plan("platform-prod").pools;
    expect(efa).toMatchObject({ name: "training-h100-efa", gpusPerNode: 8, instanceTypes: ["p5.48xlarge"], gpuLimit: 16, maxNodes: 2 });
    expect(efa!.usd).toEqual({ instanceType: "p5.48xlarge", maxPerHour: 110.08, maxPerMonth: 80358.4, expectedMaxPerMonth: 80358.4, ceilingInstanceType: "p5.48xlarge", ceilingPerMonth: 80358.4 });
  });

  it("a region without a recorded price factor prices nothing and says so", () => {
    expect(inRegion(1.861, "us-west-2")).toBe(1.861);
    expect(inRegion(1.861, "eu-central-1")).toBeUndefined();
    const raw = change(platformDev(), (r) => {
      r.platform.region = "eu-central-1";
      r.platform.cluster.systemNodes.instanceType = "c7i.large";
    });
    const r = buildPlan(loadStack("platform-dev", raw));
    expect(r.prices).toMatchObject({ region: "eu-central-1", regionFactor: null, regionFactorStatus: null });
    expect(r.pools.map((p) => p.usd)).toEqual([null, null]);
    expect(r.cluster!.systemNodes).toEqual({ instanceType: "c7i.large", min: 2, max: 3, pricePerHour: null, monthlyUsd: null });
    expect(r.totals).toEqual({
      trainingUsd: null,
      servingMonthlyUsd: null,
      platformMonthlyUsd: { idle: 73, max: 73 },
      unpriced: ["pools.serving-l4", "pools.training-l40s", "cluster.systemNodes (c7i.large)"],
    });
    expect(r.warnings[0]).toBe("prices: region eu-central-1 has no price factor in planner/pricing.ts (REGION_FACTORS): GPU instances are left unpriced rather than guessed");
    expect(formatPlan(r)[1]).toBe(
      "prices: region eu-central-1 has no recorded price factor: GPU instances unpriced; spot priced at 0.40 × on-demand (an ESTIMATE: real spot prices vary by zone and hour)",
    );
  });

  it("local: CPU pools print what is known and price nothing", () => {
    const r = plan("local");
    expect(r.fineTunes[0]).toMatchObject({ memory: null, run: { tokensPerSecond: null, costUsd: null, costUsdOnDemand: null }, placement: { gpu: null, instanceType: null, priceBasis: null } });
    expect(r.services[0]).toMatchObject({ memory: null, monthlyUsd: null, gpus: 0 });
    expect(r.prices).toMatchObject({ region: null, regionFactor: null });
    expect(r.pools).toEqual([]);
    expect(r.totals).toEqual({ trainingUsd: null, servingMonthlyUsd: null, platformMonthlyUsd: null, unpriced: ["fineTunes.support-bot", "serving.chat"] });
    const table = formatPlan(r);
    expect(table[1]).toBe("prices: none (provider local has no price list)");
    expect(table.slice(-2)).toEqual(["totals", "  nothing priced (provider local has no price list)"]);
  });
});

describe("npm run plan", () => {
  it("prints a table by default and the report with --json", () => {
    const table = runCli(["--stack", "workloads-dev"]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/fine-tunes\n {2}name +model/);
    expect(table.out).toMatch(/support-bot +Qwen\/Qwen2\.5-7B-Instruct +lora +1× l40s 48 GiB \(training-l40s, g6e\.4xlarge\)/);
    expect(table.out).toMatch(/support-bot +Qwen\/Qwen2\.5-7B-Instruct +lora +1× l40s 48 GiB \(training-l40s, g6e\.4xlarge\) +22\.0 GiB \/ 48\.0 GiB +\$1\.20 spot est\./);
    const json = runCli(["--stack", "workloads-prod", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(JSON.parse(JSON.stringify(buildPlan(loadStackFile("workloads-prod")))));
  });

  it("a platform stack prints its pools, cluster and totals", () => {
    const { code, out } = runCli(["--stack", "platform-dev"]);
    expect(code).toBe(0);
    expect(out.split("\n")).toEqual([
      'plan for stack "platform-dev" (env dev, aws)',
      "prices: us-west-2 = us-east-1 on-demand list × 1.00 (list-unconfirmed), https://aws.amazon.com/ec2/pricing/on-demand/; spot priced at 0.40 × on-demand (an ESTIMATE: real spot prices vary by zone and hour)",
      "",
      "GPU pools (max = every node the GPU limit allows on the cheapest type, on-demand; expected = at the pool's price basis)",
      "  pool           GPUs/node  instance types                                                   capacity         GPU limit  nodes  max $/h  max $/month  expected max $/month",
      "  serving-l4     1× l4      g6.xlarge, g6.2xlarge, g6.4xlarge, g6.8xlarge, g6.16xlarge       on-demand        4          4      $3.22    $2,350.02    $2,350.02",
      "  training-l40s  1× l40s    g6e.xlarge, g6e.2xlarge, g6e.4xlarge, g6e.8xlarge, g6e.16xlarge  spot, on-demand  8          8      $14.89   $10,868.24   $4,347.30 spot est.",
      "  serving-l4: ceiling $9,918.66/month if every node were g6.16xlarge (pods requesting that much CPU or memory)",
      "  training-l40s: ceiling $44,250.79/month if every node were g6e.16xlarge (pods requesting that much CPU or memory)",
      "",
      "cluster",
      "  control plane (EKS standard support): $73.00/month",
      "  system nodes: 2-3× m7i.large ($0.1008/h): $147.17-$220.75/month",
      "",
      "totals",
      "  platform: $220.17/month idle (control plane + system nodes at min), at most $13,512.01/month (system nodes at max + every pool at its GPU limit, on-demand)",
    ]);
  });

  it("exits 2 on bad usage and unknown stacks", () => {
    expect(runCli([]).code).toBe(2);
    expect(runCli(["--stack", "x", "--bogus"]).code).toBe(2);
    const unknown = runCli(["--stack", "nowhere"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown stack "nowhere"/);
  });
});

describe("bench stack generator", () => {
  it("generates valid stacks with N fine-tunes, all pinned and served", () => {
    for (const n of [1, 3, 100]) {
      const cfg = generateStackConfig(n);
      const raw = Object.fromEntries(Object.entries(cfg).filter(([k]) => k.startsWith("llmkit:")).map(([k, v]) => [k.slice(7), v]));
      const parsed = parseStackConfig(raw);
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.config.fineTunes).toHaveLength(n);
      expect(parsed.config.serving[0]!.adapters).toHaveLength(n);
      expect(Object.keys(parsed.config.release.adapters)).toHaveLength(n);
      const loaded = loadStack("local", raw);
      expect(preflightProblems(loaded, platformContract(loaded.platform))).toEqual([]);
    }
    expect(() => generateStackConfig(0)).toThrow(/positive integer/);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
