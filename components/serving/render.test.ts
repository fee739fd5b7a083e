import { describe, expect, it } from "vitest";
import { imageRef, images } from "../lib/versions.ts";
import { resolveService } from "./defaults.ts";
import { renderVllmArgs } from "./engine-args.ts";
import {
  renderDeployment,
  renderPodDisruptionBudget,
  renderScripts,
  renderService,
  serviceEndpoint,
} from "./render.ts";
import { SCRIPTS_SHA256, SERVING_SCRIPTS } from "./scripts.ts";
import { chat, chatLabels, contract, localChat, localSupportBot, qwen05b, qwen7b, supportBot } from "./__fixtures__/specs.ts";

const dev = resolveService(chat, qwen7b, [supportBot]);
const local = resolveService(localChat, qwen05b, [localSupportBot]);

const labels = chatLabels;
const selector = { "app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "chat" };
const meta = (name: string) => ({ name, namespace: "llmkit", labels });
const secCtx = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: false,
  seccompProfile: { type: "RuntimeDefault" },
};
const health = { httpGet: { path: "/health", port: "http" } };

describe("renderDeployment", () => {
  it("renders the exact Deployment of the dev service", () => {
    expect(renderDeployment(dev, contract)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta("chat"),
      spec: {
        replicas: 2,
        progressDeadlineSeconds: 1817,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels, annotations: { "llmkit.dev/scripts-sha256": SCRIPTS_SHA256 } },
          spec: {
            serviceAccountName: "llmkit-serving",
            priorityClassName: "llmkit-serving",
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 85,
            securityContext: { runAsNonRoot: true, runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
            nodeSelector: { "llmkit.dev/pool": "serving-l4" },
            tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                labelSelector: { matchLabels: selector },
                matchLabelKeys: ["pod-template-hash"],
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
              },
              {
                maxSkew: 1,
                labelSelector: { matchLabels: selector },
                matchLabelKeys: ["pod-template-hash"],
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "DoNotSchedule",
              },
            ],
            initContainers: [
              {
                name: "fetch",
                image: "amazon/aws-cli:2.36.7",
                command: ["bash", "/scripts/fetch.sh"],
                env: [
                  { name: "AWS_REGION", value: "us-west-2" },
                  { name: "AWS_DEFAULT_REGION", value: "us-west-2" },
                  { name: "STORE_BUCKET", value: "acme-llmkit-dev-models" },
                  { name: "MODEL_PREFIX", value: "models/Qwen/Qwen2.5-7B-Instruct/a09a35458c702b33eeacc393d103063234e8bc28/" },
                  { name: "MODEL_REVISION", value: "a09a35458c702b33eeacc393d103063234e8bc28" },
                  { name: "ADAPTER_PREFIXES", value: "adapters/support-bot/c2f47069e7bc/" },
                  { name: "MODELS_DIR", value: "/models" },
                  { name: "BASE_MODEL_DIR", value: "/models/base" },
                  { name: "MAX_LORA_RANK", value: "16" },
                  { name: "HOME", value: "/tmp" },
                ],
                resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
                securityContext: secCtx,
                volumeMounts: [
                  { name: "models", mountPath: "/models" },
                  { name: "scripts", mountPath: "/scripts", readOnly: true },
                ],
              },
            ],
            containers: [
              {
                name: "vllm",
                image: "vllm/vllm-openai:v0.21.0",
                args: renderVllmArgs(dev),
                env: [
                  { name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: "chat-api-key", key: "api-key" } } },
                  { name: "HOME", value: "/cache" },
                  { name: "LOGNAME", value: "vllm" },
                  { name: "VLLM_NO_USAGE_STATS", value: "1" },
                  { name: "VLLM_DO_NOT_TRACK", value: "1" },
                  { name: "HF_HUB_OFFLINE", value: "1" },
                ],
                ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }],
                resources: { requests: { cpu: "4", memory: "34Gi" }, limits: { cpu: "4", memory: "34Gi", "nvidia.com/gpu": "1" } },
                securityContext: secCtx,
                startupProbe: { ...health, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 46 },
                readinessProbe: { ...health, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
                livenessProbe: { ...health, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 4 },
                lifecycle: { preStop: { sleep: { seconds: 10 } } },
                volumeMounts: [
                  { name: "models", mountPath: "/models", readOnly: true },
                  { name: "cache", mountPath: "/cache" },
                  { name: "dshm", mountPath: "/dev/shm" },
                ],
              },
            ],
            volumes: [
              { name: "models", emptyDir: { sizeLimit: "19Gi" } },
              { name: "cache", emptyDir: { sizeLimit: "4Gi" } },
              { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "2Gi" } },
              { name: "scripts", configMap: { name: "chat-scripts", defaultMode: 0o444 } },
            ],
          },
        },
      },
    });
  });

  it("keeps every probe timeout at 5 s or more and the startup window covering weight load", () => {
    const [engine] = renderDeployment(dev, contract).spec.template.spec.containers;
    for (const probe of [engine.startupProbe, engine.readinessProbe, engine.livenessProbe]) expect(probe.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(engine.startupProbe.periodSeconds * engine.startupProbe.failureThreshold).toBe(dev.startup.probeSeconds);
  });

  it("drains within the grace period: preStop + --shutdown-timeout ≤ terminationGracePeriodSeconds", () => {
    const spec = renderDeployment(dev, contract).spec.template.spec;
    const args = spec.containers[0].args;
    const shutdown = Number(args[args.indexOf("--shutdown-timeout") + 1]);
    expect(spec.containers[0].lifecycle.preStop.sleep.seconds + shutdown).toBeLessThanOrEqual(spec.terminationGracePeriodSeconds);
  });

  it("scales /dev/shm with the tensor-parallel degree", () => {
    const tp4 = renderDeployment(resolveService({ ...chat, gpus: 4 }, qwen7b, [supportBot]), contract).spec.template.spec;
    expect(tp4.volumes[2]).toEqual({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "8Gi" } });
    expect(tp4.containers[0].resources.limits).toEqual({ cpu: "16", memory: "40Gi", "nvidia.com/gpu": "4" });
  });

  it("references a given Secret and sets no key without auth", () => {
    const given = resolveService({ ...chat, auth: { type: "api-key", secret: { name: "chat-api-keys", key: "primary" } } }, qwen7b, [supportBot]);
    expect(renderDeployment(given, contract).spec.template.spec.containers[0].env[0]).toEqual({
      name: "VLLM_API_KEY",
      valueFrom: { secretKeyRef: { name: "chat-api-keys", key: "primary" } },
    });
    const open = resolveService({ ...chat, auth: { type: "none" } }, qwen7b, [supportBot]);
    expect(renderDeployment(open, contract).spec.template.spec.containers[0].env.map((e) => e.name)).not.toContain("VLLM_API_KEY");
  });

  it("keeps the generated engine key behind the gateway, with api-key clients and with jwt", () => {
    const exposure = { hostname: "chat.example.com" };
    const engineKey = { name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: "chat-api-key", key: "api-key" } } };
    const clients = resolveService({ ...chat, auth: { type: "api-key", clients: [{ name: "web", secret: "keys" }] }, exposure }, qwen7b, [supportBot]);
    const jwt = resolveService({ ...chat, auth: { type: "jwt", issuer: "https://id.example.com/", audiences: ["llmkit"], jwksUri: "https://id.example.com/jwks" }, exposure }, qwen7b, [supportBot]);
    for (const svc of [clients, jwt]) {
      expect(svc.apiKey).toEqual({ secretName: "chat-api-key", key: "api-key", generated: true });
      expect(renderDeployment(svc, contract).spec.template.spec.containers[0].env[0]).toEqual(engineKey);
    }
  });

  it("runs the CPU image without GPU limits or tolerations on the local pool", () => {
    const d = renderDeployment(local, contract);
    const spec = d.spec.template.spec;
    expect(spec.containers[0].image).toBe(imageRef(images.vllmCpu));
    expect(spec.containers[0].resources).toEqual({ requests: { cpu: "4", memory: "8Gi" }, limits: { cpu: "4", memory: "8Gi" } });
    expect([spec.nodeSelector, spec.tolerations, d.spec.replicas]).toEqual([{}, [], 1]);
    expect(d.metadata.labels["app.kubernetes.io/version"]).toBe(images.vllmCpu.version);
  });

  it("sizes the CPU KV cache from the container limit, never from the node's RAM", () => {
    // unset, vLLM takes 50 % of the node's free RAM (vllm-project/vllm#29604) and the pod is OOM-killed;
    // 8 GiB limit − 1 GiB /dev/shm (CPU backend) − 1 GiB weights − 3 GiB runtime = 3 GiB, an integer as vllm/envs.py parses it
    const env = renderDeployment(local, contract).spec.template.spec.containers[0].env;
    expect(env.filter((e) => e.name === "VLLM_CPU_KVCACHE_SPACE")).toEqual([{ name: "VLLM_CPU_KVCACHE_SPACE", value: "3" }]);
    expect(renderDeployment(dev, contract).spec.template.spec.containers[0].env.map((e) => e.name)).not.toContain("VLLM_CPU_KVCACHE_SPACE");
  });
});

describe("other objects", () => {
  it("ConfigMap ships fetch.sh", () => {
    expect(renderScripts(dev, contract)).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("chat-scripts"), data: SERVING_SCRIPTS });
  });

  it("Service is a ClusterIP on port 8000 named http", () => {
    expect(renderService(dev, contract)).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("chat"),
      spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }] },
    });
    expect(serviceEndpoint(dev, contract)).toBe("http://chat.llmkit.svc.cluster.local:8000/v1");
  });

  it("PodDisruptionBudget allows one pod down at a time", () => {
    expect(renderPodDisruptionBudget(dev, contract)).toEqual({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta("chat"),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
    });
  });
});
