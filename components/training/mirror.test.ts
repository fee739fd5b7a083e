import { describe, expect, it } from "vitest";
import type { HubDatasetConfig } from "./inputs.ts";
import { MIRROR_SCRIPTS } from "./scripts.ts";
import { installMocks, registeredOf } from "./__fixtures__/mocks.ts";
import { contract, qwen7b } from "./__fixtures__/specs.ts";

const registered = await installMocks();

const { ModelMirror, mirrorNames, renderMirrorJob, renderMirrorScripts } = await import("./mirror.ts");

const labels = {
  "app.kubernetes.io/name": "model-mirror",
  "app.kubernetes.io/instance": "qwen2-5-7b",
  "app.kubernetes.io/component": "model-mirror",
  "app.kubernetes.io/part-of": "llmkit",
  "app.kubernetes.io/managed-by": "pulumi",
};
const secCtx = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: false,
  seccompProfile: { type: "RuntimeDefault" },
};
const storeEnv = [
  { name: "AWS_REGION", value: "us-west-2" },
  { name: "AWS_DEFAULT_REGION", value: "us-west-2" },
  { name: "STORE_BUCKET", value: "acme-llmkit-dev-models" },
  { name: "MODEL_PREFIX", value: "models/Qwen/Qwen2.5-7B-Instruct/a09a35458c702b33eeacc393d103063234e8bc28/" },
  { name: "MODEL_DIR", value: "/work/model" },
  { name: "PRESENT_MARKER", value: "/work/.present" },
  { name: "HOME", value: "/tmp" },
];
const mounts = [
  { name: "work", mountPath: "/work" },
  { name: "config", mountPath: "/config", readOnly: true },
];
const aws = (name: string, script: string) => ({
  name,
  image: "amazon/aws-cli:2.36.7",
  command: ["bash", `/config/${script}`],
  env: storeEnv,
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "2", memory: "2Gi" } },
  securityContext: secCtx,
  volumeMounts: mounts,
});

describe("renderMirrorJob", () => {
  it("renders the exact Job for a public Hugging Face model", () => {
    expect(renderMirrorJob(qwen7b, contract)).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "qwen2-5-7b-mirror", namespace: "llmkit", labels, annotations: { "pulumi.com/skipAwait": "true" } },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 21600,
        ttlSecondsAfterFinished: 604800,
        podFailurePolicy: {
          rules: [
            { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
            { action: "FailJob", onExitCodes: { operator: "In", values: [3] } },
          ],
        },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: "llmkit-model-mirror",
            restartPolicy: "Never",
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
            initContainers: [
              aws("check", "mirror-check.sh"),
              {
                name: "download",
                image: "python:3.12.13-slim-trixie",
                command: ["bash", "/config/mirror-download.sh"],
                env: [
                  { name: "HUB", value: "huggingface" },
                  { name: "REPO", value: "Qwen/Qwen2.5-7B-Instruct" },
                  { name: "REPO_TYPE", value: "model" },
                  { name: "REVISION", value: "a09a35458c702b33eeacc393d103063234e8bc28" },
                  { name: "MODEL_DIR", value: "/work/model" },
                  { name: "TOOLS_DIR", value: "/work/tools" },
                  { name: "PRESENT_MARKER", value: "/work/.present" },
                  { name: "HOME", value: "/work/home" },
                  { name: "HUGGINGFACE_HUB_VERSION", value: "1.28.0" },
                  { name: "MODELSCOPE_VERSION", value: "1.37.1" },
                ],
                resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "4Gi" } },
                securityContext: secCtx,
                volumeMounts: mounts,
              },
            ],
            containers: [aws("upload", "mirror-upload.sh")],
            volumes: [
              { name: "work", emptyDir: { sizeLimit: "25Gi" } },
              { name: "config", configMap: { name: "qwen2-5-7b-mirror-scripts", defaultMode: 0o444 } },
            ],
          },
        },
      },
    });
  });

  it("passes a gated model's token from its Secret under the hub's variable", () => {
    const env = (hub: "huggingface" | "modelscope") =>
      renderMirrorJob({ ...qwen7b, hub, tokenSecret: { name: "hub-token", key: "token" } }, contract).spec.template.spec.initContainers[1]!.env;
    expect(env("huggingface")).toContainEqual({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hub-token", key: "token" } } });
    expect(env("modelscope")).toContainEqual({ name: "MODELSCOPE_API_TOKEN", valueFrom: { secretKeyRef: { name: "hub-token", key: "token" } } });
    expect(JSON.stringify(renderMirrorJob(qwen7b, contract))).not.toContain("TOKEN");
  });

  it("ships the scripts in a ConfigMap", () => {
    const cm = renderMirrorScripts(qwen7b, contract);
    expect(cm.metadata).toEqual({ name: "qwen2-5-7b-mirror-scripts", namespace: "llmkit", labels });
    expect(Object.keys(cm.data)).toEqual(["store.sh", "mirror-check.sh", "mirror-download.sh", "mirror-upload.sh"]);
  });
});

