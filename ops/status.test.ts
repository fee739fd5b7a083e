/**
 * `llmkit status`'s pure part: run states from store + Job, the tables, and `--lora-modules`
 * parsing against the args the kit really renders (components/serving/engine-args.ts).
 */
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../config/load.ts";
import { resolveService } from "../components/serving/defaults.ts";
import { renderVllmArgs } from "../components/serving/engine-args.ts";
import { renderDeployment } from "../components/serving/render.ts";
import { platformContract } from "../components/platform/contract.ts";
import { pinnedAdapters } from "../config/preflight.ts";
import { anyFailed, adapterRows, followModules, formatAdapter, formatService, jobState, loraModules, quote, runState, type JobObservation } from "./status.ts";
import type { StoreRun } from "./store-runs.ts";
import { stackTargets, type AdapterTarget, type ServiceTarget } from "./targets.ts";

const job = (runId: string, over: Partial<JobObservation> = {}): JobObservation => ({ name: `ft-train-${runId}`, runId, active: 0, suspended: false, conditions: [], ...over });
const published = (runId: string, createdAt: string, finalEvalLoss: number | null, smoke: { prompt: string; output: string }[] = []): StoreRun => ({
  runId,
  published: true,
  manifest: { runId, createdAt, result: { steps: 10, finalEvalLoss, bestEvalLoss: finalEvalLoss }, smoke },
});

describe("run state", () => {
  it("comes from the Job's conditions before publish, from _SUCCESS after", () => {
    expect(jobState(job("a", { active: 1 }))).toBe("training");
    expect(jobState(job("a"))).toBe("pending");
    expect(jobState(job("a", { suspended: true }))).toBe("queued");
    expect(jobState(job("a", { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }] }))).toBe("failed (BackoffLimitExceeded)");
    expect(jobState(job("a", { conditions: [{ type: "Complete", status: "True" }] }))).toBe("complete");
    expect(runState(published("a", "2026-01-01T00:00:00Z", 1), job("a", { active: 1 }), true)).toBe("published");
    expect(runState({ runId: "a", published: false }, undefined, false)).toBe("incomplete");
    expect(runState(undefined, job("a", { conditions: [{ type: "Complete", status: "True" }] }), true)).toBe("complete, not published");
    expect(runState(undefined, undefined, true)).toBe("not started");
    expect(runState(undefined, undefined, false)).toBe("missing");
  });

  it("lists the current run first, then newest published, with pins marked", () => {
    const target: AdapterTarget = { name: "bot", currentRunId: "cccccccccccc", jobName: "bot-train-cccccccccccc", pinnedRunId: "aaaaaaaaaaaa" };
    const runs = new Map<string, StoreRun | undefined>([
      ["aaaaaaaaaaaa", published("aaaaaaaaaaaa", "2026-01-01T00:00:00Z", 0.9)],
      ["bbbbbbbbbbbb", published("bbbbbbbbbbbb", "2026-02-01T00:00:00Z", null)],
    ]);
    const rows = adapterRows(target, runs, [job("cccccccccccc", { active: 1 })]);
    expect(rows.map((r) => [r.runId, r.state, r.current, r.pinned])).toEqual([
      ["cccccccccccc", "training", true, false],
      ["bbbbbbbbbbbb", "published", false, false],
      ["aaaaaaaaaaaa", "published", false, true],
    ]);
  });
});

