import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { customTimeouts, installMocks, type Registered } from "./__fixtures__/mocks.ts";
import { chat, contract, qwen7b, supportBot } from "./__fixtures__/specs.ts";

const registered = await installMocks();
const { VllmService } = await import("./vllm-service.ts");
const { resolveService } = await import("./defaults.ts");
const { renderDeployment, renderPodDisruptionBudget, renderScripts, renderService } = await import("./render.ts");
const { renderNetworkPolicy } = await import("./network.ts");
const { renderVllmOperations } = await import("./operations.ts");

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const K8S_TYPES = [
  "kubernetes:core/v1:Secret",
  "kubernetes:core/v1:ConfigMap",
  "kubernetes:apps/v1:Deployment",
  "kubernetes:core/v1:Service",
  "kubernetes:policy/v1:PodDisruptionBudget",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  // the test contract has Prometheus: monitor, alerts and dashboard (operations.ts)
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  "kubernetes:core/v1:ConfigMap",
];
const ofService = (name: string) => registered.filter((r) => r.name === name || r.name.startsWith(`${name}-`));
/** Registration is asynchronous: wait until `count` resources of service `name` have arrived. */
async function settled(name: string, count: number): Promise<Registered[]> {
  for (let waited = 0; ofService(name).length < count && waited < 3000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  return ofService(name);
}
const summary = (rs: Registered[]) => rs.map((r) => [r.type, r.name]).sort();

describe("VllmService under mocks", () => {
  it("registers exactly its children, with the rendered objects", async () => {
    const svc = new VllmService("chat", { spec: chat, model: qwen7b, adapters: [supportBot], contract });
    const mine = await settled("chat", 11);
    expect(summary(mine)).toEqual(
      [
        ["llmkit:serving:VllmService", "chat"],
        ["random:index/randomPassword:RandomPassword", "chat-api-key"],
        ["kubernetes:core/v1:Secret", "chat-api-key"],
        ["kubernetes:core/v1:ConfigMap", "chat-scripts"],
        ["kubernetes:apps/v1:Deployment", "chat"],
        ["kubernetes:core/v1:Service", "chat"],
        ["kubernetes:policy/v1:PodDisruptionBudget", "chat"],
        ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "chat"],
        ["kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "chat-monitor"],
        ["kubernetes:monitoring.coreos.com/v1:PrometheusRule", "chat-alerts"],
        ["kubernetes:core/v1:ConfigMap", "chat-dashboard"],
      ].sort(),
    );
    const eff = resolveService(chat, qwen7b, [supportBot]);
    const input = (type: string) => mine.find((r) => r.type === type)!.inputs;
    const deployment = renderDeployment(eff, contract);
    expect(input("kubernetes:apps/v1:Deployment")).toMatchObject({ metadata: deployment.metadata, spec: deployment.spec });
    // Pulumi waits for the rollout as long as its progress deadline (1817 s), not its default 10 min
    expect(customTimeouts.get("kubernetes:apps/v1:Deployment chat")).toEqual({ create: "1817s", update: "1817s" });
    expect(mine.find((r) => r.name === "chat-scripts")!.inputs).toMatchObject({ metadata: renderScripts(eff, contract).metadata, data: renderScripts(eff, contract).data });
    expect(input("kubernetes:core/v1:Service")).toMatchObject({ spec: renderService(eff, contract).spec });
    expect(input("kubernetes:policy/v1:PodDisruptionBudget")).toMatchObject({ spec: renderPodDisruptionBudget(eff, contract).spec });
    expect(input("kubernetes:networking.k8s.io/v1:NetworkPolicy")).toMatchObject({ spec: renderNetworkPolicy(eff, contract, false).spec });
    expect(input("random:index/randomPassword:RandomPassword")).toMatchObject({ length: 48, special: false });
    expect(input("kubernetes:core/v1:Secret")).toMatchObject({ metadata: { name: "chat-api-key", namespace: "llmkit" }, type: "Opaque" });
    // the generated password reaches the Secret, and the whole stringData travels as a Pulumi secret
    const stringData = input("kubernetes:core/v1:Secret").stringData;
    expect(stringData).toEqual({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: { "api-key": "chat-api-key-result" } });

    expect(await value(svc.serviceName)).toBe("chat");
    expect(await value(svc.endpoint)).toBe("http://chat.llmkit.svc.cluster.local:8000/v1");
    expect(await value(svc.apiKeySecretName)).toBe("chat-api-key");
  });

  it("references a given Secret and generates nothing", async () => {
    const spec = { ...chat, name: "given", auth: { type: "api-key" as const, secret: { name: "chat-api-keys", key: "primary" } } };
    const svc = new VllmService("given", { spec, model: qwen7b, adapters: [supportBot], contract });
    expect(summary(await settled("given", 9)).map(([type]) => type).sort()).toEqual(
      ["llmkit:serving:VllmService", ...K8S_TYPES.filter((t) => t !== "kubernetes:core/v1:Secret")].sort(),
    );
    expect(await value(svc.apiKeySecretName)).toBe("chat-api-keys");
  });

  it("has no key Secret without auth", async () => {
    const svc = new VllmService("open", { spec: { ...chat, name: "open", auth: { type: "none" } }, model: qwen7b, adapters: [supportBot], contract });
    expect(await value(svc.apiKeySecretName)).toBeUndefined();
  });

  it("registers the rendered ScaledObject when autoscaling is set", async () => {
    const spec = { ...chat, name: "scaled", auth: { type: "none" as const }, replicas: { min: 2, max: 4 }, autoscaling: {} };
    new VllmService("scaled", { spec, model: qwen7b, adapters: [supportBot], contract });
    const mine = await settled("scaled", 11);
    const scaler = mine.find((r) => r.name === "scaled-scaler")!;
    expect(scaler.type).toBe("kubernetes:keda.sh/v1alpha1:ScaledObject");
    expect(scaler.inputs).toMatchObject(renderVllmOperations(resolveService(spec, qwen7b, [supportBot]), contract).scaledObject!);
  });

  it("refuses autoscaling on a platform without KEDA", () => {
    const spec = { ...chat, name: "nokeda", autoscaling: {} };
    const noKeda = { ...contract, addons: { ...contract.addons, keda: false } };
    expect(() => new VllmService("nokeda", { spec, model: qwen7b, adapters: [supportBot], contract: noKeda })).toThrow("autoscaling needs KEDA");
  });

  it("refuses an invalid service before registering any child", () => {
    const before = registered.length;
    expect(() => new VllmService("bad", { spec: { ...chat, name: "bad" }, model: qwen7b, adapters: [{ ...supportBot, rank: 1024 }], contract })).toThrow(
      'serving "bad" is invalid',
    );
    expect(registered.slice(before).filter((r) => r.name.startsWith("bad-"))).toEqual([]);
  });
});
