import { describe, expect, it } from "vitest";
import { resolveService, type EffectiveService } from "./defaults.ts";
import { drainProblems, exposureProblems, serviceProblems, validateService } from "./validate.ts";
import { chat, contract, localChat, localSupportBot, qwen05b, qwen7b, supportBot } from "./__fixtures__/specs.ts";

const dev = resolveService(chat, qwen7b, [supportBot]);

describe("drainProblems", () => {
  it("accepts a grace period that covers preStop + drain", () => {
    expect(drainProblems(dev.drain)).toEqual([]);
    expect(drainProblems({ preStopSeconds: 10, shutdownTimeoutSeconds: 60, terminationGracePeriodSeconds: 70 })).toEqual([]);
  });

  it("refuses a grace period shorter than preStop + drain", () => {
    expect(drainProblems({ preStopSeconds: 10, shutdownTimeoutSeconds: 60, terminationGracePeriodSeconds: 69 })).toEqual([
      "terminationGracePeriodSeconds (69) is shorter than preStop (10) + --shutdown-timeout (60) = 70: in-flight requests would be killed",
    ]);
  });
});

describe("serviceProblems", () => {
  it("accepts the shipped dev and local services", () => {
    expect(serviceProblems(dev, contract)).toEqual([]);
    expect(serviceProblems(resolveService(localChat, qwen05b, [localSupportBot]), contract)).toEqual([]);
  });

  it("refuses an adapter trained on another base", () => {
    const svc = resolveService(chat, qwen7b, [{ ...supportBot, baseModel: "llama-3-8b" }]);
    expect(serviceProblems(svc, contract)).toEqual(['adapter "support-bot" was trained on base "llama-3-8b" but this service serves "qwen2-5-7b"']);
  });

  it.each([513, 1024, 0, 2.5])("refuses adapter rank %d", (rank) => {
    const svc = resolveService(chat, qwen7b, [{ ...supportBot, rank }]);
    expect(serviceProblems(svc, contract)).toEqual([
      `adapter "support-bot" has rank ${rank}: vLLM serves LoRA ranks 1 to 512 (vllm/config/lora.py MaxLoRARanks)`,
    ]);
  });

  it("accepts rank 512", () => {
    expect(serviceProblems(resolveService(chat, qwen7b, [{ ...supportBot, rank: 512 }]), contract)).toEqual([]);
  });

  it("refuses a model other than spec.baseModel, duplicate adapters and an adapter named like the model", () => {
    const svc = resolveService(chat, qwen05b, [localSupportBot, localSupportBot, { ...localSupportBot, name: "qwen2-5-0-5b" }]);
    expect(serviceProblems(svc, contract)).toEqual([
      'baseModel is "qwen2-5-7b" but model "qwen2-5-0-5b" was passed',
      'adapter "support-bot" is listed twice',
      `adapter "qwen2-5-0-5b" has the served model's name: requests could not tell them apart`,
    ]);
  });

  it("refuses placements the contract cannot satisfy", () => {
    const at = (patch: Partial<EffectiveService>) => serviceProblems({ ...dev, ...patch }, contract);
    expect(at({ pool: "nope" })).toEqual(['pool "nope" is not in the platform contract (pools: serving-l4, cpu)']);
    expect(at({ gpus: 8 })).toEqual(['gpus is 8 but nodes of pool "serving-l4" have 4: one pod cannot span nodes']);
    expect(at({ pool: "cpu" })).toEqual(['pool "cpu" has no GPUs but gpus is 1: use a GPU pool or engine.device: cpu']);
    expect(at({ gpus: 0 })).toEqual(["gpus is 0: request at least 1 GPU, or set engine.device: cpu"]);
    expect(at({ device: "cpu", pool: "cpu" })).toEqual(["engine.device is cpu but gpus is 1: set gpus: 0"]);
  });

  it("refuses maxCpuLoras below maxLoras and memory that /dev/shm would exhaust", () => {
    const svc = { ...dev, engine: { ...dev.engine, maxCpuLoras: 2 }, resources: { cpu: 1, memoryGiB: 2 } };
    expect(serviceProblems(svc, contract)).toEqual([
      "engine.maxCpuLoras (2) must be ≥ engine.maxLoras (4) as vLLM requires",
      "resources.memoryGiB (2) must exceed the 2 GiB memory-backed /dev/shm it includes",
    ]);
  });
});

