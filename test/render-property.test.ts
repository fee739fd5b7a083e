/**
 * Property (issue 2): random configs from the generators, run through the whole program under
 * mocks, either render cleanly (every Kubernetes object valid against its schema) or fail with a
 * ConfigError before any resource is registered — never a crash, a stack trace or half a stack.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/load.ts";
import { editedStackConfig } from "./arbitraries.ts";
import { runWithConfig } from "../render/harness.ts";
import { engineConfig, readEngineConfig } from "../render/stack-config.ts";
import { formatVerdict, validateObjects } from "../render/validate.ts";

// Each run executes the whole program under mocks; the loader-level property test covers breadth.
const RUNS = 60;

describe.each(["local", "workloads-dev", "platform-prod"])("random edits of %s, rendered", (stack) => {
  it("render valid objects or refuse with a config error and nothing registered", async () => {
    const others = Object.fromEntries(Object.entries(readEngineConfig(stack).config).filter(([k]) => !k.startsWith("llmkit:")));
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(editedStackConfig(stack), async (raw) => {
        const llmkit = Object.fromEntries(Object.entries(raw).map(([k, v]) => [`llmkit:${k}`, v]));
        const run = await runWithConfig(stack, engineConfig({ ...others, ...llmkit }));
        if (run.error !== undefined) {
          expect(run.error, run.error.stack).toBeInstanceOf(ConfigError);
          expect(run.resources).toEqual([]);
          return;
        }
        rendered += 1;
        const verdicts = await validateObjects(run.objects.map((o) => o.object));
        expect(verdicts.flatMap((v) => (v.status === "invalid" ? formatVerdict(v) : []))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    console.log(`${stack}: ${rendered} of ${RUNS} random configs rendered, the rest refused`);
  });
});
