import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveFineTune } from "./defaults.ts";
import { fineTuneSchema } from "./inputs.ts";
import { renderDatasetInfo, renderLlamaFactoryConfig } from "./llamafactory.ts";
import { renderSwiftArgs, SWIFT_PREFERENCE_LIST, SWIFT_RLHF_ARGS_FILE } from "./ms-swift.ts";
import { planFineTune } from "./fine-tune.ts";
import { fineTuneProblems } from "./validate.ts";
import { contract, dpoChained, dpoLf, qwen7b, seedLora } from "./__fixtures__/specs.ts";

const dpoSwift = { ...dpoLf, engine: "ms-swift" as const, template: "qwen2_5" };

describe("stage dpo: LLaMA-Factory", () => {
  it("from the base: stage dpo, every preference key, no adapter or reference model (the adapter is switched off for the reference)", () => {
    const c = renderLlamaFactoryConfig(resolveFineTune(dpoLf));
    expect(c).toMatchObject({ stage: "dpo", pref_beta: 0.1, pref_loss: "sigmoid", pref_ftx: 0, dpo_label_smoothing: 0 });
    for (const k of ["adapter_name_or_path", "ref_model", "ref_model_adapters", "simpo_gamma"]) expect(c).not.toHaveProperty(k);
  });

  it("chained: trains the published adapter further and compares with it as a second, frozen model", () => {
    const c = renderLlamaFactoryConfig(resolveFineTune(dpoChained));
    expect(c).toMatchObject({ adapter_name_or_path: "/work/from-adapter", create_new_adapter: false, ref_model: "/work/model", ref_model_adapters: "/work/from-adapter" });
  });

  it("orpo and simpo need no reference model; simpo's gamma is written out", () => {
    const orpo = renderLlamaFactoryConfig(resolveFineTune({ ...dpoChained, preference: { loss: "orpo", beta: 0.2 } }));
    expect(orpo).toMatchObject({ pref_loss: "orpo", pref_beta: 0.2, adapter_name_or_path: "/work/from-adapter" });
    expect(orpo).not.toHaveProperty("ref_model");
    expect(renderLlamaFactoryConfig(resolveFineTune({ ...dpoLf, preference: { loss: "simpo" } }))).toMatchObject({ pref_loss: "simpo", simpo_gamma: 0.5 });
  });

  it("preference datasets are ranking entries with chosen/rejected columns", () => {
    const info = renderDatasetInfo(resolveFineTune({ ...dpoLf, datasets: [...dpoLf.datasets, { path: "datasets/s.json", format: "sharegpt-preference", purpose: "domain" }] }));
    expect(Object.values(info)).toEqual([
      { file_name: "0-prefs.jsonl", formatting: "alpaca", ranking: true, columns: { prompt: "instruction", query: "input", system: "system", chosen: "chosen", rejected: "rejected" } },
      {
        file_name: "1-chat-prefs.jsonl",
        num_samples: 500,
        formatting: "sharegpt",
        ranking: true,
        columns: { messages: "messages", chosen: "chosen", rejected: "rejected" },
        tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" },
      },
      {
        file_name: "2-s.json",
        formatting: "sharegpt",
        ranking: true,
        columns: { messages: "conversations", system: "system", chosen: "chosen", rejected: "rejected" },
        tags: { role_tag: "from", content_tag: "value", user_tag: "human", assistant_tag: "gpt", system_tag: "system" },
      },
    ]);
  });

  it("an SFT run renders as before: no stage-dpo key, no ranking", () => {
    const c = renderLlamaFactoryConfig(resolveFineTune(seedLora));
    expect(c.stage).toBe("sft");
    expect(Object.keys(c).filter((k) => k.startsWith("pref_") || k.startsWith("ref_"))).toEqual([]);
    expect(Object.values(renderDatasetInfo(resolveFineTune(seedLora))).some((e) => "ranking" in e)).toBe(false);
  });
});

