/**
 * `npm run bench` (issue 7): how rendering cost grows with stack size. Generates, in memory, copies
 * of the shipped local stack with N fine-tunes, each adapter pinned in `release` and served by the
 * one service, renders each through the mock harness several times and reports medians and the
 * per-item cost. Not part of `npm test` (it takes seconds per run).
 */
import { parse as parseYaml } from "yaml";
import { readFileSync } from "node:fs";
import { STACK_YAML_OPTIONS, stackFilePath } from "../config/load.ts";
import { engineConfig, type EngineConfig } from "../render/stack-config.ts";

export const BENCH_SIZES = [1, 10, 100] as const;

type ConfigMap = Record<string, unknown>;

/** The local stack's `config:` map with `n` fine-tunes (`support-bot-<i>`), all pinned and served by `chat`. */
export function generateStackConfig(n: number, base: ConfigMap = localStackConfig()): ConfigMap {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`);
  const cfg = structuredClone(base);
  const fineTunes = cfg["llmkit:fineTunes"] as Record<string, unknown>[];
  const template = fineTunes[0]!;
  const names = Array.from({ length: n }, (_, i) => `support-bot-${i}`);
  cfg["llmkit:fineTunes"] = names.map((name) => ({ ...structuredClone(template), name }));
  const serving = cfg["llmkit:serving"] as Record<string, unknown>[];
  const engine = { ...(serving[0]!.engine as Record<string, unknown>), maxLoras: Math.min(n, 8), maxCpuLoras: n };
  cfg["llmkit:serving"] = [{ ...serving[0]!, adapters: names, engine }];
  // every adapter pinned (the local stack follows its one run instead, which only env local allows)
  const baseModel = template.baseModel as string;
  cfg["llmkit:release"] = { adapters: Object.fromEntries(names.map((name, i) => [name, { runId: i.toString(16).padStart(12, "0"), baseModel }])) };
  return cfg;
}

export function localStackConfig(): ConfigMap {
  return (parseYaml(readFileSync(stackFilePath("local"), "utf8"), STACK_YAML_OPTIONS) as { config: ConfigMap }).config;
}

export function benchEngineConfig(n: number): EngineConfig {
  return engineConfig(generateStackConfig(n));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
