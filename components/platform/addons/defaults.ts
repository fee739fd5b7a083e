/**
 * Which cluster add-ons a platform runs (pure). Defaults differ by provider because the clusters
 * differ: on aws llmkit builds the cluster and installs everything; an existing cluster usually
 * has its own Prometheus and GPU stack (e.g. the NVIDIA GPU Operator); a local cluster has no GPUs.
 * Every add-on can be switched off in `platform.addons` for clusters that already run it.
 */
import type { PlatformConfig } from "../inputs.ts";

export interface ResolvedAddons {
  readonly keda: boolean;
  readonly envoyGateway: boolean;
  /** Install the Prometheus Operator stack, use an existing Prometheus by URL, or none. */
  readonly prometheus: { readonly mode: "install" } | { readonly mode: "existing"; readonly url: string } | { readonly mode: "none" };
  readonly dcgmExporter: boolean;
  /**
   * Install the NVIDIA device plugin chart. On aws this is decided per AMI family by the GPU
   * pools (Bottlerocket NVIDIA ships its own plugin), so it is false here.
   */
  readonly nvidiaDevicePlugin: boolean;
}

const DEFAULTS = {
  aws: { keda: true, envoyGateway: true, prometheus: "install", dcgmExporter: true, nvidiaDevicePlugin: false },
  existing: { keda: true, envoyGateway: true, prometheus: "none", dcgmExporter: false, nvidiaDevicePlugin: false },
  local: { keda: false, envoyGateway: true, prometheus: "none", dcgmExporter: false, nvidiaDevicePlugin: false },
} as const;

export function resolveAddons(platform: PlatformConfig): ResolvedAddons {
  const d = DEFAULTS[platform.provider];
  const a = platform.addons;
  const prometheus = a.prometheus ?? d.prometheus;
  return {
    keda: a.keda ?? d.keda,
    envoyGateway: a.envoyGateway ?? d.envoyGateway,
    prometheus: typeof prometheus === "string" ? { mode: prometheus } : { mode: "existing", url: prometheus.url },
    dcgmExporter: a.dcgmExporter ?? d.dcgmExporter,
    nvidiaDevicePlugin: a.nvidiaDevicePlugin ?? d.nvidiaDevicePlugin,
  };
}

/** The GatewayClass llmkit's Envoy Gateway installation serves; serving's Gateways name it. */
export const GATEWAY_CLASS = "llmkit";
/** Namespace and Service of the Prometheus the "install" mode creates (kube-prometheus-stack, fullnameOverride "llmkit"). */
export const PROMETHEUS_NAMESPACE = "monitoring";
export const INSTALLED_PROMETHEUS_URL = `http://llmkit-prometheus.${PROMETHEUS_NAMESPACE}.svc.cluster.local:9090`;

/** The part of the add-ons workloads rely on (exported in the platform contract). */
export interface AddonContract {
  /** GatewayClass for serving's Gateways; null when no gateway is installed. */
  readonly gatewayClassName: string | null;
  /** Prometheus query URL for KEDA triggers; null without Prometheus. */
  readonly prometheusUrl: string | null;
  /** Whether KEDA is installed (ScaledObjects can be created). */
  readonly keda: boolean;
}

export function addonContract(addons: ResolvedAddons): AddonContract {
  const prometheusUrl = addons.prometheus.mode === "install" ? INSTALLED_PROMETHEUS_URL : addons.prometheus.mode === "existing" ? addons.prometheus.url : null;
  return { gatewayClassName: addons.envoyGateway ? GATEWAY_CLASS : null, prometheusUrl, keda: addons.keda };
}
