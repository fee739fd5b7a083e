import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStackFile, readStackFile, STACKS_DIR } from "./load.ts";

const dir = mkdtempSync(join(tmpdir(), "llmkit-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
copyFileSync(join(STACKS_DIR, "Pulumi.platform-prod.yaml"), join(dir, "Pulumi.platform-prod.yaml"));

const HEAD = `config:
  llmkit:layer: workloads
  llmkit:env: prod
  llmkit:platformStack: platform-prod
  llmkit:models:
    - name: qwen2-5-7b
      hub: huggingface
      repo: Qwen/Qwen2.5-7B-Instruct
      revision: a09a35458c702b33eeacc393d103063234e8bc28
      sizeGiB: 15.3
  llmkit:release:
    adapters:
      support-bot: {runId: "c2f47069e7bc", baseModel: qwen2-5-7b, rank: 8}
  llmkit:serving:
`;

// The same two services, once through an anchor and `<<:` merge keys, once written out.
const MERGED = `${HEAD}    - &chat
      name: chat
      baseModel: qwen2-5-7b
      adapters: [support-bot]
      replicas: &replicas {min: 2, max: 6}
      pool: serving-l40s
      auth: {type: api-key, secret: {name: chat-api-keys, key: primary}}
    - <<: *chat
      name: chat-canary
      replicas:
        <<: *replicas
        max: 2
`;
const EXPANDED = `${HEAD}    - name: chat
      baseModel: qwen2-5-7b
      adapters: [support-bot]
      replicas: {min: 2, max: 6}
      pool: serving-l40s
      auth: {type: api-key, secret: {name: chat-api-keys, key: primary}}
    - name: chat-canary
      baseModel: qwen2-5-7b
      adapters: [support-bot]
      replicas: {min: 2, max: 2}
      pool: serving-l40s
      auth: {type: api-key, secret: {name: chat-api-keys, key: primary}}
`;

describe("stack files with YAML merge keys (as the Pulumi engine reads them)", () => {
  writeFileSync(join(dir, "Pulumi.merged.yaml"), MERGED);
  writeFileSync(join(dir, "Pulumi.expanded.yaml"), EXPANDED);

  it("read identically to the expanded file", () => {
    const merged = readStackFile("merged", dir);
    expect(merged).toEqual(readStackFile("expanded", dir));
    expect((merged.serving as { name: string; replicas: unknown }[]).map((s) => [s.name, s.replicas])).toEqual([
      ["chat", { min: 2, max: 6 }],
      ["chat-canary", { min: 2, max: 2 }],
    ]);
  });

  it("load (validated, against the platform stack) to the same config", () => {
    const merged = loadStackFile("merged", dir);
    expect(merged.config).toEqual(loadStackFile("expanded", dir).config);
    expect(merged.config.serving.map((s) => s.name)).toEqual(["chat", "chat-canary"]);
  });
});
