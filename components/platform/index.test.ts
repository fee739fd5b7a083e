import { beforeAll, describe, expect, it } from "vitest";
import { awsPlatform, existingPlatform, localPlatform } from "./__fixtures__/configs.ts";
import { installMocks, settled, type Registered } from "./__fixtures__/mocks.ts";

let registered: Registered[];

beforeAll(async () => {
  registered = await installMocks();
  const { createPlatform } = await import("./index.ts");
  createPlatform("local", localPlatform());
  createPlatform("existing", existingPlatform());
  createPlatform("aws", awsPlatform());
  await settled(registered);
});

describe("createPlatform", () => {
  it("picks the component for the config's provider", () => {
    expect(registered.filter((r) => r.type.startsWith("llmkit:platform:")).map((r) => `${r.type} ${r.name}`)).toEqual([
      "llmkit:platform:LocalPlatform local",
      "llmkit:platform:ExistingPlatform existing",
      "llmkit:platform:AwsPlatform aws",
    ]);
  });

  it("refuses an invalid config before registering anything of it", async () => {
    const { createPlatform } = await import("./index.ts");
    const before = registered.length;
    expect(() => createPlatform("bad", awsPlatform({ kubernetesVersion: "1.20" }))).toThrow(/kubernetesVersion: "1.20"/);
    await settled(registered);
    expect(registered.slice(before).map((r) => r.name)).toEqual(["bad"]);
  });
});