describe("tables", () => {
  it("formats an adapter with eval loss, publish time and escaped smoke outputs", () => {
    const target: AdapterTarget = { name: "support-bot", currentRunId: "4b78589955b6", jobName: "support-bot-train-4b78589955b6", pinnedRunId: "4b78589955b6" };
    const runs = new Map<string, StoreRun | undefined>([
      ["4b78589955b6", published("4b78589955b6", "2026-03-01T10:00:00.000Z", 0.81234, [{ prompt: "Reset my password", output: "Go to Settings\n\u001b[31m" }])],
      ["0123456789ab", { runId: "0123456789ab", published: false, manifestProblem: "manifest.json is not JSON" }],
    ]);
    expect(formatAdapter({ target, store: { ok: true, value: runs }, jobs: { ok: true, value: [] } })).toEqual([
      "adapter support-bot (current run 4b78589955b6, pinned 4b78589955b6)",
      "  RUN           STATE       EVAL LOSS  PUBLISHED",
      "  4b78589955b6  published   0.8123     2026-03-01T10:00:00.000Z  current, pinned",
      '      smoke "Reset my password" → "Go to Settings\\n\\u001b[31m"',
      "  0123456789ab  incomplete  -          -",
      "      problem: manifest.json is not JSON",
    ]);
  });

  it("prints a run's adapter-vs-base evaluation on one line, base - where it has none", () => {
    const target: AdapterTarget = { name: "bot", currentRunId: "4b78589955b6" };
    const run = published("4b78589955b6", "2026-03-01T10:00:00.000Z", 0.41);
    const evaluation = {
      "heldout.loss": { adapter: 0.41, base: 0.69, better: "lower" as const, samples: 6 },
      "heldout.rewardAccuracy": { adapter: 0.83, base: null, better: "higher" as const, samples: 6 },
    };
    const runs = new Map<string, StoreRun | undefined>([["4b78589955b6", { ...run, manifest: { ...run.manifest!, evaluation } }]]);
    expect(formatAdapter({ target, store: { ok: true, value: runs }, jobs: { ok: true, value: [] } }).slice(2)).toEqual([
      "  4b78589955b6  published  0.4100     2026-03-01T10:00:00.000Z  current",
      "      eval (adapter vs base) heldout.loss 0.4100 vs 0.6900, heldout.rewardAccuracy 0.8300 vs -",
    ]);
  });

  it("says which source failed and still prints the rest", () => {
    const target: AdapterTarget = { name: "bot", pinnedRunId: "aaaaaaaaaaaa" };
    const obs = { target, store: { ok: false as const, error: "cannot read s3://b" }, jobs: { ok: true as const, value: [] } };
    expect(formatAdapter(obs)).toEqual([
      "adapter bot (not trained by this stack, pinned aaaaaaaaaaaa)",
      "  store: cannot read s3://b",
      "  RUN           STATE    EVAL LOSS  PUBLISHED",
      "  aaaaaaaaaaaa  missing  -          -          pinned",
    ]);
    expect(anyFailed([obs], [])).toBe(true);
  });

  it("shows pinned vs loaded per adapter, mid-rollout too", () => {
    const target: ServiceTarget = {
      name: "chat",
      runtime: "vllm",
      namespace: "llmkit",
      workload: "chat",
      selector: {},
      port: 8000,
      endpoint: "http://chat.llmkit.svc.cluster.local:8000/v1",
      gatewayUrl: "https://chat.example.com/v1",
      baseModelName: "qwen",
      pinned: [{ name: "bot", runId: "bbbbbbbbbbbb" }],
      clientKeys: [],
      jwt: false,
    };
    const pods = [
      { name: "chat-1", ready: true, adapters: [{ name: "bot", runId: "aaaaaaaaaaaa" }] },
      { name: "chat-2", ready: true, adapters: [{ name: "bot", runId: "bbbbbbbbbbbb" }] },
    ];
    expect(formatService({ target, deployment: { ok: true, value: { desired: 2, ready: 2, updated: 1 } }, pods: { ok: true, value: pods } })).toEqual([
      "service chat (vllm): 2/2 ready",
      "  endpoint http://chat.llmkit.svc.cluster.local:8000/v1",
      "  gateway  https://chat.example.com/v1",
      "  ADAPTER  PINNED        LOADED                                                  ",
      "  bot      bbbbbbbbbbbb  aaaaaaaaaaaa on 1/2 pods, bbbbbbbbbbbb on 1/2 pods  differs: rollout pending or in progress",
    ].map((l) => l.trimEnd()));
    expect(formatService({ target, deployment: { ok: true, value: undefined }, pods: { ok: true, value: [] } })[0]).toBe("service chat (vllm): not deployed");
  });

  it("shows an adapter that follows the current run, and pods that still follow another", () => {
    const target: ServiceTarget = {
      name: "chat",
      runtime: "vllm",
      namespace: "llmkit",
      workload: "chat",
      selector: {},
      port: 8000,
      endpoint: "http://chat.llmkit.svc.cluster.local:8000/v1",
      baseModelName: "qwen",
      pinned: [{ name: "bot", runId: "bbbbbbbbbbbb", follows: true }],
      clientKeys: [],
      jwt: false,
    };
    const following = (runId: string) => ({ name: "chat-1", ready: true, adapters: [], following: [{ name: "bot", runId }] });
    const lines = (runId: string) => formatService({ target, deployment: { ok: true, value: { desired: 1, ready: 1, updated: 1 } }, pods: { ok: true, value: [following(runId)] } });
    expect(lines("bbbbbbbbbbbb").slice(2)).toEqual([
      "  ADAPTER  PINNED                LOADED",
      "  bot      follows bbbbbbbbbbbb  at run time (GET /v1/models)  follows the current run: loaded once published",
    ]);
    expect(lines("aaaaaaaaaaaa")[3]).toBe("  bot      follows bbbbbbbbbbbb  at run time (GET /v1/models)  differs: rollout pending or in progress");
  });

  it("quotes untrusted text on one line and cuts it", () => {
    expect(quote("a\nb")).toBe('"a\\nb"');
    expect(quote("x".repeat(100), 5)).toBe('"xxxxx…"');
  });
});

