/** Generated docs stay in sync with the schema, and the JSON Schema accepts every shipped stack file. */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { stackFileJsonSchema, withReference } from "../config/reference.ts";

const root = resolve(import.meta.dirname, "..");

describe("generated docs", () => {
  it("docs/stack.schema.json is current (run npm run docs:config)", () => {
    const committed = JSON.parse(readFileSync(resolve(root, "docs/stack.schema.json"), "utf8"));
    expect(committed).toEqual(stackFileJsonSchema());
  });

  it("the README config reference is current (run npm run docs:config)", () => {
    const readme = readFileSync(resolve(root, "README.md"), "utf8");
    expect(withReference(readme)).toBe(readme);
  });
});

describe("docs/stack.schema.json for editors", () => {
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(stackFileJsonSchema());
  const stacks = readdirSync(resolve(root, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

  it.each(stacks)("accepts %s", (file) => {
    const doc = parse(readFileSync(resolve(root, "stacks", file), "utf8"));
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  it("flags a misspelt llmkit key", () => {
    expect(validate({ config: { "llmkit:layer": "all", "llmkit:env": "dev", "llmkit:fineTune": [] } })).toBe(false);
    expect(validate({ config: { "llmkit:layer": "all", "llmkit:env": "dev", "aws:region": "us-west-2" } })).toBe(true);
  });
});
