/**
 * The evaluation's pod scripts run for real with python3: eval-suite.py (a suite's rows in one
 * format for both engines, and their exact-match / ROUGE-L scores) and lineage.py's `evaluation`
 * (adapter vs base per metric, components/lib/adapter-manifest.ts). The engine passes themselves
 * run in scripts.test.ts (stand-ins) and the engine lane (real engines).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManifestEvaluationSchema } from "../lib/adapter-manifest.ts";
import { writeEngineStubs } from "./__fixtures__/engine-stubs.ts";

const SCRIPTS = new URL("./scripts/", import.meta.url).pathname;
const py = (script: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync("python3", [join(SCRIPTS, script), ...args], { encoding: "utf8", env: { PATH: process.env.PATH!, ...env } });
const jsonl = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");
const readJsonl = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as unknown);

describe("eval-suite.py rows", () => {
  const dir = mkdtempSync(join(tmpdir(), "llmkit-suite-"));
  const rows = (file: string, body: string, format: string, max: number) => {
    writeFileSync(join(dir, file), body);
    return py("eval-suite.py", ["rows", join(dir, file), format, String(max), join(dir, `${file}.rows.jsonl`)]);
  };

  it("writes alpaca (system, history, instruction + input) as LLaMA-Factory reads it, first maxSamples rows only", () => {
    const alpaca = [
      { system: "Be brief.", history: [["Hi", "Hello."]], instruction: "Capital of Peru?", input: "One word.", output: "Lima." },
      { instruction: "Capital of Chile?", output: "Santiago." },
      { instruction: "not scored", output: "x" },
    ];
    expect(rows("a.json", JSON.stringify(alpaca), "alpaca", 2).status).toBe(0);
    expect(readJsonl(join(dir, "a.json.rows.jsonl"))).toEqual([
      {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello." },
          { role: "user", content: "Capital of Peru?\nOne word." },
          { role: "assistant", content: "Lima." },
        ],
      },
      { messages: [{ role: "user", content: "Capital of Chile?" }, { role: "assistant", content: "Santiago." }] },
    ]);
  });

  it("maps sharegpt's from/value turns and keeps openai messages", () => {
    const sharegpt = [{ system: "S", conversations: [{ from: "human", value: "Q" }, { from: "gpt", value: "A" }] }];
    expect(rows("s.jsonl", jsonl(sharegpt), "sharegpt", 200).status).toBe(0);
    expect(readJsonl(join(dir, "s.jsonl.rows.jsonl"))).toEqual([{ messages: [{ role: "system", content: "S" }, { role: "user", content: "Q" }, { role: "assistant", content: "A" }] }]);
    const openai = [{ messages: [{ role: "user", content: "Q" }, { role: "assistant", content: "A" }] }];
    expect(rows("o.jsonl", jsonl(openai), "openai", 200).status).toBe(0);
    expect(readJsonl(join(dir, "o.jsonl.rows.jsonl"))).toEqual(openai);
  });

  it.each([
    ["a conversation ending with the user", "openai", [{ messages: [{ role: "user", content: "Q" }] }]],
    ["an empty answer", "alpaca", [{ instruction: "Q", output: " " }]],
    ["two user turns in a row", "sharegpt", [{ conversations: [{ from: "human", value: "Q" }, { from: "human", value: "Q2" }, { from: "gpt", value: "A" }] }]],
    ["a tool call", "sharegpt", [{ conversations: [{ from: "human", value: "Q" }, { from: "function_call", value: "{}" }] }]],
  ])("refuses %s before any generation", (_label, format, data) => {
    const r = rows("bad.jsonl", jsonl(data), format, 200);
    expect([r.status, r.stderr.trim()]).toEqual([
      1,
      `${join(dir, "bad.jsonl")}: row 0 is not a ${format} conversation ending with a non-empty answer (system first, then alternating user/assistant turns); nothing is published`,
    ]);
  });

  it("refuses an empty suite", () => {
    const r = rows("empty.jsonl", "\n", "alpaca", 200);
    expect([r.status, r.stderr.trim()]).toEqual([1, `${join(dir, "empty.jsonl")}: the suite has no rows; nothing is published`]);
  });
});

describe("eval-suite.py score", () => {
  const dir = mkdtempSync(join(tmpdir(), "llmkit-score-"));
  writeFileSync(join(dir, "rows.jsonl"), jsonl(["Lima.", "the cat is on the mat"].map((a) => ({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: a }] }))));

  it("scores exact match after stripping and ROUGE-L F1 over whitespace tokens, adapter and base", () => {
    writeFileSync(join(dir, "adapter.jsonl"), jsonl([{ predict: " Lima.\n" }, { predict: "the cat sat on the mat" }]));
    writeFileSync(join(dir, "base.jsonl"), jsonl([{ predict: "Cusco." }, { predict: "" }]));
    const r = py("eval-suite.py", ["score", join(dir, "rows.jsonl"), "llamafactory", join(dir, "adapter.jsonl"), join(dir, "base.jsonl"), join(dir, "out.json")]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    // "the cat sat on the mat" vs "the cat is on the mat": LCS 5 of 6 tokens each way, F1 5/6
    const result = JSON.parse(readFileSync(join(dir, "out.json"), "utf8"));
    expect(result).toEqual({ samples: 2, adapter: { exactMatch: 0.5, rougeL: expect.closeTo((1 + 5 / 6) / 2, 12) }, base: { exactMatch: 0, rougeL: 0 } });
  });

  it("reads ms-swift's `response` and refuses fewer answers than rows", () => {
    writeFileSync(join(dir, "swift.jsonl"), jsonl([{ response: "Lima." }, { response: "x" }]));
    writeFileSync(join(dir, "short.jsonl"), jsonl([{ response: "Lima." }]));
    const r = py("eval-suite.py", ["score", join(dir, "rows.jsonl"), "ms-swift", join(dir, "swift.jsonl"), join(dir, "short.jsonl"), join(dir, "out2.json")]);
    expect([r.status, r.stderr.trim()]).toEqual([1, `${join(dir, "short.jsonl")} has 1 answers for 2 suite rows (did the engine drop rows?); nothing is published`]);
  });
});

describe("eval-heldout.py (engine entry points stood in: __fixtures__/engine-stubs.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "llmkit-heldout-"));
  const env = { PYTHONPATH: writeEngineStubs(join(dir, "stubs")), STUB_CALLS: join(dir, "calls") };
  writeFileSync(join(dir, "args.txt"), "--model\n/work/model\n--rlhf_type\ndpo\n");
  writeFileSync(join(dir, "training-rows.jsonl"), '{"messages": ["held out"]}\n');
  const swift = (out: string, extra: string[], rows?: string) =>
    py("eval-heldout.py", ["ms-swift", "rlhf", join(dir, "args.txt"), join(dir, out), join(dir, "training-rows.jsonl"), "--output_dir", join(dir, out.replace(".json", "")), ...extra], { ...env, ...(rows ? { STUB_VAL_ROWS: rows } : {}) });

  it("ms-swift: evaluates through the pipeline class when its held-out rows are training's, and records rows and metrics", () => {
    const r = swift("adapter.json", ["--adapters", "/work/output/checkpoint-9"]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(join(dir, "adapter.json"), "utf8"))).toEqual({
      samples: 7,
      metrics: { eval_loss: 0.5, eval_runtime: 1, "eval_rewards/accuracies": 0.75, "eval_rewards/margins": 0.25 },
    });
  });

  it("ms-swift: refuses when the pass held out other rows than training did", () => {
    const r = swift("other.json", [], '{"messages": ["another row"]}\n');
    expect([r.status, r.stderr.trim()]).toEqual([1, `${join(dir, "other", "val_dataset.jsonl")} differs from training's ${join(dir, "training-rows.jsonl")}: ms-swift did not hold out the same rows; nothing is published`]);
  });

  it("LLaMA-Factory: runs run_exp on the config and records what the evaluation callback saw", () => {
    writeFileSync(join(dir, "eval-base.yaml"), "stage: sft\ndo_eval: true\n");
    const r = py("eval-heldout.py", ["llamafactory", join(dir, "eval-base.yaml"), join(dir, "base.json")], env);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(join(dir, "base.json"), "utf8"))).toEqual({ samples: 7, metrics: { eval_loss: 1.5, eval_runtime: 1 } });
  });
});

/** What lineage.py reads, with `eval` results written by the caller; `stage` marks a DPO run. */
function lineagePod(opts: { stage?: "dpo"; suites?: string[] } = {}) {
  const root = mkdtempSync(join(tmpdir(), "llmkit-lineage-eval-"));
  const [config, data, lineage, evalDir] = ["config", "data", "lineage", "eval"].map((d) => join(root, d)) as [string, string, string, string];
  for (const d of [config, data, lineage, evalDir]) mkdirSync(d);
  writeFileSync(join(config, "manifest.json"), JSON.stringify({ datasets: [{ path: "datasets/t.jsonl" }], ...(opts.stage ? { stage: opts.stage } : {}) }));
  writeFileSync(join(config, "datasets.txt"), "datasets/t.jsonl 0-t.jsonl\n");
  if (opts.suites) writeFileSync(join(config, "eval-suites.txt"), opts.suites.map((s) => `${s} suite-${s}-x.jsonl alpaca 200\n`).join(""));
  writeFileSync(join(data, "0-t.jsonl"), "{}\n");
  writeFileSync(join(lineage, "datasets.tsv"), "datasets/t.jsonl\te1\n");
  writeFileSync(join(lineage, "attempts"), "1\n");
  writeFileSync(join(root, "trainer_state.json"), JSON.stringify({ global_step: 1, log_history: [] }));
  const write = (file: string, value: unknown) => writeFileSync(join(evalDir, file), typeof value === "string" ? value : JSON.stringify(value));
  const run = () => {
    const r = py("lineage.py", [join(root, "trainer_state.json"), "none", join(root, "out.json"), "", evalDir], { CONFIG_DIR: config, DATA_DIR: data, LINEAGE_DIR: lineage, ENGINE: "llamafactory" });
    return { status: r.status, stderr: r.stderr.trim(), manifest: r.status === 0 ? (JSON.parse(readFileSync(join(root, "out.json"), "utf8")) as Record<string, unknown>) : undefined };
  };
  return { write, run };
}

