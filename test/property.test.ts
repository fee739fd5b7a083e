/**
 * Property: any config either validates or is refused with config errors — never a crash. Configs
 * that validate also render under Pulumi mocks without error (see test/render-property.test.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load.ts";
import { stackProblems } from "../config/rules.ts";
import { editedStackConfig } from "./arbitraries.ts";

describe.each(["local", "workloads-dev", "platform-prod"])("random edits of %s", (stack) => {
  it("validate or fail with path-named problems, never throw", () => {
    fc.assert(
      fc.property(editedStackConfig(stack), (raw) => {
        const result = parseStackConfig(raw);
        if (result.ok) {
          expect(stackProblems(result.config)).toEqual([]);
        } else {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const p of result.problems) expect(p).toMatch(/^llmkit(:[\w]+|\[\x22.*\x22\])?([\w.-]|\[\d+\]|\[\x22.*?\x22\])*: \S/);
        }
      }),
      { numRuns: 400 },
    );
  });
});

it("arbitrary JSON is refused, never a crash", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 })), (raw) => {
      const result = parseStackConfig(raw);
      expect(result.ok).toBe(false);
    }),
    { numRuns: 300 },
  );
});
