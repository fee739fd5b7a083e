import { describe, expect, it } from "vitest";
import { validateObjects } from "../../render/validate.ts";
import { servingSchema, type ServingConfig } from "./inputs.ts";
import { customTimeouts, installMocks } from "./__fixtures__/mocks.ts";
import { contract } from "./__fixtures__/specs.ts";

const registered = await installMocks();
const { CustomService, customServiceProblems, renderCustomDeployment, renderCustomOperations, renderCustomPeripherals, resolveCustomService } = await import(
  "./custom.ts"
);

const IMAGE = "ghcr.io/acme/reranker:1.4.2";
const raw = {
  name: "reranker",
  runtime: { type: "custom", image: IMAGE, port: 8080, healthPath: "/healthz", metricsPath: "/metrics", env: { LOG_LEVEL: "info" }, apiKeyEnv: "API_KEY" },
  replicas: { min: 2, max: 3 },
  pool: "serving-l4",
  gpus: 1,
  resources: { cpu: 4, memoryGiB: 16 },
  autoscaling: { metric: { query: "sum(rate(http_requests_total[2m]))", threshold: 20 } },
};
const spec: ServingConfig = servingSchema.parse(raw);
const issues = (input: object) => {
  const r = servingSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("custom runtime in the schema", () => {
  it("accepts a pinned image with port, health and metrics paths", () => {
    expect(spec.runtime).toEqual(raw.runtime);
    expect(issues({ ...raw, runtime: { ...raw.runtime, image: `ghcr.io/acme/reranker@sha256:${"a".repeat(64)}` } })).toEqual([]);
  });

  it.each([
    ["ghcr.io/acme/reranker:latest", 'runtime.image: "ghcr.io/acme/reranker:latest" uses the floating tag "latest": pin a digest or an exact version tag such as 1.4.2'],
    ["ghcr.io/acme/reranker", 'runtime.image: "ghcr.io/acme/reranker" has no tag: pin it by digest (<repo>@sha256:<digest>) or an exact version tag'],
    ["registry:5000/reranker", 'runtime.image: "registry:5000/reranker" has no tag: pin it by digest (<repo>@sha256:<digest>) or an exact version tag'],
    ["ghcr.io/acme/reranker:stable", 'runtime.image: "ghcr.io/acme/reranker:stable" uses the floating tag "stable": pin a digest or an exact version tag such as 1.4.2'],
  ])("refuses the unpinned image %s", (image, problem) => {
    expect(issues({ ...raw, runtime: { ...raw.runtime, image } })).toEqual([problem]);
  });

  it("refuses a port out of range and a health path without a leading /", () => {
    expect(issues({ ...raw, runtime: { ...raw.runtime, port: 70000, healthPath: "healthz" } })).toEqual([
      "runtime.port: must be a TCP port from 1 to 65535",
      'runtime.healthPath: must be an HTTP path starting with "/", e.g. /health',
    ]);
    expect(issues({ ...raw, runtime: { ...raw.runtime, port: 0 } })).toEqual(["runtime.port: must be a TCP port from 1 to 65535"]);
  });

  it("refuses vLLM-only fields, missing resources and a scaling signal it cannot use", () => {
    expect(issues({ ...raw, resources: undefined, baseModel: "qwen2-5-7b", adapters: ["a"], engine: { maxLoras: 1 }, autoscaling: { queueDepth: 4 } })).toEqual([
      "baseModel: applies to runtime vllm only: a custom image brings its own model, remove it",
      "adapters: applies to runtime vllm only: remove them",
      "engine: applies to runtime vllm only: pass settings through runtime.args or runtime.env",
      "resources: is required for a custom runtime: set the cpu and memoryGiB the image needs",
      "autoscaling.queueDepth: applies to runtime vllm only: use autoscaling.metric or cpuUtilization",
      "autoscaling: needs metric {query, threshold} or cpuUtilization for a custom runtime",
    ]);
    expect(issues({ ...raw, auth: { type: "none" } })).toEqual(['runtime.apiKeyEnv: needs auth type api-key (auth is "none"): remove it or use api-key']);
    expect(issues({ ...raw, exposure: { hostname: "r.example.com" }, auth: { type: "api-key", clients: [{ name: "web", secret: "keys" }] } })).toEqual([
      "exposure: is not supported for custom runtimes yet: callers reach the app in-cluster with the llmkit.dev/gateway label",
      "auth.clients: are gateway keys, which custom runtimes do not use yet: remove them (use auth.secret with runtime.apiKeyEnv)",
    ]);
  });

  it("takes env as plain values or Secret references, and refuses plain values that look like credentials", () => {
    const env = { LOG_LEVEL: "info", HF_TOKEN: { secretKeyRef: { name: "hub", key: "token" } } };
    expect(issues({ ...raw, runtime: { ...raw.runtime, env } })).toEqual([]);
    const withRef = resolveCustomService(servingSchema.parse({ ...raw, runtime: { ...raw.runtime, env } }));
    expect(renderCustomDeployment(withRef, contract).spec.template.spec.containers[0]!.env.slice(0, 2)).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hub", key: "token" } } },
    ]);
    const plain = { DB_PASSWORD: "hunter2", OPENAI_API_KEY: "x", AWS_ID: "AKIAABCDEFGHIJKLMNOP", HUB: "hf_abcdefghijklmnop", CACHE: "/tmp", KEYCLOAK_URL: "https://id.example.com" };
    const fix = (name: string) => `put it in a Secret and write ${name}: {secretKeyRef: {name: <secret>, key: <key>}}`;
    expect(issues({ ...raw, runtime: { ...raw.runtime, env: plain } })).toEqual([
      `runtime.env.DB_PASSWORD: is a plain value but its name says it is a credential: ${fix("DB_PASSWORD")}`,
      `runtime.env.OPENAI_API_KEY: is a plain value but its name says it is a credential: ${fix("OPENAI_API_KEY")}`,
      `runtime.env.AWS_ID: is a plain value but its value looks like a credential: ${fix("AWS_ID")}`,
      `runtime.env.HUB: is a plain value but its value looks like a credential: ${fix("HUB")}`,
    ]);
    expect(issues({ ...raw, runtime: { ...raw.runtime, env: { X: { secretKeyRef: { name: "Bad_Name", key: "k" } } } } })[0]).toMatch(/^runtime\.env\.X\.secretKeyRef\.name: /);
  });

  it("refuses a vLLM service without baseModel or with custom scaling signals, and min 0 without autoscaling", () => {
    expect(issues({ name: "chat", pool: "p", autoscaling: { cpuUtilization: 50 }, replicas: { min: 0, max: 1 } })).toEqual([
      "baseModel: is required for runtime vllm: name a model from llmkit:models",
      "autoscaling.cpuUtilization: applies to custom runtimes: vllm scales on queueDepth and kvCacheUsage",
    ]);
    expect(issues({ name: "chat", pool: "p", baseModel: "m", replicas: { min: 0, max: 1 } })).toEqual([
      "replicas.min: is 0 without autoscaling, so the service would never run: add autoscaling or set min ≥ 1",
    ]);
  });
});

