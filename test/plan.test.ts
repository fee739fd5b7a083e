import { describe, expect, it } from "vitest";
import { cli } from "../cli/plan.ts";
import { platformContract } from "../components/platform/contract.ts";
import { generateStackConfig, median } from "../planner/bench.ts";
import { buildPlan, type PlanReport } from "../planner/plan.ts";
import { loadStack, loadStackFile, parseStackConfig } from "../stacks/load.ts";
import { fitFindings, preflightProblems } from "../stacks/preflight.ts";
import { change, local, workloadsDev, type Raw } from "./bad-configs.ts";

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
    expect(p).toMatch(/try a pool on p5\.4xlarge \(1× h100, 80 GiB each, \$6\.88\/h on-demand\); or method: qlora with quantBits: 4 \(~\d+\.\d GiB\); or training\.maxLength: 8192 \(~\d+\.\d GiB\)$/);
  });

  it("suggests QLoRA when 4-bit weights make the difference", () => {
    const raw = change(workloadsDev(), (r) => {
      r.models.push({ name: "qwen2-5-32b", hub: "huggingface", repo: "Qwen/Qwen2.5-32B-Instruct", revision: "b".repeat(40), sizeGiB: 61 });
      r.fineTunes[0].baseModel = "qwen2-5-32b";
      r.fineTunes[0].training = { maxLength: 512 };
      r.serving[0].adapters = [];
      r.release.adapters = {};
    });
    const [p] = fit(raw).problems;
    expect(p).toMatch(/^llmkit:fineTunes\[0\]: does not fit pool "training-l40s"/);
    expect(p).toMatch(/method: qlora with quantBits: 4 \(~\d+\.\d GiB\)/);
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
    // beyond Qwen2.5-7B's 32768 positions the config itself is refused (stacks/serving-rules.ts), no longer a warning
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

  it("has the documented JSON shape for every shipped stack", () => {
    for (const stack of SHIPPED) {
      const r: PlanReport = JSON.parse(JSON.stringify(plan(stack)));
      expect(Object.keys(r)).toEqual(["schemaVersion", "stack", "env", "provider", "prices", "assumptions", "fineTunes", "services", "errors", "warnings"]);
      expect(r.schemaVersion).toBe(1);
      for (const f of r.fineTunes) expect(Object.keys(f)).toEqual(["name", "model", "method", "quantBits", "gpus", "placement", "memory", "adapter", "run"]);
      for (const s of r.services) expect(Object.keys(s)).toEqual(["name", "model", "adapters", "gpus", "replicas", "placement", "memory", "monthlyUsd", "multiLora"]);
      expect(r.errors).toEqual([]);
    }
  });

  it("workloads-dev: L40S fine-tunes and an L4 service, priced, with sane numbers", () => {
    const r = plan("workloads-dev");
    const [ft, q] = r.fineTunes;
    expect(ft!.placement).toMatchObject({ pool: "training-l40s", gpu: "l40s", gpusPerNode: 1, gpuMemoryGiB: 48, instanceType: "g6e.xlarge" });
    expect(ft!.memory!.fits).toBe(true);
    expect(ft!.memory!.perGpuGiB).toBeGreaterThan(16);
    expect(ft!.memory!.perGpuGiB).toBeLessThan(30);
    expect(q!.memory!.perGpuGiB).toBeLessThan(ft!.memory!.perGpuGiB);
    // 10,000 assumed + 20,000 rows, 90% train, 2048 tokens, 3 epochs
    expect(ft!.run).toMatchObject({ tokens: Math.round(30_000 * 0.9 * 2048 * 3), tokensAssumed: true });
    expect(ft!.run.costUsd).toBeCloseTo(ft!.run.hours! * 1.861, 1);
    expect(q!.run.tokensPerSecond!).toBeLessThan(ft!.run.tokensPerSecond!);
    const [svc] = r.services;
    expect(svc!.placement).toMatchObject({ gpu: "l4", instanceType: "g6.xlarge" });
    expect(svc!.memory!.fits).toBe(true);
    expect(svc!.memory!.maxConcurrentSequences).toBeGreaterThan(1);
    expect(svc!.monthlyUsd!.max).toBeCloseTo(2 * svc!.monthlyUsd!.min, 1);
  });

  it("workloads-prod: multi-LoRA shares one base; merged deployments multiply GPUs and weights", () => {
    const [svc] = plan("workloads-prod").services;
    expect(svc!.multiLora.adapters).toBe(2);
    expect(svc!.multiLora.merged.gpus).toBe(2 * svc!.multiLora.shared.gpus);
    expect(svc!.multiLora.merged.monthlyUsd).toBeCloseTo(2 * svc!.multiLora.shared.monthlyUsd!, 1);
    expect(svc!.multiLora.merged.storageGiB).toBeGreaterThan(svc!.multiLora.shared.storageGiB);
    expect(svc!.monthlyUsd!.min).toBeCloseTo(2 * 730 * 1.861, 0);
  });

  it("local: CPU pools print what is known and price nothing", () => {
    const r = plan("local");
    expect(r.fineTunes[0]).toMatchObject({ memory: null, run: { tokensPerSecond: null, costUsd: null }, placement: { gpu: null, instanceType: null } });
    expect(r.services[0]).toMatchObject({ memory: null, monthlyUsd: null, gpus: 0 });
  });
});

describe("npm run plan", () => {
  it("prints a table by default and the report with --json", () => {
    const table = runCli(["--stack", "workloads-dev"]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/fine-tunes\n {2}name +model/);
    expect(table.out).toMatch(/support-bot +Qwen\/Qwen2\.5-7B-Instruct +lora +1× l40s 48 GiB \(training-l40s, g6e\.xlarge\)/);
    const json = runCli(["--stack", "workloads-prod", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(JSON.parse(JSON.stringify(buildPlan(loadStackFile("workloads-prod")))));
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
