/** `datasets[].upload` read from a project on disk (the shape refusals are in test/bad-configs-training.ts). */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UPLOAD_MAX_BYTES, uploadedDataset } from "../components/training/upload.ts";
import { parseStackConfig, projectRoot } from "./load.ts";
import { change, local } from "../test/stack-edits.ts";

const project = mkdtempSync(join(tmpdir(), "llmkit-project-"));
const outside = mkdtempSync(join(tmpdir(), "llmkit-outside-"));
mkdirSync(join(project, "data"));
writeFileSync(join(project, "data/a.jsonl"), '{"instruction":"a","input":"","output":"b"}\n');
writeFileSync(join(project, "data/big.jsonl"), "x".repeat(UPLOAD_MAX_BYTES + 1));
writeFileSync(join(project, "data/half.jsonl"), "x".repeat(UPLOAD_MAX_BYTES / 2 + 1));
writeFileSync(join(project, "data/binary.parquet"), Buffer.from([0x50, 0x41, 0x52, 0x31, 0xff, 0xfe, 0x00]));
writeFileSync(join(outside, "secret.jsonl"), "{}\n");
symlinkSync(join(outside, "secret.jsonl"), join(project, "data/link.jsonl"));

const withUploads = (...files: string[]) =>
  change(local(), (r) => (r.fineTunes[0].datasets = files.map((upload) => ({ upload, format: "alpaca" }))));
const problems = (raw: Record<string, unknown>) => {
  const r = parseStackConfig(raw, project);
  return r.ok ? [] : r.problems;
};

describe("uploads read from the project", () => {
  it("resolve to the content-addressed key with the file's text", () => {
    const r = parseStackConfig(withUploads("data/a.jsonl"), project);
    if (!r.ok) throw new Error(r.problems.join("\n"));
    expect(r.config.fineTunes[0]!.datasets).toEqual([
      { ...uploadedDataset("data/a.jsonl", '{"instruction":"a","input":"","output":"b"}\n'), format: "alpaca", purpose: "domain" },
    ]);
  });

  it("refuse a file above one ConfigMap's share, binary files and links out of the project", () => {
    expect(problems(withUploads("data/big.jsonl", "data/binary.parquet", "data/link.jsonl"))).toEqual([
      `llmkit:fineTunes[0].datasets[0].upload: data/big.jsonl is ${Math.ceil((UPLOAD_MAX_BYTES + 1) / 1024)} KiB but uploads travel in a ConfigMap (Kubernetes caps one at 1 MiB), at most 900 KiB per fine-tune: copy it into the store yourself (aws s3 cp) and name its key in path`,
      "llmkit:fineTunes[0].datasets[1].upload: data/binary.parquet is not UTF-8 text (ConfigMap data is text): upload JSON or JSON Lines, or copy the file into the store and name its key in path",
      `llmkit:fineTunes[0].datasets[2].upload: resolves to ${join(outside, "secret.jsonl")}, outside the project ${project}: copy the file into the project`,
    ]);
  });

  it("refuse files that fit alone but not together in one fine-tune's ConfigMap", () => {
    expect(problems(withUploads("data/half.jsonl", "data/half.jsonl"))).toEqual([
      "llmkit:fineTunes[0].datasets: upload 901 KiB together but one fine-tune's uploads travel in one ConfigMap, at most 900 KiB: copy the larger files into the store yourself and name their keys in path",
    ]);
  });

  it("start at the folder holding the stacks folder", () => {
    expect(projectRoot(join(project, "stacks"))).toBe(project);
  });
});