describe("lineage.py evaluation", () => {
  it("records heldout.loss for SFT (adapter vs base), DPO's rewards with base null, and each suite's scores", () => {
    const p = lineagePod({ stage: "dpo", suites: ["faq"] });
    p.write("heldout-adapter.json", { samples: 6, metrics: { eval_loss: 0.41, "eval_rewards/accuracies": 0.83, "eval_rewards/margins": 1.2, eval_runtime: 3 } });
    p.write("heldout-base.json", { samples: 6, metrics: { eval_loss: 0.69, "eval_rewards/accuracies": 0, "eval_rewards/margins": 0 } });
    p.write("suite-faq.json", { samples: 4, adapter: { exactMatch: 0.5, rougeL: 0.75 }, base: { exactMatch: 0, rougeL: 0.1 } });
    const r = p.run();
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.manifest!.evaluation).toEqual({
      "heldout.loss": { adapter: 0.41, base: 0.69, better: "lower", samples: 6 },
      "heldout.rewardAccuracy": { adapter: 0.83, base: null, better: "higher", samples: 6 },
      "heldout.rewardMargin": { adapter: 1.2, base: null, better: "higher", samples: 6 },
      "suite.faq.exactMatch": { adapter: 0.5, base: 0, better: "higher", samples: 4 },
      "suite.faq.rougeL": { adapter: 0.75, base: 0.1, better: "higher", samples: 4 },
    });
    // what promotion's gates parse
    expect(ManifestEvaluationSchema.safeParse({ ...r.manifest, runId: "0123456789ab", createdAt: "2026-12-06T03:00:00Z" }).success).toBe(true);
  });

  it("records no metric without a val split or suites, and SFT has no reward metrics", () => {
    expect(lineagePod().run().manifest!.evaluation).toEqual({});
    const p = lineagePod();
    p.write("heldout-adapter.json", { samples: 3, metrics: { eval_loss: 1, "eval_rewards/accuracies": 1 } });
    p.write("heldout-base.json", { samples: 3, metrics: { eval_loss: 2 } });
    expect(Object.keys(p.run().manifest!.evaluation as object)).toEqual(["heldout.loss"]);
  });

  it.each<[string, (p: ReturnType<typeof lineagePod>) => void, string]>([
    ["only the adapter's results", (p) => p.write("heldout-adapter.json", { samples: 3, metrics: { eval_loss: 1 } }), "held-out evaluation: EVAL has only the adapter's results; nothing is published"],
    ["different rows for adapter and base", (p) => {
      p.write("heldout-adapter.json", { samples: 3, metrics: { eval_loss: 1 } });
      p.write("heldout-base.json", { samples: 4, metrics: { eval_loss: 1 } });
    }, "held-out evaluation: the adapter was evaluated on 3 rows, the base on 4; nothing is published"],
    ["a NaN loss", (p) => {
      p.write("heldout-adapter.json", '{"samples": 3, "metrics": {"eval_loss": NaN}}');
      p.write("heldout-base.json", { samples: 3, metrics: { eval_loss: 1 } });
    }, "held-out evaluation: the adapter's eval_loss is nan, not a finite number; nothing is published"],
    ["a base without a loss", (p) => {
      p.write("heldout-adapter.json", { samples: 3, metrics: { eval_loss: 1 } });
      p.write("heldout-base.json", { samples: 3, metrics: {} });
    }, "held-out evaluation: the base's eval_loss is None, not a finite number; nothing is published"],
  ])("refuses %s", (_label, setup, message) => {
    const p = lineagePod();
    setup(p);
    const r = p.run();
    expect([r.status, r.stderr.replace(/\S*\/eval\b/, "EVAL")]).toEqual([1, message]);
  });

  it("refuses a DPO run whose engine reported no rewards, and a suite without results", () => {
    const dpo = lineagePod({ stage: "dpo" });
    dpo.write("heldout-adapter.json", { samples: 3, metrics: { eval_loss: 1 } });
    dpo.write("heldout-base.json", { samples: 3, metrics: { eval_loss: 1 } });
    expect(dpo.run()).toMatchObject({ status: 1, stderr: "held-out evaluation: the engine reported no eval_rewards/accuracies (it reported eval_loss); nothing is published" });
    const suite = lineagePod({ suites: ["faq"] });
    expect(suite.run()).toMatchObject({ status: 1, stderr: expect.stringMatching(/^evaluation suite faq: \S+\/suite-faq\.json is missing; nothing is published$/) });
  });
});
