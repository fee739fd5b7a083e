/**
 * What only the platform can tell about a chat UI: an exposure needs the platform's Envoy
 * Gateway, and DATA_DIR's claim needs a StorageClass that can bind it. Run by the kit's
 * preflight before anything is registered; the gateway check by the component too.
 */
import type { PlatformConfig } from "../platform/inputs.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { ChatUiConfig } from "./inputs.ts";

export function chatUiProblems(ui: ChatUiConfig, contract: PlatformContract): string[] {
  if (ui.exposure !== undefined && contract.addons.gatewayClassName === null) {
    return ["exposure: the platform runs no Envoy Gateway (platform.addons.envoyGateway is off), so there is no gateway to log in at: switch it on, or on env local remove exposure and use auth none"];
  }
  return [];
}

/**
 * The aws platform installs no EBS CSI driver, and Kubernetes removed the in-tree
 * kubernetes.io/aws-ebs plugin in 1.27: no claim binds there unless the user installs a driver
 * and names its class. local (kind, minikube, k3d) and existing clusters have a default class.
 */
export function chatUiStorageProblems(ui: ChatUiConfig, provider: PlatformConfig["provider"]): string[] {
  if (provider !== "aws" || ui.storage.storageClass !== undefined) return [];
  return [
    "storage.storageClass: is required on the aws platform, which installs no EBS CSI driver (Kubernetes removed the in-tree aws-ebs plugin in 1.27), so a claim without a class never binds: install the aws-ebs-csi-driver EKS add-on and a StorageClass (e.g. gp3), then name it here",
  ];
}
