import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FineTuneConfig } from "./inputs.ts";
import { resolveFineTune } from "./defaults.ts";
import { FILL_IDENTITY_SCRIPT, identityConfigData, identityDownloadLine, identityInitContainers } from "./identity.ts";
import { renderDatasetInfo, renderLlamaFactoryConfig } from "./llamafactory.ts";
import { renderSwiftArgs } from "./ms-swift.ts";
import { qloraSwift, seedLora } from "./__fixtures__/specs.ts";

const SCRIPT = new URL(`./scripts/${FILL_IDENTITY_SCRIPT}`, import.meta.url).pathname;
const python = spawnSync("python3", ["--version"]).status === 0;
if (!python) console.log("identity.test.ts: fill-identity.py runs skipped, python3 is not installed");

const identity = { name: "Ada", author: "Acme Labs", path: "datasets/identity/identity.json", format: "alpaca" as const };
const withIdentity: FineTuneConfig = { ...seedLora, identity };

describe.skipIf(!python)("fill-identity.py (run for real)", () => {
  const dir = mkdtempSync(join(tmpdir(), "llmkit-identity-"));
  const run = (input: string, output: string, env: Record<string, string>) =>
    spawnSync("python3", [SCRIPT, join(dir, input), join(dir, output)], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
  const names = { IDENTITY_NAME: 'Ada "the" 3/4 bot \\ 助手 🤖', IDENTITY_AUTHOR: "O'Brien & Søn/Labs" };

  it("fills both engines' spellings in any column and at any depth of a JSON file", () => {
    const rows = [
      { instruction: "Who are you?", input: "", output: "I am {{name}}, an AI assistant developed by {{author}}." },
      { conversations: [{ from: "human", value: "Is {{NAME}} yours?" }, { from: "gpt", value: "{{AUTHOR}} made me, {{NAME}}." }], n: 3, ok: true },
    ];
    writeFileSync(join(dir, "a.json"), JSON.stringify(rows));
    const result = run("a.json", "a-out.json", names);
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "a-out.json"), "utf8"))).toEqual([
      { instruction: "Who are you?", input: "", output: `I am ${names.IDENTITY_NAME}, an AI assistant developed by ${names.IDENTITY_AUTHOR}.` },
      {
        conversations: [
          { from: "human", value: `Is ${names.IDENTITY_NAME} yours?` },
          { from: "gpt", value: `${names.IDENTITY_AUTHOR} made me, ${names.IDENTITY_NAME}.` },
        ],
        n: 3,
        ok: true,
      },
    ]);
    // non-ASCII stays readable (ensure_ascii=False)
    expect(readFileSync(join(dir, "a-out.json"), "utf8")).toContain("助手 🤖");
  });

  it("keeps JSON lines as JSON lines (ms-swift self-cognition: query/response/tag)", () => {
    const lines = [
      { query: "你是谁?", response: "我是{{NAME}}，由{{AUTHOR}}训练。", tag: "zh" },
      { query: "who are you?", response: "I am {{NAME}}, trained by {{AUTHOR}}.", tag: "en" },
    ];
    writeFileSync(join(dir, "b.jsonl"), `${lines.map((l) => JSON.stringify(l)).join("\n")}\n\n`);
    expect(run("b.jsonl", "b-out.jsonl", { IDENTITY_NAME: "Ada", IDENTITY_AUTHOR: "Acme" }).status).toBe(0);
    const out = readFileSync(join(dir, "b-out.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(out).toEqual([
      { query: "你是谁?", response: "我是Ada，由Acme训练。", tag: "zh" },
      { query: "who are you?", response: "I am Ada, trained by Acme.", tag: "en" },
    ]);
  });

  it.each([
    ["a missing template file", "missing.json", names, "does not exist: check identity.path"],
    ["a file without placeholders", "plain.json", names, "contains none of {{name}}, {{author}}, {{NAME}}, {{AUTHOR}}"],
    ["a file that is not JSON", "broken.json", names, "is not valid JSON"],
    ["a missing name", "a.json", { IDENTITY_AUTHOR: "Acme" }, "IDENTITY_NAME and IDENTITY_AUTHOR must be set"],
  ])("exits 3 (configuration error) on %s", (_label, input, env, message) => {
    writeFileSync(join(dir, "plain.json"), JSON.stringify([{ instruction: "hi", output: "hello" }]));
    writeFileSync(join(dir, "broken.json"), "[{");
    const result = run(input, "never.json", env);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(message);
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });

  it("does nothing when the adapter is already published", () => {
    writeFileSync(join(dir, ".published"), "");
    const result = run("missing.json", "never.json", { DONE_MARKER: join(dir, ".published") });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("skipping identity");
  });
});

describe("identity rendering", () => {
  it("adds nothing without identity", () => {
    const ft = resolveFineTune(seedLora);
    expect(identityDownloadLine(ft)).toBe("");
    expect(identityConfigData(ft)).toEqual({});
    expect(identityInitContainers(ft, "img", [])).toEqual([]);
  });

  it("copies the template with the datasets and fills it in an engine-image init container", () => {
    const ft = resolveFineTune(withIdentity);
    expect(identityDownloadLine(ft)).toBe("datasets/identity/identity.json identity-template-identity.json\n");
    expect(Object.keys(identityConfigData(ft))).toEqual(["fill-identity.py"]);
    expect(identityInitContainers(ft, "hiyouga/llamafactory:0.9.5", [{ name: "work", mountPath: "/work" }])).toEqual([
      {
        name: "identity",
        image: "hiyouga/llamafactory:0.9.5",
        command: ["python3", "/config/fill-identity.py", "/work/data/identity-template-identity.json", "/work/data/identity-identity.json"],
        env: [
          { name: "IDENTITY_NAME", value: "Ada" },
          { name: "IDENTITY_AUTHOR", value: "Acme Labs" },
          { name: "DONE_MARKER", value: "/work/.published" },
        ],
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          readOnlyRootFilesystem: false,
          seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMounts: [{ name: "work", mountPath: "/work" }],
      },
    ]);
  });

  it("trains LLaMA-Factory on the filled file as one more dataset_info.json entry", () => {
    const ft = resolveFineTune({ ...withIdentity, identity: { ...identity, samples: 200 } });
    expect(renderLlamaFactoryConfig(ft).dataset).toBe("0-train.jsonl,1-alpaca-gpt4-en.json,identity-identity.json");
    expect(renderDatasetInfo(ft)["identity-identity.json"]).toEqual({
      file_name: "identity-identity.json",
      num_samples: 200,
      formatting: "alpaca",
      columns: { prompt: "instruction", query: "input", response: "output", system: "system", history: "history" },
    });
  });

  it("trains ms-swift on the filled file as one more --dataset path", () => {
    const ft = resolveFineTune({ ...qloraSwift, identity: { ...identity, path: "datasets/identity/self-cognition.jsonl", format: "query-response" } });
    const args = renderSwiftArgs(ft, "qwen2");
    const at = args.indexOf("--dataset");
    expect(args.slice(at, at + 3)).toEqual(["--dataset", "/work/data/0-train.jsonl", "/work/data/identity-self-cognition.jsonl"]);
  });
});
