/**
 * Checks of the `local` stack on its one kind-sized node (e2e/cluster/nodes.ts KIND_NODE): its pods'
 * requests fit what kind leaves (steady state; at start-up the training pod may wait for the mirror
 * Job, which it waits for anyway), everything ran on that node, the training pod uploads the
 * shipped sample data first, and the service follows the fine-tune's run beside a base-model engine.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Kube, KubeObject, Live } from "./kube.ts";
import { kindAllocatable, podRequest, podTemplates } from "./nodes.ts";
import type { Report } from "../lib/report.ts";

const ROOT = join(import.meta.dirname, "../..");
/** Jobs that end before the training pod needs its room (it waits for the base model's mirror). */
const START_UP_JOBS = /^Job\/(llmkit-store-bucket|.*-mirror)$/;

export function localChecks(kube: Kube, namespace: string, objects: readonly KubeObject[], report: Pick<Report, "check" | "note">): void {
  const check = report.check.bind(report);
  const note = report.note.bind(report);
  const alloc = kindAllocatable();
  const pods = podTemplates(objects).map((t) => {
    const replicas = Number((objects.find((o) => `${o.kind}/${o.metadata.name}` === t.owner)?.spec as Live)?.replicas ?? 1);
    const r = podRequest(t.spec);
    return { owner: t.owner, cpuMilli: r.cpuMilli * replicas, memoryMiB: r.memoryMiB * replicas };
  });
  const sum = (ps: typeof pods) => ps.reduce((a, p) => ({ cpuMilli: a.cpuMilli + p.cpuMilli, memoryMiB: a.memoryMiB + p.memoryMiB }), { cpuMilli: 0, memoryMiB: 0 });
  const steady = sum(pods.filter((p) => !START_UP_JOBS.test(p.owner)));
  const peak = sum(pods);
  note(`local requests: ${pods.map((p) => `${p.owner} ${p.cpuMilli}m/${Math.round(p.memoryMiB)}Mi`).join(", ")}`);
  check(
    `local steady-state requests ${steady.cpuMilli}m / ${Math.round(steady.memoryMiB)}Mi fit the kind node's ${alloc.cpuMilli}m / ${alloc.memoryMiB}Mi left after kind's own pods`,
    steady.cpuMilli <= alloc.cpuMilli && steady.memoryMiB <= alloc.memoryMiB,
  );
  note(`local start-up peak (bucket and mirror Jobs too): ${peak.cpuMilli}m / ${Math.round(peak.memoryMiB)}Mi${peak.memoryMiB > alloc.memoryMiB || peak.cpuMilli > alloc.cpuMilli ? ": the training pod waits for the mirror Job's room" : ""}`);

  const live = kube.list("pods", namespace);
  const nodes = new Set<unknown>(live.map((p) => p.spec.nodeName));
  check(`every local pod ran on the one kind node (${live.length} pods on ${[...nodes].join(", ")})`, nodes.size === 1 && !nodes.has(undefined));

  // the upload step: first in the training pod, its ConfigMap holding the shipped file as it is
  const train = objects.find((o) => o.kind === "Job" && o.metadata.name.startsWith("support-bot-train-"));
  const spec = train === undefined ? undefined : (train.spec as Live).template.spec;
  const data = spec?.volumes.find((v: Live) => v.name === "uploads")?.configMap?.name as string | undefined;
  check(`${train?.metadata.name}: upload-datasets runs first, from ConfigMap ${data}`, spec?.initContainers[0]?.name === "upload-datasets" && data !== undefined);
  const cm = data === undefined ? undefined : kube.get("configmap", data, namespace);
  check(
    `ConfigMap ${data} is immutable and holds data/support/train.jsonl byte for byte`,
    cm?.immutable === true && cm?.data?.["0-train.jsonl"] === readFileSync(join(ROOT, "data/support/train.jsonl"), "utf8"),
  );

  // the service: the engine starts on the base model, adapter-follow loads the current run
  // (an empty env value comes back from the API server without its `value`: EnvVar omits it empty)
  const chat = kube.get("deployment", "chat", namespace);
  const pod = chat?.spec.template.spec;
  const env = (c: string, name: string) => pod?.[c === "fetch" ? "initContainers" : "containers"].find((x: Live) => x.name === c)?.env.find((e: Live) => e.name === name)?.value;
  const runId = train?.metadata.labels?.["llmkit.dev/run-id"];
  check(
    `Deployment chat follows run ${runId}: adapter-follow beside vllm, runtime LoRA on, nothing pinned to fetch`,
    env("adapter-follow", "FOLLOW_ADAPTERS") === `support-bot=adapters/support-bot/${runId}/` && env("vllm", "VLLM_ALLOW_RUNTIME_LORA_UPDATING") === "True" && (env("fetch", "ADAPTER_PREFIXES") ?? "") === "",
  );
}