describe("targets of the shipped stacks", () => {
  it("parses back the adapters the kit renders into vLLM's args", () => {
    const loaded = loadStackFile("local");
    const t = stackTargets(loaded);
    const spec = loaded.config.serving[0]!;
    const svc = resolveService(spec, loaded.config.models[0]!, [{ name: "support-bot", runId: "4b78589955b6", baseModel: "qwen2-5-0-5b" }]);
    expect(loraModules(renderVllmArgs(svc))).toEqual([{ name: "support-bot", runId: "4b78589955b6" }]);
    // the local stack pins nothing: its service follows the fine-tune's current run
    const current = t.adapters[0]!.currentRunId!;
    expect(t.adapters).toEqual([{ name: "support-bot", currentRunId: current, jobName: `support-bot-train-${current}`, followedBy: ["chat"] }]);
    expect(t.services[0]).toMatchObject({
      name: "chat",
      workload: "chat",
      endpoint: "http://chat.llmkit.svc.cluster.local:8000/v1",
      engineKey: { secretName: "chat-api-key", key: "api-key" },
      selector: { "app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "chat" },
      pinned: [{ name: "support-bot", runId: current, follows: true }],
    });
  });

  it("parses back the runs the kit's adapter-follow container follows", () => {
    const loaded = loadStackFile("local");
    const svc = resolveService(loaded.config.serving[0]!, loaded.config.models[0]!, pinnedAdapters(loaded, ["support-bot"]));
    const follow = renderDeployment(svc, platformContract(loaded.platform)).spec.template.spec.containers[1]!;
    const value = follow.env.flatMap((e) => (e.name === "FOLLOW_ADAPTERS" && "value" in e ? [e.value] : []))[0];
    expect(followModules(value)).toEqual([{ name: "support-bot", runId: svc.adapters[0]!.runId }]);
    expect(loraModules(renderVllmArgs(svc))).toEqual([]);
  });

  it("names gateway client keys and pinned-only adapters of a prod stack", () => {
    const t = stackTargets(loadStackFile("workloads-prod"));
    expect(t.adapters.every((a) => a.currentRunId === undefined && a.pinnedRunId !== undefined)).toBe(true);
    const chat = t.services.find((s) => s.name === "chat")!;
    expect(chat.gatewayUrl).toBe("https://chat.llmkit.example.com/v1");
    expect(chat.clientKeys).toEqual([
      { client: "support-web", secretName: "chat-api-clients", key: "support-web" },
      { client: "support-batch", secretName: "chat-api-clients", key: "support-batch" },
    ]);
    expect(t.services.find((s) => s.name === "reranker")).toMatchObject({ runtime: "custom", engineKey: { secretName: "reranker-api-key", key: "api-key" } });
  });
});