describe("stage dpo: ms-swift", () => {
  const flags = (spec: typeof dpoSwift) => renderSwiftArgs(resolveFineTune(spec), "qwen2");
  it("swift rlhf --rlhf_type dpo with beta and loss_type, on the converted preference files", () => {
    const args = flags(dpoSwift);
    expect(args.slice(-6)).toEqual(["--rlhf_type", "dpo", "--beta", "0.1", "--loss_type", "sigmoid"]);
    const at = args.indexOf("--dataset");
    expect(args.slice(at + 1, at + 3)).toEqual(["/work/data/0-prefs.jsonl.swift.jsonl", "/work/data/1-chat-prefs.jsonl.swift.jsonl#500"]);
  });

  it("chained: --adapters and --ref_adapters are the published adapter", () => {
    expect(flags({ ...dpoSwift, from: "support-bot@0123456789ab" }).slice(-4)).toEqual(["--adapters", "/work/from-adapter", "--ref_adapters", "/work/from-adapter"]);
  });

  it("the ConfigMap carries swift-rlhf-args.txt (no swift-args.txt), the format list and the conversion script", () => {
    const data = planFineTune({ spec: dpoSwift, model: qwen7b, contract }).config.data as Record<string, string>;
    expect(Object.keys(data)).toEqual(expect.arrayContaining([SWIFT_RLHF_ARGS_FILE, SWIFT_PREFERENCE_LIST, "preference-data.py"]));
    expect(data).not.toHaveProperty("swift-args.txt");
    expect(data[SWIFT_PREFERENCE_LIST]).toBe("0-prefs.jsonl alpaca-preference\n1-chat-prefs.jsonl openai-preference\n");
  });
});

