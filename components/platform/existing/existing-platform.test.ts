import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { existingPlatform } from "../__fixtures__/configs.ts";
import { byName, installMocks, secretInput, settled, valueOf, type Registered } from "../__fixtures__/mocks.ts";
import { platformContract } from "../contract.ts";

let registered: Registered[];
let kubeconfigs: { given: string; ambient: string; givenSecret: boolean };

beforeAll(async () => {
  registered = await installMocks();
  const { ExistingPlatform } = await import("./existing-platform.ts");
  const given = new ExistingPlatform("given", { platform: existingPlatform(), kubeconfig: "apiVersion: v1\nkind: Config\n" });
  const ambient = new ExistingPlatform("ambient", { platform: existingPlatform() });
  kubeconfigs = {
    given: await valueOf(given.kubeconfig),
    ambient: await valueOf(ambient.kubeconfig),
    givenSecret: await pulumi.isSecret(given.kubeconfig),
  };
  await settled(registered);
});

describe("ExistingPlatform", () => {
  it("creates only the namespace, the service accounts, the default add-ons and the providers", () => {
    expect(registered.filter((r) => r.name.startsWith("given")).map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "llmkit:platform:ExistingPlatform given",
        "pulumi:providers:kubernetes given-k8s",
        "pulumi:providers:kubernetes given-workloads-k8s",
        "kubernetes:core/v1:Namespace given-namespace",
        "kubernetes:core/v1:ServiceAccount given-sa-mirror",
        "kubernetes:core/v1:ServiceAccount given-sa-trainer",
        "kubernetes:core/v1:ServiceAccount given-sa-serving",
        "kubernetes:scheduling.k8s.io/v1:PriorityClass given-serving-priority",
        // existing clusters default to KEDA and Envoy Gateway, no Prometheus (addons/defaults.ts)
        "kubernetes:core/v1:Namespace given-keda-namespace",
        "kubernetes:helm.sh/v3:Release given-keda",
        "kubernetes:core/v1:Namespace given-envoy-gateway-namespace",
        "kubernetes:helm.sh/v3:Release given-envoy-gateway",
        "kubernetes:gateway.networking.k8s.io/v1:GatewayClass given-gateway-class",
      ].sort(),
    );
  });

  it("connects with the given kubeconfig, else the ambient context", () => {
    expect(byName(registered, "given-k8s").inputs).toEqual({ kubeconfig: secretInput("apiVersion: v1\nkind: Config\n") });
    expect(byName(registered, "ambient-k8s").inputs).toEqual({});
    expect(kubeconfigs).toEqual({ given: "apiVersion: v1\nkind: Config\n", ambient: "", givenSecret: true });
  });

  it("puts the namespace and service accounts in the configured namespace", () => {
    expect(byName(registered, "given-namespace").inputs.metadata.name).toBe("ml");
    for (const [role, sa] of [["mirror", "llmkit-model-mirror"], ["trainer", "llmkit-trainer"], ["serving", "llmkit-serving"]]) {
      expect(byName(registered, `given-sa-${role}`).inputs.metadata).toMatchObject({ name: sa, namespace: "ml" });
    }
  });

  it("exports the contract derived from the config, store credentials by Secret name", async () => {
    const { ExistingPlatform } = await import("./existing-platform.ts");
    const platform = new ExistingPlatform("contract", { platform: existingPlatform() });
    expect(platform.contract).toEqual(platformContract(existingPlatform()));
    expect(platform.contract.store).toEqual({
      bucket: "models",
      region: "us-east-1",
      endpoint: "https://s3.internal.example",
      credentialsSecret: "store-keys",
    });
  });
});
