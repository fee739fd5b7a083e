/** Bad platform configs (see bad-configs.ts): each a shipped stack with one thing changed. */
import { change, local, platformDev, type BadCase } from "./stack-edits.ts";

export const PLATFORM_CASES: BadCase[] = [
  // On aws the kit enables the VPC CNI's network policy agent itself (components/platform/aws/cluster.ts).
  ["cni declared on aws", change(platformDev(), (r) => (r.platform.cni = { enforcesNetworkPolicy: true })), [
    'llmkit:platform: unknown key "cni" (allowed: provider, region, namespace, network, cluster, store, gpuPools, addons): remove it',
  ]],
  ["cni.enforcesNetworkPolicy not a boolean", change(local(), (r) => (r.platform.cni = { enforcesNetworkPolicy: "yes" })), [
    'llmkit:platform.cni.enforcesNetworkPolicy: must be a boolean, got string "yes"',
  ]],
];