describe("validateService", () => {
  it("refuses a CPU memory limit that leaves less than 1 GiB of KV cache", () => {
    const local = resolveService({ ...localChat, resources: { cpu: 4, memoryGiB: 5 } }, qwen05b, [localSupportBot]);
    expect(local.engine.cpuKvCacheGiB).toBe(0);
    expect(serviceProblems(local, contract)).toEqual([
      "resources.memoryGiB (5) leaves 0 GiB for vLLM's CPU KV cache (VLLM_CPU_KVCACHE_SPACE = 5 GiB limit − 1 GiB /dev/shm − 1 GiB weights − 3 GiB runtime, in whole GiB); it must be at least 1 GiB and must hold one engine.maxModelLen (2048) sequence, 0.02 GiB: raise resources.memoryGiB to 6",
    ]);
  });

  it("throws once with every problem", () => {
    const svc = resolveService(chat, qwen7b, [{ ...supportBot, baseModel: "other", rank: 600 }]);
    expect(() => validateService(svc, contract)).toThrow(
      'serving "chat" is invalid:\n  - adapter "support-bot" was trained on base "other" but this service serves "qwen2-5-7b"\n' +
        '  - adapter "support-bot" has rank 600: vLLM serves LoRA ranks 1 to 512 (vllm/config/lora.py MaxLoRARanks)',
    );
  });
});

describe("exposureProblems", () => {
  const exposure = { hostname: "chat.example.com", tls: { secretName: "chat-tls" } };
  const clients = [
    { name: "web", secret: "chat-clients" },
    { name: "batch", secret: "chat-clients" },
  ];
  const jwt = { type: "jwt" as const, issuer: "https://login.example.com/", audiences: ["llmkit"], jwksUri: "https://login.example.com/jwks" };

  it("accepts an exposed service with gateway clients or jwt, and a cluster-internal one with the engine key", () => {
    expect(exposureProblems({ auth: { type: "api-key", clients }, exposure }, contract)).toEqual([]);
    expect(exposureProblems({ auth: jwt, exposure }, contract)).toEqual([]);
    expect(exposureProblems({ auth: { type: "api-key", secret: { name: "k", key: "key" } } }, contract)).toEqual([]);
  });

  it("refuses gateway-only auth on a cluster-internal service", () => {
    expect(exposureProblems({ auth: jwt }, contract)).toEqual(["auth: jwt is verified by the gateway, but the service is not exposed: set exposure, or use type: api-key"]);
    expect(exposureProblems({ auth: { type: "api-key", clients } }, contract)).toEqual([
      "auth.clients: are gateway keys, but the service is not exposed: set exposure, or remove them (in-cluster callers use the engine key)",
    ]);
  });

  it("refuses an exposed api-key service without clients, with an engine key, or with duplicate client ids", () => {
    expect(exposureProblems({ auth: { type: "api-key", secret: { name: "k", key: "key" } }, exposure }, contract)).toEqual([
      "auth.clients: is required when the service is exposed: list each client and the Secret holding its key",
      "auth.secret: an exposed service has no engine key (the gateway authenticates): remove it, or remove exposure",
    ]);
    expect(exposureProblems({ auth: { type: "api-key", clients: [...clients, { name: "web", secret: "other" }] }, exposure }, contract)).toEqual([
      'auth.clients[2].name: "web" is listed twice: client ids must be unique',
    ]);
  });

  it("refuses exposure on a platform without Envoy Gateway", () => {
    const none = { ...contract, addons: { ...contract.addons, gatewayClassName: null } };
    expect(exposureProblems({ auth: jwt, exposure }, none)).toEqual([
      "exposure: the platform runs no Envoy Gateway (platform.addons.envoyGateway is off): switch it on or remove exposure",
    ]);
  });

  it("is part of validateService's single error when the spec is given", () => {
    const svc = resolveService({ ...chat, auth: jwt }, qwen7b, [supportBot]);
    expect(() => validateService(svc, contract, { auth: jwt })).toThrow(
      'serving "chat" is invalid:\n  - auth: jwt is verified by the gateway, but the service is not exposed: set exposure, or use type: api-key',
    );
  });
});
