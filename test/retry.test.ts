/**
 * `llmkit up` retrying the fine-tunes' failed or missing Jobs (cli/retry.ts): which Jobs of an
 * exported state it picks, where it connects for each, the exact lines and URNs of its plan, and
 * `Cluster.job` against a fake API server on loopback. The real Pulumi CLI and API server run it in
 * e2e/pulumi/run.ts (`retry:` checks).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../cli/llmkit.ts";
import { clearForRetry, findRetries, fineTuneJobs, providerKube, retryPlan, type JobReader, type RetryStack } from "../cli/retry.ts";
import { parseUpArgs } from "../cli/up.ts";
import { Cluster, type KubeOptions, type LiveJob } from "../ops/kube.ts";
import { capture } from "./capture.ts";

const scratch = mkdtempSync(join(tmpdir(), "llmkit-retry-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const STACK = "urn:pulumi:e2e-workloads::llmkit::";
const PROVIDER_URN = `${STACK}pulumi:providers:kubernetes::platform`;
const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(value) });
const KUBECONFIG_TEXT = "apiVersion: v1\nkind: Config\nclusters: []\n";

function job(name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    urn: `${STACK}llmkit:training:FineTune$kubernetes:batch/v1:Job::${name}`,
    custom: true,
    id: `llmkit/${name}`,
    type: "kubernetes:batch/v1:Job",
    provider: `${PROVIDER_URN}::p1`,
    outputs: { metadata: { name, namespace: "llmkit", labels } },
    ...extra,
  };
}
const kit = (component: string, instance: string, runId?: string) => ({
  "app.kubernetes.io/part-of": "llmkit",
  "app.kubernetes.io/component": component,
  "app.kubernetes.io/instance": instance,
  ...(runId !== undefined ? { "llmkit.dev/run-id": runId } : {}),
});

/** A state with every kind of Job the selection must tell apart. */
const DEPLOYMENT = {
  resources: [
    { urn: `${STACK}pulumi:pulumi:Stack::llmkit-e2e-workloads`, type: "pulumi:pulumi:Stack" },
    { urn: PROVIDER_URN, id: "p1", type: "pulumi:providers:kubernetes", inputs: { kubeconfig: secret(KUBECONFIG_TEXT), version: "4.34.2" } },
    job("support-bot-train-0123456789ab", kit("training", "support-bot", "0123456789ab")),
    job("support-bot-merge-0123456789ab", kit("merge", "support-bot", "0123456789ab")),
    job("support-bot-gguf-0123456789ab", kit("gguf-export", "support-bot", "0123456789ab")),
    job("triage-train-ba9876543210", kit("training", "triage", "ba9876543210")),
    job("qwen-mirror", kit("model-mirror", "qwen")),
    job("someone-elses", { "app.kubernetes.io/component": "training", "app.kubernetes.io/instance": "x" }),
    job("support-bot-train-old000000000", kit("training", "support-bot", "old000000000"), { delete: true }),
  ],
};
const urn = (name: string) => `${STACK}llmkit:training:FineTune$kubernetes:batch/v1:Job::${name}`;

describe("fineTuneJobs", () => {
  it("takes the fine-tunes' training, merge and GGUF Jobs, never a mirror, another part-of or one pending deletion", () => {
    expect(fineTuneJobs(DEPLOYMENT).map((j) => [j.name, j.fineTune, j.component, j.runId])).toEqual([
      ["support-bot-train-0123456789ab", "support-bot", "training", "0123456789ab"],
      ["support-bot-merge-0123456789ab", "support-bot", "merge", "0123456789ab"],
      ["support-bot-gguf-0123456789ab", "support-bot", "gguf-export", "0123456789ab"],
      ["triage-train-ba9876543210", "triage", "training", "ba9876543210"],
    ]);
  });
  it("connects with the kubeconfig of the provider that created the Job", () => {
    expect(fineTuneJobs(DEPLOYMENT)[0]).toEqual({
      urn: urn("support-bot-train-0123456789ab"),
      namespace: "llmkit",
      name: "support-bot-train-0123456789ab",
      fineTune: "support-bot",
      component: "training",
      runId: "0123456789ab",
      kube: { kubeconfigText: KUBECONFIG_TEXT },
    });
  });
  it("finds nothing in a new stack's state", () => {
    expect(fineTuneJobs(undefined)).toEqual([]);
    expect(fineTuneJobs({ manifest: {} })).toEqual([]);
  });
  it("refuses a Job whose provider is not in the state", () => {
    const broken = { resources: [job("a-train-0123456789ab", kit("training", "a"), { provider: `${STACK}pulumi:providers:kubernetes::gone::p9` })] };
    expect(() => fineTuneJobs(broken)).toThrow(`the state has no provider ${STACK}pulumi:providers:kubernetes::gone::p9 for ${urn("a-train-0123456789ab")}`);
  });
});

