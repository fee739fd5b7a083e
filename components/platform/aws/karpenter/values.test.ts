import { describe, expect, it } from "vitest";
import type { ResolvedAddons } from "../../addons/defaults.ts";
import { resolvePool } from "./pools.ts";
import { releaseArgs } from "../../../../charts/release.ts";
import { dcgmValues, devicePluginValues, efaValues, gpuSoftwareReleases, karpenterValues } from "./values.ts";

const bottlerocket = resolvePool({ name: "serving-l4", preset: "serving", gpu: { name: "l4", count: 1 }, gpuLimit: 4 });
const al2023 = resolvePool({ name: "train-a10g", preset: "training", gpu: { name: "a10g", count: 4 }, gpuLimit: 8, ami: "al2023@v20251120" });
const efa = resolvePool({ name: "h100", preset: "training-efa", gpu: { name: "h100", count: 8 }, zones: ["us-east-1a"], gpuLimit: 16 });

const addons = (over: Partial<ResolvedAddons> = {}): ResolvedAddons => ({
  keda: true,
  envoyGateway: true,
  prometheus: { mode: "install" },
  dcgmExporter: true,
  nvidiaDevicePlugin: false,
  ...over,
});
const affinityTo = (pools: string[]) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: "llmkit.dev/pool", operator: "In", values: pools }] }],
    },
  },
});
const GPU_TOLERATION = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };

describe("karpenter release", () => {
  it("pins the OCI chart, skips CRDs (their own release) and sets cluster, queue, replicas, resources and placement", () => {
    expect(releaseArgs("karpenter", "karpenter", karpenterValues("llmkit-dev", "llmkit-dev-karpenter", { "llmkit.dev/pool": "system" }, "us-west-2"), { skipCrds: true })).toEqual({
      name: "karpenter",
      chart: "oci://public.ecr.aws/karpenter/karpenter",
      version: "1.12.1",
      namespace: "kube-system",
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      skipAwait: false,
      timeout: 300,
      maxHistory: 10,
      skipCrds: true,
      values: {
        replicas: 2,
        serviceAccount: { create: true, name: "karpenter" },
        controller: {
          // IMDS is out of reach at hop limit 1: the region is given (values.ts)
          env: [{ name: "AWS_REGION", value: "us-west-2" }],
          resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
        },
        settings: {
          enableZonalShift: false,
          featureGates: { nodeRepair: false, spotToSpotConsolidation: false, reservedCapacity: true },
          clusterName: "llmkit-dev",
          interruptionQueue: "llmkit-dev-karpenter",
        },
        serviceMonitor: { enabled: false },
        nodeSelector: { "llmkit.dev/pool": "system" },
      },
    });
    expect(releaseArgs("karpenterCrd", "karpenter-crd", {})).toEqual({
      name: "karpenter-crd",
      chart: "oci://public.ecr.aws/karpenter/karpenter-crd",
      version: "1.12.1",
      namespace: "kube-system",
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      skipAwait: false,
      timeout: 300,
      maxHistory: 10,
      skipCrds: false,
      values: {},
    });
  });
});

describe("GPU node software: one device-plugin owner per AMI family", () => {
  it("installs the NVIDIA device plugin only for AL2023 pools, on those pools only", () => {
    expect(Object.keys(gpuSoftwareReleases([bottlerocket], addons()))).toEqual(["dcgm-exporter"]);
    const releases = gpuSoftwareReleases([bottlerocket, al2023], addons());
    expect(Object.keys(releases)).toEqual(["nvidia-device-plugin", "dcgm-exporter"]);
    expect(releases["nvidia-device-plugin"]).toMatchObject({
      chart: "nvidia-device-plugin",
      version: "0.20.0",
      repositoryOpts: { repo: "https://nvidia.github.io/k8s-device-plugin" },
      namespace: "kube-system",
    });
    const values = devicePluginValues([bottlerocket, al2023]);
    expect(values.affinity).toEqual(affinityTo(["train-a10g"]));
    expect(values.tolerations).toContainEqual(GPU_TOLERATION);
    expect(values).toMatchObject({ gfd: { enabled: false }, nfd: { enabled: false } });
  });

  it("runs DCGM on every GPU pool, with a ServiceMonitor only when the Prometheus Operator is installed", () => {
    const installed = dcgmValues([bottlerocket, al2023], { mode: "install" });
    expect(installed.affinity).toEqual(affinityTo(["serving-l4", "train-a10g"]));
    expect(installed.tolerations).toEqual([GPU_TOLERATION]);
    expect(installed.serviceMonitor).toEqual({ interval: "15s", enabled: true });
    expect(dcgmValues([bottlerocket], { mode: "existing", url: "http://prom:9090" }).serviceMonitor).toEqual({ interval: "15s", enabled: false });
    expect(dcgmValues([bottlerocket], { mode: "none" }).serviceMonitor).toEqual({ interval: "15s", enabled: false });
    expect(gpuSoftwareReleases([bottlerocket], addons())["dcgm-exporter"]).toMatchObject({
      chart: "dcgm-exporter",
      version: "4.8.2",
      repositoryOpts: { repo: "https://nvidia.github.io/dcgm-exporter/helm-charts" },
    });
  });

  it("respects platform.addons.dcgmExporter", () => {
    expect(gpuSoftwareReleases([bottlerocket, al2023], addons({ dcgmExporter: false }))).not.toHaveProperty("dcgm-exporter");
  });

  it("installs the EFA device plugin only when an EFA pool exists, on its nodes", () => {
    expect(gpuSoftwareReleases([bottlerocket], addons())).not.toHaveProperty("efa-device-plugin");
    expect(gpuSoftwareReleases([bottlerocket, efa], addons())["efa-device-plugin"]).toMatchObject({
      name: "aws-efa-k8s-device-plugin",
      chart: "aws-efa-k8s-device-plugin",
      version: "v0.5.30",
      repositoryOpts: { repo: "https://aws.github.io/eks-charts" },
    });
    expect(efaValues()).toMatchObject({ nodeSelector: { "llmkit.dev/efa": "true" }, tolerations: [GPU_TOLERATION] });
  });
});
