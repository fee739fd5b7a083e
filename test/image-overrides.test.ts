/** Image overrides in env prod need a digest (config/image-rules.ts); the policy pack accepts the rendered reference. */
import { describe, expect, it } from "vitest";
import { parseStackConfig, readStackFile } from "../config/load.ts";
import { imageProblem } from "../policies/pinned-images.ts";
import { change, type Raw } from "./stack-edits.ts";

const DIGEST = `sha256:${"12".repeat(32)}`;
const image = { repository: "registry.example.com/mirror/vllm-openai", tag: "v0.21.0" };
const prod = () => structuredClone(readStackFile("workloads-prod")) as Raw;

describe("image overrides per environment", () => {
  it("prod refuses an override without a digest, naming the command that prints it", () => {
    const result = parseStackConfig(change(prod(), (r) => (r.serving[0].image = image)));
    expect(result.ok ? [] : result.problems).toEqual([
      "llmkit:serving[0].image.digest: is required in env prod (a tag can be pushed again, a digest cannot): add digest: sha256:<64 hex>, as `docker buildx imagetools inspect registry.example.com/mirror/vllm-openai:v0.21.0` prints it",
    ]);
  });

  it("prod accepts it with the digest; other environments with the tag alone", () => {
    expect(parseStackConfig(change(prod(), (r) => (r.serving[0].image = { ...image, digest: DIGEST }))).ok).toBe(true);
    const dev = change(structuredClone(readStackFile("workloads-dev")) as Raw, (r) => {
      r.serving[0].image = image;
      r.fineTunes[0].image = { repository: "registry.example.com/mirror/llamafactory", tag: "0.9.5" };
    });
    expect(parseStackConfig(dev).ok).toBe(true);
  });

  it("the pinned-images policy accepts the rendered references", () => {
    expect(imageProblem(`${image.repository}:${image.tag}@${DIGEST}`)).toBeUndefined();
    expect(imageProblem(`${image.repository}:${image.tag}`)).toBeUndefined();
  });
});
