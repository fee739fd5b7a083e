/**
 * Helm releases of Karpenter and the GPU node software (pure): which charts a platform installs,
 * and each release's arguments — the pinned chart of charts/index.ts, its values file, and the
 * values computed from the stack, merged the way Helm merges values (maps deep, lists replaced).
 *
 * One NVIDIA device-plugin owner per AMI family (docs/architecture.md §6, §8): Bottlerocket's NVIDIA variants
 * run their own plugin, so the chart goes only to AL2023 pools; two plugins on one node would
 * both advertise nvidia.com/gpu.
 */
import { CHARTS, chartValues } from "../../../../charts/index.ts";
import { mergeValues, releaseArgs, type PinnedReleaseArgs, type Values } from "../../../../charts/release.ts";
import { POOL_LABEL } from "../../../lib/scheduling.ts";
import type { ResolvedAddons } from "../../addons/defaults.ts";
import { EFA_LABEL, type ResolvedPool } from "./pools.ts";

/** The Helm release name of the controller; its ServiceAccount is `karpenter` (values file). */
export const KARPENTER_RELEASE = "karpenter";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";
export const KARPENTER_NAMESPACE = CHARTS.karpenter.namespace;

/** Pods that must run on the pool's GPU nodes: select the pools, tolerate their taint. */
function poolAffinity(pools: readonly string[]) {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: "In", values: [...pools] }] }],
      },
    },
  };
}

/**
 * The karpenter chart: cluster name and interruption queue (settings.*, charts/karpenter/values.yaml),
 * controllers on the system pool (`systemNodeSelector`: cluster.ts SYSTEM_POOL_LABELS). The chart's
 * default affinity already keeps the controller off Karpenter's own nodes (karpenter.sh/nodepool
 * DoesNotExist): a controller must never run on a node it may remove.
 * AWS_REGION explicitly (`controller.env`, aws/karpenter-provider-aws@v1.12.1:charts/karpenter/values.yaml:133):
 * without it the controller asks IMDS for its region (pkg/operator/operator.go:108), which pods
 * cannot reach on nodes with a metadata hop limit of 1 (defaults.ts NODE_METADATA_OPTIONS).
 */
export function karpenterValues(clusterName: string, queueName: string, systemNodeSelector: Readonly<Record<string, string>>, region: string): Values {
  return mergeValues(chartValues("karpenter"), {
    settings: { clusterName, interruptionQueue: queueName },
    controller: { env: [{ name: "AWS_REGION", value: region }] },
    nodeSelector: { ...systemNodeSelector },
  });
}

/** AL2023 pools get the NVIDIA device plugin; Bottlerocket pools already run one. */
export function devicePluginPools(pools: readonly ResolvedPool[]): string[] {
  return pools.filter((p) => p.amiFamily === "al2023").map((p) => p.name);
}

export function devicePluginValues(pools: readonly ResolvedPool[]): Values {
  return mergeValues(chartValues("nvidiaDevicePlugin"), { affinity: poolAffinity(devicePluginPools(pools)) });
}

/**
 * DCGM exporter on every GPU pool. Its ServiceMonitor is created only when llmkit installs the
 * Prometheus Operator (the monitoring.coreos.com CRDs exist only then); with an existing
 * Prometheus, scrape the exporter's Service (port 9400) from there.
 */
export function dcgmValues(pools: readonly ResolvedPool[], prometheus: ResolvedAddons["prometheus"]): Values {
  return mergeValues(chartValues("dcgmExporter"), {
    affinity: poolAffinity(pools.map((p) => p.name)),
    serviceMonitor: { enabled: prometheus.mode === "install" },
  });
}

export function efaPools(pools: readonly ResolvedPool[]): string[] {
  return pools.filter((p) => p.efa).map((p) => p.name);
}

/** The EFA device plugin on EFA pools' nodes (they carry llmkit.dev/efa=true). */
export function efaValues(): Values {
  return mergeValues(chartValues("efaDevicePlugin"), { nodeSelector: { [EFA_LABEL]: "true" } });
}

/** Which GPU-software releases a platform gets, and with what (pure; the registration follows it). */
export function gpuSoftwareReleases(pools: readonly ResolvedPool[], addons: ResolvedAddons): Record<string, PinnedReleaseArgs> {
  const releases: Record<string, PinnedReleaseArgs> = {};
  if (devicePluginPools(pools).length > 0) {
    releases["nvidia-device-plugin"] = releaseArgs("nvidiaDevicePlugin", "nvidia-device-plugin", devicePluginValues(pools));
  }
  if (addons.dcgmExporter && pools.length > 0) {
    releases["dcgm-exporter"] = releaseArgs("dcgmExporter", "dcgm-exporter", dcgmValues(pools, addons.prometheus));
  }
  if (efaPools(pools).length > 0) {
    releases["efa-device-plugin"] = releaseArgs("efaDevicePlugin", "aws-efa-k8s-device-plugin", efaValues());
  }
  return releases;
}
