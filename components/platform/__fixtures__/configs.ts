/** Validated platform configs (zod outputs) the tests start from. */
import type { PlatformConfig } from "../inputs.ts";

type Of<P extends PlatformConfig["provider"]> = Extract<PlatformConfig, { provider: P }>;

export function localPlatform(store: Partial<Of<"local">["store"]> = {}): Of<"local"> {
  return { provider: "local", namespace: "llmkit", store: { bucket: "llmkit", sizeGiB: 20, ...store }, pools: [{ name: "cpu" }], cni: { enforcesNetworkPolicy: false }, addons: {} };
}

export function existingPlatform(): Of<"existing"> {
  return {
    provider: "existing",
    namespace: "ml",
    store: { bucket: "models", endpoint: "https://s3.internal.example", region: "us-east-1", credentialsSecret: "store-keys" },
    pools: [{ name: "a100", nodeSelector: { "gpu.example/type": "a100" }, gpu: { resource: "nvidia.com/gpu", perNode: 8, memoryGiB: 80 } }],
    cni: { enforcesNetworkPolicy: false },
    addons: {},
  };
}

export function awsPlatform(
  cluster: Partial<Of<"aws">["cluster"]> = {},
  store: Partial<Of<"aws">["store"]> = {},
  region = "us-west-2",
): Of<"aws"> {
  return {
    provider: "aws",
    region,
    namespace: "llmkit",
    network: { mode: "existing", vpcId: "vpc-0a1b2c3d4e5f60718", privateSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"] },
    cluster: { name: "llmkit-dev", kubernetesVersion: "1.34", admins: [], ...cluster },
    store: { bucket: "acme-llmkit-dev-models", retainOnDelete: false, noncurrentVersionDays: 14, ...store },
    gpuPools: [{ name: "serving-l4", preset: "serving", gpu: { name: "l4", count: 1 }, gpuLimit: 4 }],
    addons: {},
  };
}
