import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { canonical, isKubernetesObjectType, manifestFileName, toKubernetesObject, type KubernetesObject } from "../render/manifests.ts";
import { closeObjects, CRD_DIR, crdsAvailable } from "../render/schemas/crds.ts";
import { ALLOWED_WITHOUT_SCHEMA, validateObject, validateObjects } from "../render/validate.ts";
import { fromWire, SECRET } from "../render/wire.ts";

const meta = { name: "chat", namespace: "llmkit", labels: { "app.kubernetes.io/name": "vllm" } };
const container = { name: "vllm", image: "vllm/vllm-openai:v0.21.0", resources: { requests: { cpu: "1" }, limits: { cpu: "1" } } };
const podTemplate = { metadata: { labels: { app: "chat" } }, spec: { containers: [container] } };

const deployment: KubernetesObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta,
  spec: { replicas: 2, selector: { matchLabels: { app: "chat" } }, template: podTemplate },
};
const job: KubernetesObject = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: meta,
  spec: { backoffLimit: 3, template: { ...podTemplate, spec: { ...podTemplate.spec, restartPolicy: "Never" } } },
};
const configMap: KubernetesObject = { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { "a.sh": "echo" } };
const scaledObject: KubernetesObject = {
  apiVersion: "keda.sh/v1alpha1",
  kind: "ScaledObject",
  metadata: meta,
  spec: { scaleTargetRef: { name: "chat" }, minReplicaCount: 2, triggers: [{ type: "prometheus", metadata: { query: "sum(x)" } }] },
};
const nodePool: KubernetesObject = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodePool",
  metadata: { name: "serving-l4" },
  spec: {
    template: {
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "gpu" },
        requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] }],
      },
    },
    limits: { "nvidia.com/gpu": "4" },
  },
};

function withSpec(object: KubernetesObject, patch: (spec: any) => void): KubernetesObject {
  const copy = structuredClone(object) as any;
  patch(copy.spec);
  return copy;
}

describe("validateObject", () => {
  it("passes valid objects of several built-in kinds", async () => {
    const verdicts = await validateObjects([deployment, job, configMap]);
    expect(verdicts.map((v) => [v.object.kind, v.status, v.problems, v.schema])).toEqual([
      ["Deployment", "valid", [], "kubernetes-models/apps/v1/Deployment"],
      ["Job", "valid", [], "kubernetes-models/batch/v1/Job"],
      ["ConfigMap", "valid", [], "kubernetes-models/v1/ConfigMap"],
    ]);
  });

  it.runIf(crdsAvailable())("passes valid add-on objects against the CRD of the pinned release (CI only)", async () => {
    const verdicts = await validateObjects([scaledObject, nodePool]);
    expect(verdicts.map((v) => [v.object.kind, v.status, v.problems, v.schema])).toEqual([
      ["ScaledObject", "valid", [], "CRD keda-v2.20.2/keda.sh_scaledobjects.yaml"],
      ["NodePool", "valid", [], "CRD karpenter-v1.12.1/karpenter.sh_nodepools.yaml"],
    ]);
  });

  it.runIf(!crdsAvailable())("skips add-on objects with a note where ../shared is absent", async () => {
    console.log(`note: ${CRD_DIR} is absent: add-on schema checks skipped`);
    const verdicts = await validateObjects([scaledObject, nodePool]);
    expect(verdicts.map((v) => v.status)).toEqual(["skipped", "skipped"]);
  });

  it("fails a field of the wrong type", async () => {
    const v = await validateObject(withSpec(deployment, (s) => (s.replicas = "two")));
    expect(v.status).toBe("invalid");
    expect(v.problems).toEqual(["data/spec/replicas must be integer"]);
  });

  it("fails unknown fields at any depth, in built-in kinds, CRD kinds and metadata", async () => {
    const typo = withSpec(job, (s) => (s.template.spec.containers[0].imagePullPolicyy = "Always"));
    expect((await validateObject(typo)).problems).toEqual([".spec.template.spec.containers[0].imagePullPolicyy: unknown field"]);
    const crdTypo = withSpec(scaledObject, (s) => (s.triggers[0].metdata = {}));
    expect((await validateObject(crdTypo)).problems).toEqual(crdsAvailable() ? ['/spec/triggers/0: unknown field "metdata"'] : [expect.stringMatching(/is absent/)]);
    const metaTypo = { ...configMap, metadata: { ...meta, label: {} } };
    expect((await validateObject(metaTypo)).problems).toEqual([".metadata.label: unknown field"]);
  });

  it("accepts any key of a map field (labels, limits, data)", async () => {
    const v = await validateObject({ ...configMap, data: { "any.key": "x", other: "y" } });
    expect(v.status).toBe("valid");
  });

  it("fails a kind with no schema", async () => {
    const v = await validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } });
    expect(v.status).toBe("invalid");
    expect(v.problems[0]).toMatch(/^no schema for example\.com\/v1 Widget: .*ALLOWED_WITHOUT_SCHEMA/);
  });

  it("passes an allow-listed kind without a schema, with its reason", async () => {
    const allowed = { "example.com/v1 Widget": "vendor ships no CRD schema" };
    const v = await validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }, { allowedWithoutSchema: allowed });
    expect(v).toMatchObject({ status: "allowed", problems: ["vendor ships no CRD schema"] });
  });

  it("gives every allow-listed kind a reason", () => {
    for (const [kind, reason] of Object.entries(ALLOWED_WITHOUT_SCHEMA)) expect(reason.trim(), kind).not.toBe("");
  });
});

