import { describe, expect, it } from "vitest";
import { runWithConfig } from "../../render/harness.ts";
import program from "./index.ts";

describe("examples/own-program", () => {
  it("builds a FineTune and a VllmService from the public entry points under the Pulumi mocks", async () => {
    const run = await runWithConfig("own-program", { config: {}, secretKeys: [] }, { program });
    if (run.error !== undefined) throw run.error;
    const top = run.resources.filter((r) => r.parent === null).map((r) => `${r.type} ${r.name}`);
    expect(top).toEqual(["llmkit:training:FineTune support-bot", "llmkit:serving:VllmService chat"]);
    const outputs = run.outputs as { runId: string; endpoint: string };
    const kinds = new Set(run.objects.map((o) => `${o.object.kind} ${o.object.metadata?.name ?? ""}`));
    expect([...kinds].sort()).toEqual([
      "ConfigMap chat-scripts",
      `ConfigMap support-bot-train-${outputs.runId}`,
      "Deployment chat",
      `Job support-bot-train-${outputs.runId}`,
      "NetworkPolicy chat",
      "PodDisruptionBudget chat",
      "Secret chat-api-key",
      "Service chat",
    ]);
    expect(outputs.runId).toMatch(/^[0-9a-f]{12}$/);
    expect(outputs.endpoint).toBe("http://chat.llmkit.svc.cluster.local:8000/v1");
  });
});