describe("ModelMirror", () => {
  it("registers the ConfigMap and the Job under the component, with the given provider", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const mirror = new ModelMirror("qwen2-5-7b", { model: qwen7b, contract }, { provider });
    const uri = await new Promise((resolve) => mirror.modelUri.apply(resolve));
    expect(uri).toBe("s3://acme-llmkit-dev-models/models/Qwen/Qwen2.5-7B-Instruct/a09a35458c702b33eeacc393d103063234e8bc28/");
    const children = await registeredOf(registered, ["llmkit:training:ModelMirror", "kubernetes:core/v1:ConfigMap", "kubernetes:batch/v1:Job"], 3);
    expect(children.map((r) => [r.type, r.name])).toEqual([
      ["llmkit:training:ModelMirror", "qwen2-5-7b"],
      ["kubernetes:core/v1:ConfigMap", "qwen2-5-7b-mirror-scripts"],
      ["kubernetes:batch/v1:Job", "qwen2-5-7b-mirror"],
    ]);
    const job = children[2]!.inputs;
    expect(job.metadata).toEqual(renderMirrorJob(qwen7b, contract).metadata);
    expect(job.spec.template.spec.serviceAccountName).toBe("llmkit-model-mirror");
    expect(children[1]!.inputs.data).toEqual(MIRROR_SCRIPTS);
    expect(children.slice(1).map((c) => c.provider)).toEqual([expect.stringContaining("::k8s::"), expect.stringContaining("::k8s::")]);
  });
});

describe("renderMirrorJob, kind dataset", () => {
  const ultrachat: HubDatasetConfig = {
    name: "ultrachat",
    hub: "huggingface",
    repo: "HuggingFaceH4/ultrachat_200k",
    revision: "8049631c405ae6576f93f445c6b8166f76f5505a",
    include: ["data/train_sft-*.parquet", "README.md"],
    sizeGiB: 2,
  };
  const dsLabels = { ...labels, "app.kubernetes.io/name": "dataset-mirror", "app.kubernetes.io/instance": "ultrachat", "app.kubernetes.io/component": "dataset-mirror" };
  const env = (job: ReturnType<typeof renderMirrorJob>, container: number) => job.spec.template.spec.initContainers[container]!.env;

  it("downloads the dataset repo type, only the included files, into datasets/<repo>/<revision>/", () => {
    const job = renderMirrorJob(ultrachat, contract, "dataset");
    expect(job.metadata).toEqual({ name: "ultrachat-dataset-mirror", namespace: "llmkit", labels: dsLabels, annotations: { "pulumi.com/skipAwait": "true" } });
    expect(job.spec.template.metadata.labels).toEqual(dsLabels);
    expect(env(job, 0)).toContainEqual({ name: "MODEL_PREFIX", value: "datasets/HuggingFaceH4/ultrachat_200k/8049631c405ae6576f93f445c6b8166f76f5505a/" });
    expect(job.spec.template.spec.containers[0]!.env).toEqual(env(job, 0));
    expect(env(job, 1).slice(0, 5)).toEqual([
      { name: "HUB", value: "huggingface" },
      { name: "REPO", value: "HuggingFaceH4/ultrachat_200k" },
      { name: "REPO_TYPE", value: "dataset" },
      { name: "REVISION", value: "8049631c405ae6576f93f445c6b8166f76f5505a" },
      { name: "INCLUDE", value: "data/train_sft-*.parquet README.md" },
    ]);
    expect(job.spec.template.spec.volumes[0]).toEqual({ name: "work", emptyDir: { sizeLimit: "8Gi" } });
    expect(job.spec.template.spec.volumes[1]).toEqual({ name: "config", configMap: { name: "ultrachat-dataset-mirror-scripts", defaultMode: 0o444 } });
  });

  it("mirrors every file when include is absent, and never collides with a model of the same name", () => {
    const job = renderMirrorJob({ ...ultrachat, include: undefined }, contract, "dataset");
    expect(env(job, 1).map((e) => e.name)).not.toContain("INCLUDE");
    expect(mirrorNames({ ...qwen7b, name: "ultrachat" })).toEqual({ job: "ultrachat-mirror", scripts: "ultrachat-mirror-scripts" });
    expect(mirrorNames(ultrachat, "dataset")).toEqual({ job: "ultrachat-dataset-mirror", scripts: "ultrachat-dataset-mirror-scripts" });
    expect(renderMirrorScripts(ultrachat, contract, "dataset").metadata).toEqual({ name: "ultrachat-dataset-mirror-scripts", namespace: "llmkit", labels: dsLabels });
  });

  it("registers a dataset mirror whose output is the dataset's store prefix", async () => {
    const mirror = new ModelMirror("ultrachat-dataset", { model: ultrachat, kind: "dataset", contract });
    const uri = await new Promise((resolve) => mirror.modelUri.apply(resolve));
    expect(uri).toBe("s3://acme-llmkit-dev-models/datasets/HuggingFaceH4/ultrachat_200k/8049631c405ae6576f93f445c6b8166f76f5505a/");
    const jobs = await registeredOf(registered, ["kubernetes:batch/v1:Job"], 2);
    expect(jobs.map((j) => j.name)).toContain("ultrachat-dataset-mirror");
  });
});