describe("Gateway API and Envoy Gateway kinds (CRDs from ../shared)", () => {
  const route: KubernetesObject = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: meta,
    spec: { parentRefs: [{ name: "gateway" }], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/v1" } }], backendRefs: [{ name: "chat", port: 8000 }] }] },
  };
  const policy: KubernetesObject = {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "SecurityPolicy",
    metadata: meta,
    spec: {
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "chat" }],
      apiKeyAuth: { credentialRefs: [{ name: "chat-api-keys" }], extractFrom: [{ headers: ["x-api-key"] }] },
    },
  };

  if (!crdsAvailable()) {
    it("skips with a note when the shared CRDs are absent", async () => {
      console.log(`note: ${CRD_DIR} is absent: Gateway API/Envoy Gateway schema checks skipped`);
      expect((await validateObject(route)).status).toBe("skipped");
    });
    return;
  }

  it("passes valid objects", async () => {
    const verdicts = await validateObjects([route, policy]);
    expect(verdicts.map((v) => [v.status, v.problems])).toEqual([
      ["valid", []],
      ["valid", []],
    ]);
  });

  it("fails unknown fields, wrong types and unknown metadata fields", async () => {
    const bad = withSpec(policy, (s) => {
      s.apiKeyAuth.extractFrom[0].header = "x";
      s.targetRefs[0].name = 7;
    });
    expect((await validateObject(bad)).problems).toEqual(
      expect.arrayContaining(['/spec/apiKeyAuth/extractFrom/0: unknown field "header"', "/spec/targetRefs/0/name: must be string"]),
    );
    const metaTypo = { ...route, metadata: { ...meta, annotation: {} } };
    expect((await validateObject(metaTypo)).problems).toEqual([".metadata.annotation: unknown field"]);
  });

  it("fails a kind the CRDs do not define", async () => {
    expect((await validateObject({ ...route, kind: "FooRoute" })).status).toBe("invalid");
  });
});

describe("closeObjects", () => {
  it("closes objects with properties, leaves preserve-unknown-fields, maps and junctors alone", () => {
    const schema = {
      type: "object",
      properties: {
        a: { type: "object", properties: { b: { type: "string" } } },
        open: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { c: { type: "string" } } },
        map: { type: "object", additionalProperties: { type: "object", properties: { d: { type: "string" } } } },
        list: { type: "array", items: { type: "object", properties: { e: { type: "string" } } } },
      },
      anyOf: [{ properties: { a: {} } }],
    };
    expect(closeObjects(schema)).toEqual({
      ...schema,
      additionalProperties: false,
      properties: {
        a: { type: "object", properties: { b: { type: "string" } }, additionalProperties: false },
        open: schema.properties.open,
        map: { type: "object", additionalProperties: { type: "object", properties: { d: { type: "string" } }, additionalProperties: false } },
        list: { type: "array", items: { type: "object", properties: { e: { type: "string" } }, additionalProperties: false } },
      },
    });
  });
});

describe("manifests", () => {
  it("recognises object type tokens, not Helm/YAML components or providers", () => {
    expect(isKubernetesObjectType("kubernetes:core/v1:Secret")).toBe(true);
    expect(isKubernetesObjectType("kubernetes:keda.sh/v1alpha1:ScaledObject")).toBe(true);
    expect(isKubernetesObjectType("kubernetes:helm.sh/v3:Release")).toBe(false);
    expect(isKubernetesObjectType("kubernetes:yaml/v2:ConfigGroup")).toBe(false);
    expect(isKubernetesObjectType("pulumi:providers:kubernetes")).toBe(false);
  });

  it("maps core/v1 to apiVersion v1 and refuses inputs that disagree with the token", () => {
    expect(toKubernetesObject("kubernetes:core/v1:ConfigMap", { metadata: meta })).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: meta });
    expect(() => toKubernetesObject("kubernetes:apps/v1:Deployment", { apiVersion: "apps/v1beta1", kind: "Deployment" })).toThrow(/type token says apps\/v1/);
  });

  it("names files <namespace>.<kind>.<name>.yaml, cluster-scoped under _cluster", () => {
    expect(manifestFileName(deployment)).toBe("llmkit.deployment.chat.yaml");
    expect(manifestFileName(nodePool)).toBe("_cluster.nodepool.serving-l4.yaml");
  });

  it("orders keys apiVersion, kind, metadata, then sorted", () => {
    const c = canonical({ spec: { z: 1, a: 2 }, kind: "K", data: {}, metadata: { name: "n" }, apiVersion: "v1" });
    expect(Object.keys(c)).toEqual(["apiVersion", "kind", "metadata", "data", "spec"]);
    expect(Object.keys(c.spec as object)).toEqual(["a", "z"]);
  });
});

describe("fromWire", () => {
  const { specialSigKey, specialSecretSig, specialResourceSig } = pulumi.runtime;
  const wire = {
    stringData: { [specialSigKey]: specialSecretSig, value: { key: "hunter2" } },
    list: [1, { [specialSigKey]: specialSecretSig, value: "s" }],
    cluster: { [specialSigKey]: specialResourceSig, urn: "urn:pulumi:s::p::eks:index:Cluster::c", id: "" },
  };

  it("redacts every secret, however deep", () => {
    expect(fromWire(wire, "redacted")).toEqual({ stringData: SECRET, list: [1, SECRET], cluster: { resource: "urn:pulumi:s::p::eks:index:Cluster::c" } });
  });

  it("unwraps secrets for validation", () => {
    expect(fromWire(wire, "plain")).toEqual({ stringData: { key: "hunter2" }, list: [1, "s"], cluster: { resource: "urn:pulumi:s::p::eks:index:Cluster::c" } });
  });
});
