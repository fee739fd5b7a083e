import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { localPlatform } from "../__fixtures__/configs.ts";
import { byName, installMocks, secretInput, settled, valueOf, type Registered } from "../__fixtures__/mocks.ts";
import { platformContract } from "../contract.ts";
import { renderBucketJob, renderStoreService, renderStoreStatefulSet } from "./store.ts";
import { validateLocal } from "./local-platform.ts";

let registered: Registered[];
let kubeconfig: { value: string; secret: boolean };
let contract: unknown;

beforeAll(async () => {
  registered = await installMocks();
  const { LocalPlatform } = await import("./local-platform.ts");
  const platform = new LocalPlatform("platform", { platform: localPlatform({ storageClass: "standard" }) });
  kubeconfig = { value: await valueOf(platform.kubeconfig), secret: await pulumi.isSecret(platform.kubeconfig) };
  contract = platform.contract;
  await settled(registered);
});

describe("LocalPlatform", () => {
  it("creates exactly these children", () => {
    expect(registered.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "llmkit:platform:LocalPlatform platform",
        "pulumi:providers:kubernetes platform-k8s",
        "pulumi:providers:kubernetes platform-workloads-k8s",
        "kubernetes:core/v1:Namespace platform-namespace",
        "kubernetes:core/v1:ServiceAccount platform-sa-mirror",
        "kubernetes:core/v1:ServiceAccount platform-sa-trainer",
        "kubernetes:core/v1:ServiceAccount platform-sa-serving",
        "kubernetes:scheduling.k8s.io/v1:PriorityClass platform-serving-priority",
        "random:index/randomPassword:RandomPassword platform-store-access-key",
        "random:index/randomPassword:RandomPassword platform-store-secret-key",
        "kubernetes:core/v1:Secret platform-store-credentials",
        "kubernetes:core/v1:Service platform-store-service",
        "kubernetes:apps/v1:StatefulSet platform-store",
        "kubernetes:batch/v1:Job platform-store-bucket",
        // local clusters default to Envoy Gateway only (addons/defaults.ts)
        "kubernetes:core/v1:Namespace platform-envoy-gateway-namespace",
        "kubernetes:helm.sh/v3:Release platform-envoy-gateway",
        "kubernetes:gateway.networking.k8s.io/v1:GatewayClass platform-gateway-class",
      ].sort(),
    );
  });

  it("uses the ambient kube context and exports an empty secret kubeconfig", () => {
    expect(byName(registered, "platform-k8s").inputs).toEqual({});
    expect(kubeconfig).toEqual({ value: "", secret: true });
    expect(contract).toEqual(platformContract(localPlatform({ storageClass: "standard" })));
  });

  it("generates the store keys and keeps them only in the Secret", () => {
    expect(byName(registered, "platform-store-access-key").inputs).toEqual({ length: 20, lower: false, special: false });
    expect(byName(registered, "platform-store-secret-key").inputs).toEqual({ length: 40, special: false });
    const secret = byName(registered, "platform-store-credentials");
    expect(secret.inputs.metadata).toMatchObject({ name: "llmkit-store-credentials", namespace: "llmkit" });
    expect(secret.inputs.stringData).toEqual(
      secretInput({
        AWS_ACCESS_KEY_ID: "platform-store-access-key-generated",
        AWS_SECRET_ACCESS_KEY: "platform-store-secret-key-generated",
      }),
    );
  });

  it("registers the rendered store objects on the platform provider", () => {
    const c = platformContract(localPlatform({ storageClass: "standard" }));
    // The typed classes add apiVersion and kind, so the registered inputs are the rendered objects.
    expect(byName(registered, "platform-store").inputs).toEqual(renderStoreStatefulSet(c, { sizeGiB: 20, storageClass: "standard" }));
    expect(byName(registered, "platform-store-service").inputs).toEqual(renderStoreService(c));
    expect(byName(registered, "platform-store-bucket").inputs).toEqual(renderBucketJob(c));
    for (const name of ["platform-namespace", "platform-store", "platform-store-service", "platform-store-credentials", "platform-store-bucket"]) {
      expect(byName(registered, name).provider).toMatch(/::platform-k8s::platform-k8s-id$/);
    }
  });

  it("orders store before bucket, and the workloads provider after both", () => {
    expect(byName(registered, "platform-store").dependsOn).toEqual(
      expect.arrayContaining(["platform-namespace", "platform-store-credentials", "platform-store-service"]),
    );
    expect(byName(registered, "platform-store-bucket").dependsOn).toEqual(expect.arrayContaining(["platform-store"]));
    expect(byName(registered, "platform-workloads-k8s").dependsOn).toEqual(
      expect.arrayContaining([
        "platform-namespace",
        "platform-sa-mirror",
        "platform-sa-trainer",
        "platform-sa-serving",
        "platform-serving-priority",
        "platform-store-bucket",
        "platform-gateway-class",
      ]),
    );
  });
});

describe("validateLocal", () => {
  it("refuses a bucket name S3 would reject", () => {
    expect(validateLocal(localPlatform({ bucket: "ab" }))).toEqual([
      'platform.store.bucket: "ab" is shorter than the 3 characters S3 bucket names need',
    ]);
    expect(validateLocal(localPlatform())).toEqual([]);
  });
});