describe("providerKube", () => {
  const file = join(scratch, "kubeconfig");
  writeFileSync(file, KUBECONFIG_TEXT);
  it.each<[string, Record<string, unknown> | undefined, KubeOptions]>([
    ["no inputs: the ambient context", undefined, {}],
    ["an empty kubeconfig (the existing platform's ambient context)", { kubeconfig: secret("") }, {}],
    ["a path that exists", { kubeconfig: file }, { kubeconfig: file }],
    ["a path under ~", { kubeconfig: "~/kubeconfig" }, { kubeconfig: file }],
    ["a kubeconfig's text, as a secret", { kubeconfig: secret(KUBECONFIG_TEXT) }, { kubeconfigText: KUBECONFIG_TEXT }],
    ["a context", { kubeconfig: secret(""), context: "kind-llmkit" }, { context: "kind-llmkit" }],
  ])("%s", (_, inputs, expected) => {
    expect(providerKube(inputs, scratch)).toEqual(expected);
  });
  it("refuses an encrypted secret (an export without --show-secrets)", () => {
    expect(() => providerKube({ kubeconfig: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" } })).toThrow(/exported with --show-secrets/);
  });
});

const FAILED: LiveJob = { conditions: [{ type: "FailureTarget", reason: "BackoffLimitExceeded" }, { type: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] };
const RUNNING: LiveJob = { conditions: [] };
const COMPLETE: LiveJob = { conditions: [{ type: "SuccessCriteriaMet" }, { type: "Complete" }] };

describe("retryPlan", () => {
  const [train, merge, gguf, triage] = fineTuneJobs(DEPLOYMENT);
  it("replaces failed Jobs, recreates missing ones and leaves running and complete ones alone, with one line each", () => {
    const plan = retryPlan([
      { job: train!, live: FAILED },
      { job: merge!, live: { conditions: [{ type: "Failed", reason: "DeadlineExceeded" }] } },
      { job: gguf!, live: RUNNING },
      { job: triage!, live: undefined },
    ]);
    expect(plan.lines).toEqual([
      "fine-tune support-bot: Job llmkit/support-bot-train-0123456789ab failed (BackoffLimitExceeded: Job has reached the specified backoff limit): it will be replaced; it resumes from the newest complete checkpoint under checkpoints/support-bot/0123456789ab/ in the store, if an earlier pod of the run saved one",
      "fine-tune support-bot: merge Job llmkit/support-bot-merge-0123456789ab failed (DeadlineExceeded): it will be replaced",
      "fine-tune triage: Job llmkit/triage-train-ba9876543210 is in the stack's state but not in the cluster (deleted by hand?): it will be created again; it resumes from the newest complete checkpoint under checkpoints/triage/ba9876543210/ in the store, if an earlier pod of the run saved one",
    ]);
    expect(plan.destroy).toEqual([train, merge]);
    expect(plan.refresh).toEqual([triage]);
    expect(plan.replace).toEqual([train!.urn, merge!.urn, triage!.urn]);
  });
  it("does nothing when no Job failed or went missing", () => {
    expect(retryPlan([{ job: train!, live: COMPLETE }, { job: gguf!, live: RUNNING }])).toEqual({ lines: [], replace: [], destroy: [], refresh: [] });
  });
  it("names a Failed condition without reason or message plainly", () => {
    expect(retryPlan([{ job: gguf!, live: { conditions: [{ type: "Failed" }] } }]).lines).toEqual(["fine-tune support-bot: GGUF export Job llmkit/support-bot-gguf-0123456789ab failed: it will be replaced"]);
  });
});

/**
 * A stack whose state is `deployment` and a cluster holding `live`, recording every operation. A
 * destroyed Job stays in the cluster for `lingers` more reads, as a foreground deletion keeps it
 * until its pods are gone.
 */
function fake(live: Record<string, LiveJob | undefined>, deployment: unknown = DEPLOYMENT, lingers = 2) {
  const calls: string[] = [];
  const connections: KubeOptions[] = [];
  const deleting = new Map<string, number>();
  const stack: RetryStack = {
    exportStack: () => Promise.resolve({ deployment }),
    destroy: (opts) => {
      calls.push(`destroy ${opts.target.join(" ")}`);
      for (const target of opts.target) deleting.set(target.split("::").at(-1)!, lingers);
      return Promise.resolve();
    },
    refresh: (opts) => Promise.resolve(calls.push(`refresh ${opts.target.join(" ")}`)),
  };
  const reader: JobReader = (kube) => {
    connections.push(kube);
    return Promise.resolve({
      job: (namespace, name) => {
        calls.push(`read ${namespace}/${name}`);
        const left = deleting.get(name);
        if (left === undefined) return Promise.resolve(live[name]);
        deleting.set(name, left - 1);
        return Promise.resolve(left > 0 ? live[name] : undefined);
      },
    });
  };
  return { stack, reader, calls, connections };
}
const FAST = { timeoutS: 5, pollMs: 1 };

describe("findRetries and clearForRetry", () => {
  const TRAIN = "support-bot-train-0123456789ab";
  it("reads every fine-tune Job through one connection per provider; deletes failed ones, waits until they are gone, then drops missing ones", async () => {
    const { stack, reader, calls, connections } = fake({ [TRAIN]: FAILED, "support-bot-merge-0123456789ab": COMPLETE, "support-bot-gguf-0123456789ab": RUNNING });
    const plan = await findRetries(stack, reader);
    expect(connections).toEqual([{ kubeconfigText: KUBECONFIG_TEXT }]);
    expect(plan.replace).toEqual([urn(TRAIN), urn("triage-train-ba9876543210")]);
    calls.length = 0;
    await clearForRetry(stack, plan, reader, () => {}, FAST);
    expect(calls).toEqual([`destroy ${urn(TRAIN)}`, `read llmkit/${TRAIN}`, `read llmkit/${TRAIN}`, `read llmkit/${TRAIN}`, `refresh ${urn("triage-train-ba9876543210")}`]);
  });
  it("stops, naming the Job, when a deleted Job is not gone in time", async () => {
    const { stack, reader } = fake({ [TRAIN]: FAILED, "triage-train-ba9876543210": RUNNING }, DEPLOYMENT, 1e9);
    const plan = await findRetries(stack, reader);
    await expect(clearForRetry(stack, plan, reader, () => {}, { timeoutS: 0.05, pollMs: 10 })).rejects.toThrow(
      `fine-tune support-bot: Job llmkit/${TRAIN} is still being deleted after 0.05s (its pods go first): run up again once it is gone`,
    );
  });
  it("changes nothing when there is nothing to retry", async () => {
    const { stack, calls } = fake({}, { resources: [] });
    const plan = await findRetries(stack, () => Promise.reject(new Error("no Job, so no connection")));
    await clearForRetry(stack, plan, () => Promise.reject(new Error("nothing to wait for")), () => {}, FAST);
    expect(calls).toEqual([]);
  });
  it("names the fine-tune and --no-retry when the cluster cannot be read", async () => {
    const { stack } = fake({});
    const reader: JobReader = () =>
      Promise.reject(new Error("cannot reach the API server at https://127.0.0.1:1 (ECONNREFUSED): is the current kube context the right cluster, and is it up?"));
    await expect(findRetries(stack, reader)).rejects.toThrow(
      "checking fine-tune support-bot's Job for a retry: cannot reach the API server at https://127.0.0.1:1 (ECONNREFUSED): is the current kube context the right cluster, and is it up? (--no-retry skips this check)",
    );
  });
});

describe("parseUpArgs --no-retry", () => {
  it("is in llmkit up --help, with what a retry does", async () => {
    const help = await capture((print, printErr) => main(["up", "--help"], print, printErr));
    expect(help.code).toBe(0);
    const text = help.out.join("\n");
    expect(text).toContain("usage: llmkit up --stack <name> [--preview | --destroy] [--yes] [--expect-no-changes] [--no-retry] ");
    expect(text).toContain("fine-tune Jobs (training, merge, GGUF export) that failed or\nwere deleted by hand");
  });
  it("retries by default and not with --no-retry", () => {
    expect(parseUpArgs(["--stack", "local"]).retry).toBe(true);
    expect(parseUpArgs(["--stack", "local", "--no-retry", "--preview"]).retry).toBe(false);
  });
  it("refuses --no-retry with --destroy", () => {
    expect(() => parseUpArgs(["--stack", "local", "--destroy", "--yes", "--no-retry"])).toThrow(/--no-retry does not apply to --destroy/);
  });
});

describe("Cluster.job against a fake API server", () => {
  let server: Server;
  let kubeconfigText = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = /^\/apis\/batch\/v1\/namespaces\/llmkit\/jobs\/([^/?]+)$/.exec(req.url ?? "")?.[1];
      const body =
        name === "failed"
          ? {
              kind: "Job",
              apiVersion: "batch/v1",
              metadata: { name, namespace: "llmkit", uid: "u1" },
              status: {
                conditions: [
                  { type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
                  { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
                  { type: "Suspended", status: "False", reason: "JobResumed" },
                ],
              },
            }
          : name === "forbidden"
            ? { kind: "Status", apiVersion: "v1", status: "Failure", message: 'jobs.batch "forbidden" is forbidden', reason: "Forbidden", code: 403 }
            : { kind: "Status", apiVersion: "v1", status: "Failure", message: `jobs.batch "${name}" not found`, reason: "NotFound", code: 404 };
      res.writeHead(name === "failed" ? 200 : body.code as number, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    kubeconfigText = [
      "apiVersion: v1",
      "kind: Config",
      `clusters: [{ name: fake, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]`,
      "users: [{ name: fake, user: { token: t } }]",
      "contexts: [{ name: fake, context: { cluster: fake, user: fake } }]",
      "current-context: fake",
    ].join("\n");
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reads the True conditions of a Job, undefined for a missing one, and names the API server's refusal", async () => {
    const cluster = await Cluster.connect({ kubeconfigText }, {});
    expect(await cluster.job("llmkit", "failed")).toEqual({
      conditions: [
        { type: "FailureTarget", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
        { type: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
      ],
    });
    expect(await cluster.job("llmkit", "gone")).toBeUndefined();
    await expect(cluster.job("llmkit", "forbidden")).rejects.toThrow(`reading Job llmkit/forbidden: the API server at ${cluster.server} answered 403: jobs.batch "forbidden" is forbidden`);
  });
});
