/**
 * What the platform promises workloads (docs/architecture.md §1 "scheduling contract"): pools, store,
 * namespace and service accounts. A pure function of the platform config, so a workloads stack
 * can validate against it offline; the platform stack also exports it, and the workloads layer
 * refuses to deploy when the exported contract has drifted from this derivation.
 */
import { GPU_MEMORY_GIB } from "../../planner/gpus.ts";
import { NVIDIA_GPU, POOL_LABEL, type PoolContract } from "../lib/scheduling.ts";
import type { StoreRef } from "../lib/store.ts";
import type { PlatformConfig } from "./inputs.ts";
import { addonContract, resolveAddons, type AddonContract } from "./addons/defaults.ts";

/** Service accounts, one per role, so each gets exactly the store access it needs. */
export const SERVICE_ACCOUNTS = {
  mirror: "llmkit-model-mirror",
  trainer: "llmkit-trainer",
  serving: "llmkit-serving",
} as const;

export interface PlatformContract {
  readonly namespace: string;
  readonly pools: readonly PoolContract[];
  readonly store: StoreRef;
  readonly serviceAccounts: typeof SERVICE_ACCOUNTS;
  readonly addons: AddonContract;
  /**
   * Whether the cluster enforces NetworkPolicy: serving's NetworkPolicies are what keep clients off
   * the engine routes the gateway does not allow-list. On aws the kit enables the VPC CNI's network
   * policy agent (aws/cluster.ts); elsewhere the platform config declares it (`cni.enforcesNetworkPolicy`).
   */
  readonly networkPolicyEnforced: boolean;
}

const GPU_TAINT = { key: NVIDIA_GPU, operator: "Exists", effect: "NoSchedule" } as const;

export function poolContracts(platform: PlatformConfig): PoolContract[] {
  switch (platform.provider) {
    case "local":
      return platform.pools.map((p) => ({
        name: p.name,
        nodeSelector: { ...(p.nodeSelector ?? {}) },
        tolerations: [],
        gpusPerNode: 0,
        gpuMemoryGiB: 0,
      }));
    case "existing":
      return platform.pools.map((p) => ({
        name: p.name,
        nodeSelector: { ...p.nodeSelector },
        tolerations: [...(p.tolerations ?? [])],
        ...(p.gpu !== undefined ? { gpuResource: p.gpu.resource } : {}),
        gpusPerNode: p.gpu?.perNode ?? 0,
        gpuMemoryGiB: p.gpu?.memoryGiB ?? 0,
      }));
    case "aws":
      // Karpenter NodePools label and taint every node of a pool this way (components/platform/aws).
      return platform.gpuPools.map((p) => ({
        name: p.name,
        nodeSelector: { [POOL_LABEL]: p.name },
        tolerations: [{ ...GPU_TAINT }],
        gpuResource: NVIDIA_GPU,
        gpusPerNode: p.gpu.count,
        gpuMemoryGiB: p.gpu.memoryGiB ?? GPU_MEMORY_GIB[p.gpu.name],
        gpuLimit: p.gpuLimit,
      }));
  }
}

/** In-cluster Service name of the local object store. */
export const LOCAL_STORE_SERVICE = "llmkit-store";
export const LOCAL_STORE_PORT = 9000;
export const LOCAL_STORE_CREDENTIALS = "llmkit-store-credentials";

export function storeRef(platform: PlatformConfig): StoreRef {
  switch (platform.provider) {
    case "local":
      return {
        bucket: platform.store.bucket,
        region: "us-east-1",
        endpoint: `http://${LOCAL_STORE_SERVICE}.${platform.namespace}.svc.cluster.local:${LOCAL_STORE_PORT}`,
        credentialsSecret: LOCAL_STORE_CREDENTIALS,
      };
    case "existing":
      return {
        bucket: platform.store.bucket,
        region: platform.store.region,
        endpoint: platform.store.endpoint,
        credentialsSecret: platform.store.credentialsSecret,
      };
    case "aws":
      return { bucket: platform.store.bucket, region: platform.region };
  }
}

export function platformContract(platform: PlatformConfig): PlatformContract {
  return {
    namespace: platform.namespace,
    pools: poolContracts(platform),
    store: storeRef(platform),
    serviceAccounts: SERVICE_ACCOUNTS,
    addons: addonContract(resolveAddons(platform)),
    networkPolicyEnforced: platform.provider === "aws" ? true : platform.cni.enforcesNetworkPolicy,
  };
}
