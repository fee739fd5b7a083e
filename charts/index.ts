/**
 * Every third-party Helm chart llmkit installs, pinned in one table (docs/architecture.md §5), each with its
 * values file in ./values/. Each entry cites where the version was confirmed upstream.
 * No floating versions; a chart is upgraded by editing its line here and its values file.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export interface PinnedChart {
  /** Chart name in its repository. */
  readonly chart: string;
  /** Helm repository URL, or an `oci://` registry path (then `repo` is unused by Helm). */
  readonly repo: string;
  readonly version: string;
  /** Namespace the release is installed into. */
  readonly namespace: string;
  /** File in charts/values/ holding the values llmkit always sets. */
  readonly valuesFile: string;
  readonly source: string;
}

export const CHARTS = {
  // ---- Karpenter and GPU node software (components/platform/aws/karpenter/)
  /**
   * Karpenter v1.12.1: Chart.yaml version/appVersion 1.12.1 and values.yaml (controller image
   * 1.12.1@sha256:8128bc8c…) at aws/karpenter-provider-aws@8d881395a6f90baccebec311439c53c541badf4e
   * ("docs: Update for patch release v1.12.1", charts/karpenter/). Published as
   * oci://public.ecr.aws/karpenter/karpenter (website/content/en/v1.12/getting-started/
   * getting-started-with-karpenter/scripts/step08-apply-helm-chart.sh). The NodePools/EC2NodeClasses
   * llmkit renders are validated against the CRDs this release ships (render/schemas/crds.ts).
   * Newer releases exist (v1.14.1); move together with those CRDs.
   */
  karpenter: {
    chart: "karpenter",
    repo: "oci://public.ecr.aws/karpenter",
    version: "1.12.1",
    namespace: "kube-system",
    valuesFile: "karpenter.yaml",
    source: "aws/karpenter-provider-aws@8d881395a6f90baccebec311439c53c541badf4e:charts/karpenter/Chart.yaml",
  },
  /**
   * Karpenter's CRDs as their own release, same commit (charts/karpenter-crd/Chart.yaml 1.12.1):
   * Helm installs a chart's crds/ only on first install and never upgrades them, so upstream
   * recommends this chart to manage CRD upgrades (website/content/en/v1.12/upgrading/upgrade-guide.md).
   */
  karpenterCrd: {
    chart: "karpenter-crd",
    repo: "oci://public.ecr.aws/karpenter",
    version: "1.12.1",
    namespace: "kube-system",
    valuesFile: "karpenter-crd.yaml",
    source: "aws/karpenter-provider-aws@8d881395a6f90baccebec311439c53c541badf4e:charts/karpenter-crd/Chart.yaml",
  },
  /**
   * NVIDIA device plugin v0.20.0 (tag v0.20.0, NVIDIA/k8s-device-plugin@1b826acc6af3079d8923bac395c3124b8861a9a6,
   * 2026-08-19; deployments/helm/nvidia-device-plugin/Chart.yaml version/appVersion 0.20.0).
   * Helm repository https://nvidia.github.io/k8s-device-plugin (README "Deployment via helm").
   * Installed only for AL2023 GPU pools: Bottlerocket's NVIDIA variants ship their own plugin.
   */
  nvidiaDevicePlugin: {
    chart: "nvidia-device-plugin",
    repo: "https://nvidia.github.io/k8s-device-plugin",
    version: "0.20.0",
    namespace: "kube-system",
    valuesFile: "nvidia-device-plugin.yaml",
    source: "NVIDIA/k8s-device-plugin@1b826acc6af3079d8923bac395c3124b8861a9a6:deployments/helm/nvidia-device-plugin/Chart.yaml",
  },
  /**
   * NVIDIA DCGM exporter chart 4.8.2 (tag 4.5.3-4.8.2, NVIDIA/dcgm-exporter, 2026-05-06;
   * deployment/Chart.yaml version 4.8.2, image nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless
   * in deployment/values.yaml). Helm repository https://nvidia.github.io/dcgm-exporter/helm-charts.
   */
  dcgmExporter: {
    chart: "dcgm-exporter",
    repo: "https://nvidia.github.io/dcgm-exporter/helm-charts",
    version: "4.8.2",
    namespace: "kube-system",
    valuesFile: "dcgm-exporter.yaml",
    source: "NVIDIA/dcgm-exporter@4.5.3-4.8.2:deployment/Chart.yaml",
  },
  /**
   * AWS EFA Kubernetes device plugin chart v0.5.30 (image v0.5.20), aws/eks-charts@5239609242f3430be50fb0b714a24d3ef2b47983
   * stable/aws-efa-k8s-device-plugin/Chart.yaml (chart version carries the "v"). Helm repository
   * https://aws.github.io/eks-charts. Advertises vpc.amazonaws.com/efa on EFA pools' nodes.
   */
  efaDevicePlugin: {
    chart: "aws-efa-k8s-device-plugin",
    repo: "https://aws.github.io/eks-charts",
    version: "v0.5.30",
    namespace: "kube-system",
    valuesFile: "aws-efa-k8s-device-plugin.yaml",
    source: "aws/eks-charts@5239609242f3430be50fb0b714a24d3ef2b47983:stable/aws-efa-k8s-device-plugin/Chart.yaml",
  },
  // ---- Cluster add-ons for every provider (components/platform/addons/)
  /**
   * KEDA 2.20.2 (chart version = appVersion 2.20.2): kedacore/charts@cbb9bb8ce0809dc9048f72302f7c09765d66ed56
   * keda/Chart.yaml (tag v2.20.2, 2026-07-31; still the newest on main 2026-08-13). Helm repository https://kedacore.github.io/charts
   * (kedacore/charts README "Installing the Chart"). The ScaledObjects serving renders are validated
   * against the CRDs this release ships (render/schemas/crds.ts).
   */
  keda: {
    chart: "keda",
    repo: "https://kedacore.github.io/charts",
    version: "2.20.2",
    namespace: "keda",
    valuesFile: "keda.yaml",
    source: "kedacore/charts@cbb9bb8ce0809dc9048f72302f7c09765d66ed56:keda/Chart.yaml",
  },
  /**
   * Envoy Gateway v1.9.0 (release-notes/v1.9.0.yaml, 2026-08-14; tag v1.9.0 = envoyproxy/gateway@39763b1c07ec30a5526fe70434a2cfe4181de642).
   * The chart is published to oci://docker.io/envoyproxy/gateway-helm with the release tag as its
   * version (tools/make/helm.mk `--version ${CHART_VERSION}`; site/content/en/v1.9/install/install-helm.md
   * `helm install eg oci://docker.io/envoyproxy/gateway-helm --version v1.9.0 -n envoy-gateway-system`).
   * Matches the Envoy Gateway v1.9.0 CRDs that serving's objects are validated against in CI.
   */
  envoyGateway: {
    chart: "gateway-helm",
    repo: "oci://docker.io/envoyproxy",
    version: "v1.9.0",
    namespace: "envoy-gateway-system",
    valuesFile: "envoy-gateway.yaml",
    source: "envoyproxy/gateway@39763b1c07ec30a5526fe70434a2cfe4181de642:charts/gateway-helm/Chart.yaml",
  },
  /**
   * kube-prometheus-stack 88.5.3 (appVersion v0.93.1 = Prometheus Operator): prometheus-community/helm-charts@ea930baeebeba39f56d6b44e351f23b2a072a600
   * charts/kube-prometheus-stack/Chart.yaml (tag kube-prometheus-stack-88.5.3, 2026-08-21; the newest on main 2026-08-22).
   * Helm repository https://prometheus-community.github.io/helm-charts. Namespace "monitoring" is
   * PROMETHEUS_NAMESPACE (components/platform/addons/defaults.ts).
   */
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    repo: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    namespace: "monitoring",
    valuesFile: "kube-prometheus-stack.yaml",
    source: "prometheus-community/helm-charts@ea930baeebeba39f56d6b44e351f23b2a072a600:charts/kube-prometheus-stack/Chart.yaml",
  },
} as const satisfies Record<string, PinnedChart>;

export type ChartKey = keyof typeof CHARTS;

/** The static values of a chart (its values file), to be merged with computed values by the caller. */
export function chartValues(key: ChartKey): Record<string, unknown> {
  const file = new URL(`./values/${CHARTS[key].valuesFile}`, import.meta.url);
  return (parse(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
}