describe("stage dpo: run id, Job and manifest", () => {
  it("from is part of the run id; an SFT spec with stage: sft written out keeps its id", () => {
    const id = (spec: typeof dpoLf) => planFineTune({ spec, model: qwen7b, contract }).runId;
    expect(id(dpoChained)).not.toBe(id({ ...dpoChained, from: "support-bot@ba9876543210" }));
    expect(id(dpoChained)).not.toBe(id({ ...dpoChained, name: dpoLf.name, from: undefined }));
    expect(id({ ...seedLora, stage: "sft" })).toBe(id(seedLora));
  });

  it("restore fetches the published adapter; train checks its LoRA shape; the manifest records stage, preference and from", () => {
    const plan = planFineTune({ spec: dpoChained, model: qwen7b, contract });
    const init = plan.job.spec.template.spec.initContainers;
    const env = (name: string) => Object.fromEntries((init.find((c) => c.name === name)!.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
    expect(env("restore")).toMatchObject({ FROM_PREFIX: "adapters/support-bot/0123456789ab/", FROM_DIR: "/work/from-adapter", FROM_WAIT_SECONDS: "86400" });
    expect(env("train")).toMatchObject({ FROM_DIR: "/work/from-adapter", FROM_LORA: "8 32" });
    const manifest = JSON.parse((plan.config.data as Record<string, string>)["manifest.json"]!);
    expect(manifest).toMatchObject({
      stage: "dpo",
      preference: { beta: 0.1, loss: "sigmoid" },
      from: { name: "support-bot", runId: "0123456789ab", uri: "s3://acme-llmkit-dev-models/adapters/support-bot/0123456789ab/" },
    });
    const sft = JSON.parse((planFineTune({ spec: seedLora, model: qwen7b, contract }).config.data as Record<string, string>)["manifest.json"]!);
    for (const k of ["stage", "preference", "from"]) expect(sft).not.toHaveProperty(k);
  });
});

describe("stage dpo: refusals", () => {
  const issues = (raw: unknown) => {
    const r = fineTuneSchema.safeParse(raw);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  it.each([
    ["instruction data in a DPO run", { ...dpoLf, datasets: [{ path: "datasets/a.jsonl", format: "alpaca" }] }, [
      "datasets.0.format: is alpaca, which has no chosen/rejected answers: stage dpo needs preference data, one of alpaca-preference, sharegpt-preference, openai-preference",
    ]],
    ["preference data in an SFT run", { ...seedLora, datasets: [{ path: "datasets/a.jsonl", format: "alpaca-preference" }] }, [
      "datasets.0.format: alpaca-preference is preference data (chosen/rejected) for stage: dpo; an SFT run needs one of alpaca, sharegpt, openai, query-response",
    ]],
    ["a loss ms-swift's DPO does not offer", { ...dpoSwift, preference: { loss: "orpo" } }, [
      "preference.loss: orpo is not a loss ms-swift offers with DPO (ms-swift 4.5 --rlhf_type dpo --loss_type, TRL's DPO losses; ORPO and SimPO are other rlhf_types there): use one of sigmoid, hinge, ipo, or engine: llamafactory",
    ]],
    ["preference and from on an SFT run", { ...seedLora, preference: { beta: 0.2 }, from: "x@0123456789ab" }, [
      "preference: applies only to stage: dpo: remove it, or set stage: dpo",
      "from: applies only to stage: dpo (an SFT run always starts from the base): remove it, or set stage: dpo",
    ]],
    ["lora with from", { ...dpoChained, lora: { rank: 16 } }, [
      "lora: does not apply with from: the run keeps training support-bot's adapter, whose rank, alpha, dropout and targets are fixed in its adapter_config.json; remove lora",
    ]],
    ["identity in a DPO run", { ...dpoLf, identity: { name: "Ada", author: "Acme", path: "datasets/i.json" } }, [
      "identity: is instruction data (self-cognition rows without chosen/rejected): train it in the SFT run this DPO run starts from",
    ]],
    ["from that is not name@runId", { ...dpoLf, from: "support-bot" }, ["from: must be <fine-tune name>@<12-character run id>, e.g. support-bot@0123456789ab"]],
  ])("schema: %s", (_label, raw, expected) => expect(issues(raw)).toEqual(expected));

  it("the component refuses the same for a program's own spec", () => {
    expect(fineTuneProblems(resolveFineTune({ ...dpoSwift, preference: { loss: "simpo" } }), qwen7b, contract)).toEqual([
      "preference.loss simpo is not a loss ms-swift offers with DPO (ms-swift 4.5 --rlhf_type dpo --loss_type, TRL's DPO losses; ORPO and SimPO are other rlhf_types there): use one of sigmoid, hinge, ipo",
    ]);
    expect(fineTuneProblems(resolveFineTune({ ...dpoLf, datasets: [{ path: "datasets/a.jsonl", format: "openai", purpose: "domain" }] }), qwen7b, contract)).toEqual([
      "datasets[0].format is openai, which has no chosen/rejected answers: stage dpo needs one of alpaca-preference, sharegpt-preference, openai-preference",
    ]);
    expect(fineTuneProblems(resolveFineTune({ ...dpoChained, from: "support-bot-dpo2@0123456789ab" }), qwen7b, contract)).toEqual([
      'from names this fine-tune itself ("support-bot-dpo2"): name the SFT fine-tune whose adapter it continues',
    ]);
    expect(() => planFineTune({ spec: { ...dpoLf, datasets: [{ path: "datasets/a.jsonl", format: "alpaca", purpose: "domain" }] }, model: qwen7b, contract })).toThrow(/stage dpo needs one of/);
  });
});

describe("scripts/preference-data.py (ms-swift's preference format, run for real)", () => {
  const dir = mkdtempSync(join(tmpdir(), "llmkit-prefs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = new URL("./scripts/preference-data.py", import.meta.url).pathname;
  const run = () => spawnSync("python3", [script, dir, join(dir, "list.txt")], { encoding: "utf8" });
  const lines = (file: string) => readFileSync(join(dir, file), "utf8").trim().split("\n").map((l) => JSON.parse(l));

  it("writes messages ending with the chosen answer, and rejected_response, for each format", () => {
    writeFileSync(join(dir, "0-a.jsonl"), `${JSON.stringify({ instruction: "Capital of Peru?", input: "One word.", system: "Be brief.", chosen: "Lima", rejected: "Cusco" })}\n`);
    writeFileSync(join(dir, "1-s.json"), JSON.stringify([{ conversations: [{ from: "human", value: "hi" }], chosen: { from: "gpt", value: "Hello!" }, rejected: { from: "gpt", value: "Go away." } }]));
    writeFileSync(join(dir, "2-o.jsonl"), `${JSON.stringify({ messages: [{ role: "system", content: "S" }, { role: "user", content: "Q" }], chosen: { role: "assistant", content: "A" }, rejected: { role: "assistant", content: "B" } })}\n`);
    writeFileSync(join(dir, "list.txt"), "0-a.jsonl alpaca-preference\n1-s.json sharegpt-preference\n2-o.jsonl openai-preference\n");
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(lines("0-a.jsonl.swift.jsonl")).toEqual([
      { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Capital of Peru?\nOne word." }, { role: "assistant", content: "Lima" }], rejected_response: "Cusco" },
    ]);
    expect(lines("1-s.json.swift.jsonl")).toEqual([{ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "Hello!" }], rejected_response: "Go away." }]);
    expect(lines("2-o.jsonl.swift.jsonl")).toEqual([
      { messages: [{ role: "system", content: "S" }, { role: "user", content: "Q" }, { role: "assistant", content: "A" }], rejected_response: "B" },
    ]);
  });

  it("stops with a configuration error (exit 3) naming the file and row of a row without rejected", () => {
    writeFileSync(join(dir, "0-a.jsonl"), `${JSON.stringify({ instruction: "x", chosen: "y", rejected: "z" })}\n${JSON.stringify({ instruction: "x", chosen: "y" })}\n`);
    writeFileSync(join(dir, "list.txt"), "0-a.jsonl alpaca-preference\n");
    const r = run();
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe("configuration error: 0-a.jsonl row 2: has no rejected column, which alpaca-preference needs");
  });
});
