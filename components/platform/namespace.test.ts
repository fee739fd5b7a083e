import { describe, expect, it } from "vitest";
import { localPlatform } from "./__fixtures__/configs.ts";
import { platformContract } from "./contract.ts";
import { renderNamespace, renderServiceAccount } from "./namespace.ts";

const contract = platformContract(localPlatform());
const labels = {
  "app.kubernetes.io/name": "llmkit",
  "app.kubernetes.io/instance": "platform",
  "app.kubernetes.io/component": "platform",
  "app.kubernetes.io/part-of": "llmkit",
  "app.kubernetes.io/managed-by": "pulumi",
};

describe("tenancy objects", () => {
  it("namespace: enforces baseline, audits restricted", () => {
    expect(renderNamespace("platform", contract)).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "llmkit",
        labels: { ...labels, "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/audit": "restricted" },
        annotations: { "llmkit.dev/network-policy-enforced": "false" },
      },
    });
  });

  it("namespace: declares whether NetworkPolicies are enforced, as the platform says", () => {
    const enforced = platformContract({ ...localPlatform(), cni: { enforcesNetworkPolicy: true } });
    expect(renderNamespace("platform", enforced).metadata.annotations).toEqual({ "llmkit.dev/network-policy-enforced": "true" });
  });

  it.each([
    ["mirror", "llmkit-model-mirror"],
    ["trainer", "llmkit-trainer"],
    ["serving", "llmkit-serving"],
  ] as const)("service account for %s mounts no API token", (role, name) => {
    expect(renderServiceAccount("platform", contract, role)).toEqual({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace: "llmkit", labels },
      automountServiceAccountToken: false,
    });
  });
});
