/**
 * The shipped engine lists (components/serving/vllm-flags.json, components/training/*-keys.json)
 * equal what test/contract-lists.ts derives from the upstream contract lists in ../shared/contracts.
 * Skips with a note when ../shared is absent (users' clones check against the shipped copies).
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONTRACTS, deriveLists, listText } from "./contract-lists.ts";

const present = existsSync(CONTRACTS);
if (!present) console.log(`contract-lists.test.ts: skipped, ${CONTRACTS.pathname} is absent (the upstream contract lists live outside the repo)`);

describe.skipIf(!present)("shipped engine lists", () => {
  it.each(Object.entries(present ? deriveLists() : {}))("%s equals the contract's list (regenerate: npx tsx test/contract-lists.ts)", (file, derived) => {
    expect(readFileSync(new URL(`../${file}`, import.meta.url), "utf8")).toBe(listText(derived));
  });
});