describe("custom runtime rendering", () => {
  const svc = resolveCustomService(spec);

  it("renders the app in the serving HA wrapper", () => {
    const d = renderCustomDeployment(svc, contract);
    const pod = d.spec.template.spec;
    expect(d.spec.replicas).toBe(2);
    // the vLLM path's budget (defaults.ts): 600 s node + 600 s image pull + the 600 s startup window
    expect(d.spec.progressDeadlineSeconds).toBe(1800);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(pod.priorityClassName).toBe("llmkit-serving");
    expect(pod.terminationGracePeriodSeconds).toBe(45);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(pod.topologySpreadConstraints.map((c) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ["topology.kubernetes.io/zone", "ScheduleAnyway"],
      ["kubernetes.io/hostname", "DoNotSchedule"],
    ]);
    expect(pod.containers).toEqual([
      {
        name: "app",
        image: IMAGE,
        env: [
          { name: "LOG_LEVEL", value: "info" },
          { name: "API_KEY", valueFrom: { secretKeyRef: { name: "reranker-api-key", key: "api-key" } } },
          { name: "HOME", value: "/tmp" },
        ],
        ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
        resources: { requests: { cpu: "4", memory: "16Gi" }, limits: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: false, seccompProfile: { type: "RuntimeDefault" } },
        startupProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 },
        readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 4 },
        lifecycle: { preStop: { sleep: { seconds: 10 } } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
    ]);
  });

  it("admits only gateway-labelled pods and Prometheus on the app port, scrapes metricsPath and scales on the query", async () => {
    const p = renderCustomPeripherals(svc, contract);
    expect(p.networkPolicy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { "llmkit.dev/gateway": "true" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
    const ops = renderCustomOperations(svc, contract);
    expect(ops.serviceMonitor?.spec.endpoints).toEqual([{ port: "http", path: "/metrics", interval: "15s", scrapeTimeout: "10s" }]);
    expect(ops.scaledObject?.spec.triggers.map((t) => t.metadata)).toEqual([expect.objectContaining({ query: "sum(rate(http_requests_total[2m]))", threshold: "20" })]);
    const objects = [renderCustomDeployment(svc, contract), p.service, p.pdb, p.networkPolicy, ops.scaledObject!, ops.serviceMonitor!];
    // add-on kinds are skipped where ../shared (their CRDs) is absent; nothing may be invalid
    expect((await validateObjects(objects)).filter((v) => v.status === "invalid").map((v) => v.problems)).toEqual([]);
  });

  it("refuses an unknown pool, GPUs on a CPU pool, a metric without metricsPath and a max over the GPU limit", () => {
    expect(customServiceProblems({ ...svc, pool: "nope" }, contract)).toEqual(['pool "nope" is not in the platform contract (pools: serving-l4, cpu)']);
    const noMetrics = resolveCustomService({ ...spec, pool: "cpu", runtime: { ...spec.runtime as object, metricsPath: undefined } as ServingConfig["runtime"] });
    expect(customServiceProblems(noMetrics, contract)).toEqual([
      'pool "cpu" has no GPUs but gpus is 1: set gpus: 0 or use a GPU pool',
      "autoscaling.metric: Prometheus scrapes a custom runtime only with runtime.metricsPath: set it, or scale on cpuUtilization",
    ]);
    const capped = { ...contract, pools: contract.pools.map((p) => ({ ...p, gpuLimit: 2 })) };
    expect(customServiceProblems(svc, capped)).toEqual([
      'replicas.max (3) × gpus (1) = 3 GPUs exceeds pool "serving-l4"\'s gpuLimit (2): lower replicas.max to 2 or raise the pool\'s gpuLimit',
    ]);
  });
});

describe("CustomService under mocks", () => {
  it("registers exactly its children", async () => {
    new CustomService("reranker", { spec, contract });
    for (let waited = 0; registered.length < 9 && waited < 3000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(registered.map((r) => [r.type, r.name]).sort()).toEqual(
      [
        ["llmkit:serving:CustomService", "reranker"],
        ["random:index/randomPassword:RandomPassword", "reranker-api-key"],
        ["kubernetes:core/v1:Secret", "reranker-api-key"],
        ["kubernetes:apps/v1:Deployment", "reranker"],
        ["kubernetes:core/v1:Service", "reranker"],
        ["kubernetes:policy/v1:PodDisruptionBudget", "reranker"],
        ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "reranker"],
        ["kubernetes:keda.sh/v1alpha1:ScaledObject", "reranker-scaler"],
        ["kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "reranker-monitor"],
      ].sort(),
    );
    const deployment = registered.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
    expect(deployment.inputs.spec.template.spec.containers[0].image).toBe(IMAGE);
    expect(deployment.inputs.spec.progressDeadlineSeconds).toBe(1800);
    // Pulumi waits as long as the rollout may take, not its default 10 minutes
    expect(customTimeouts.get("kubernetes:apps/v1:Deployment reranker")).toEqual({ create: "1800s", update: "1800s" });
  });
});
