/**
 * Every policy: compliant, non-compliant, missing properties, and an enforcement override.
 * Policies are pure, so these run without the Pulumi engine.
 */
import { describe, expect, it } from "vitest";
import { BUCKET_POLICY, deployment, gpuPodSpec, job, LABELS, nodePool, readerPolicy, SECURE, SELECTOR, servingStack, storeStack } from "./__fixtures__/resources.ts";
import { applyOverrides, resolveLevels, type Levels } from "./lib/enforcement.ts";
import type { PolicyInput } from "./lib/types.ts";
import { evaluate, POLICIES, POLICY_NAMES } from "./pack.ts";
import { imageProblem } from "./pinned-images.ts";
import { isWriteAction } from "./reader-role-read-only.ts";

/** Messages of one policy only, at mandatory. */
function run(policy: string, resources: PolicyInput[]): string[] {
  const levels: Levels = Object.fromEntries(POLICY_NAMES.map((n) => [n, n === policy ? "mandatory" : "disabled"]));
  return evaluate(resources, levels).map((f) => f.message);
}

function withPodSpec(mutate: (spec: Record<string, any>) => void): PolicyInput {
  const spec = gpuPodSpec();
  mutate(spec);
  return deployment({ podSpec: spec });
}

describe("gpu-pool-tainted-capped", () => {
  const P = "gpu-pool-tainted-capped";
  it("accepts a tainted, capped GPU pool, typed or as a generic CustomResource", () => {
    expect(run(P, [nodePool()])).toEqual([]);
    expect(run(P, [nodePool({}, "kubernetes:apiextensions.k8s.io/v1:CustomResource")])).toEqual([]);
  });
  it("refuses a GPU pool without taint or limit, in either form", () => {
    const bad = nodePool({ limits: { cpu: "100" }, template: { spec: { requirements: [{ key: "karpenter.k8s.aws/instance-gpu-count", operator: "In", values: ["8"] }] } } });
    expect(run(P, [bad])).toEqual([expect.stringContaining("no \"nvidia.com/gpu\" NoSchedule taint"), expect.stringContaining("uncapped")]);
    expect(run(P, [{ ...bad, type: "kubernetes:apiextensions.k8s.io/v1:CustomResource" }])).toHaveLength(2);
    expect(run(P, [nodePool({ limits: { "nvidia.com/gpu": "0" } })])).toEqual([expect.stringContaining("uncapped")]);
  });
  it("ignores CPU pools and handles a pool with no spec", () => {
    expect(run(P, [nodePool({ limits: { cpu: "64" }, template: { spec: { requirements: [{ key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["m7i"] }] } } })])).toEqual([]);
    expect(run(P, [{ type: "kubernetes:karpenter.sh/v1:NodePool", name: "empty", inputs: {} }])).toEqual([]);
    // a pool that only declares a GPU taint is still a GPU pool: its cap is checked
    expect(run(P, [nodePool({ limits: undefined, template: { spec: { taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }] } } })])).toEqual([expect.stringContaining("uncapped")]);
  });
});

describe("gpu-pod-scheduling", () => {
  const P = "gpu-pod-scheduling";
  it("accepts a GPU pod that requests, tolerates and selects, and a plain CPU pod", () => {
    expect(run(P, [deployment()])).toEqual([]);
    expect(run(P, [job()])).toEqual([]);
  });
  it("refuses a GPU pod that does not tolerate the taint or select a pool", () => {
    const d = withPodSpec((s) => {
      delete s.tolerations;
      delete s.nodeSelector;
    });
    expect(run(P, [d])).toEqual([expect.stringContaining("does not tolerate"), expect.stringContaining("selects no node pool")]);
  });
  it("counts GPUs in init containers and accepts required node affinity on the pool label", () => {
    const j = job();
    const spec = (j.inputs.spec as any).template.spec;
    spec.initContainers = [{ name: "train", image: "t:1", resources: { limits: { "nvidia.com/gpu": "8" } }, securityContext: SECURE }];
    expect(run(P, [j])).toEqual([expect.stringContaining("8 GPU(s) but does not tolerate"), expect.stringContaining("selects no node pool")]);
    spec.tolerations = [{ key: "nvidia.com/gpu", operator: "Exists" }];
    spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "karpenter.sh/nodepool", operator: "In", values: ["training"] }] }] } } };
    expect(run(P, [j])).toEqual([]);
  });
  it("refuses a pod that holds a GPU pool without requesting a GPU, and request ≠ limit", () => {
    const idle = withPodSpec((s) => (s.containers[0].resources = { limits: { cpu: "1" } }));
    expect(run(P, [idle])).toEqual([expect.stringContaining("requests no GPU")]);
    const mismatch = withPodSpec((s) => (s.containers[0].resources = { requests: { "nvidia.com/gpu": "2" }, limits: { "nvidia.com/gpu": "1" } }));
    expect(run(P, [mismatch])).toEqual([expect.stringContaining("request 2 ≠ limit 1")]);
    const noLimit = withPodSpec((s) => (s.containers[0].resources = { requests: { "nvidia.com/gpu": "1" } }));
    expect(run(P, [noLimit])).toEqual([expect.stringContaining("without a limit")]);
  });
  it("handles workloads with no template or no containers", () => {
    expect(run(P, [{ type: "kubernetes:apps/v1:Deployment", name: "x", inputs: {} }])).toEqual([]);
    expect(run(P, [{ type: "kubernetes:batch/v1:Job", name: "x", inputs: { spec: { template: { spec: {} } } } }])).toEqual([]);
  });
});

describe("pinned-images", () => {
  const P = "pinned-images";
  it("parses image references", () => {
    expect(imageProblem("vllm/vllm-openai:v0.21.0")).toBeUndefined();
    expect(imageProblem("localhost:5000/repo/img:1.2")).toBeUndefined();
    expect(imageProblem(`img@sha256:${"a".repeat(64)}`)).toBeUndefined();
    expect(imageProblem("localhost:5000/repo/img")).toContain("no tag");
    expect(imageProblem("img:latest")).toContain('"latest"');
    expect(imageProblem("img:LATEST")).toContain('"latest"');
    expect(imageProblem(undefined)).toBe("has no image");
  });
  it("accepts pinned images and pinned charts", () => {
    expect(run(P, [deployment(), job()])).toEqual([]);
    expect(run(P, [{ type: "kubernetes:helm.sh/v3:Release", name: "keda", inputs: { chart: "keda", version: "2.20.2", values: { image: { tag: "2.20.2" } } } }])).toEqual([]);
  });
  it("refuses latest and untagged images in every container list", () => {
    const d = withPodSpec((s) => {
      s.containers[0].image = "vllm/vllm-openai:latest";
      s.initContainers[0].image = "amazon/aws-cli";
    });
    expect(run(P, [d])).toEqual([expect.stringContaining("container fetch image \"amazon/aws-cli\" has no tag"), expect.stringContaining("container vllm image \"vllm/vllm-openai:latest\"")]);
  });
  it("refuses unpinned charts and latest tags in Helm values", () => {
    const rel = { type: "kubernetes:helm.sh/v3:Release", name: "r", inputs: { chart: "karpenter", values: { controller: { image: { repository: "k", tag: "latest" } }, sidecar: { image: "busybox:latest" } } } };
    expect(run(P, [rel])).toEqual([expect.stringContaining("version is not set"), expect.stringContaining("values.controller.image.tag"), expect.stringContaining("values.sidecar.image")]);
    expect(run(P, [{ ...rel, inputs: { chart: "keda", version: "^2.0.0" } }])).toEqual([expect.stringContaining('"^2.0.0" is not exact')]);
  });
  it("handles missing containers, images and values", () => {
    expect(run(P, [{ type: "kubernetes:apps/v1:Deployment", name: "x", inputs: { spec: { template: { spec: { containers: [{ name: "c" }] } } } } }])).toEqual([expect.stringContaining("has no image")]);
    expect(run(P, [{ type: "kubernetes:helm.sh/v3:Release", name: "local", inputs: { chart: "./charts/local" } }])).toEqual([]);
  });
});

describe("pinned-ami-alias", () => {
  const P = "pinned-ami-alias";
  const nodeClass = (spec: unknown, type = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"): PolicyInput => ({ type, name: "nc", inputs: { apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass", metadata: { name: "gpu" }, spec } });
  it("accepts a versioned alias or fixed AMI ids", () => {
    expect(run(P, [nodeClass({ amiSelectorTerms: [{ alias: "bottlerocket@v1.62.0" }] })])).toEqual([]);
    expect(run(P, [nodeClass({ amiSelectorTerms: [{ id: "ami-0123" }] }, "kubernetes:apiextensions.k8s.io/v1:CustomResource")])).toEqual([]);
  });
  it("refuses @latest and bare aliases, in either form", () => {
    expect(run(P, [nodeClass({ amiSelectorTerms: [{ alias: "al2023@latest" }] })])).toEqual([expect.stringContaining('"al2023@latest" is not pinned')]);
    expect(run(P, [nodeClass({ amiSelectorTerms: [{ alias: "bottlerocket" }] }, "kubernetes:apiextensions.k8s.io/v1:CustomResource")])).toEqual([expect.stringContaining("not pinned")]);
  });
  it("refuses a class with no amiSelectorTerms or no spec", () => {
    expect(run(P, [nodeClass(undefined)])).toEqual([expect.stringContaining("amiSelectorTerms is missing")]);
  });
});

describe("model-store-secure", () => {
  const P = "model-store-secure";
  const without = (type: string) => storeStack().filter((r) => !r.type.includes(type));
  it("accepts a private, KMS-encrypted, versioned, TLS-only bucket", () => {
    expect(run(P, storeStack())).toEqual([]);
  });
  it("refuses each missing safeguard", () => {
    expect(run(P, without("PublicAccessBlock"))).toEqual([expect.stringContaining("BucketPublicAccessBlock")]);
    expect(run(P, without("ServerSideEncryption"))).toEqual([expect.stringContaining("no default server-side encryption")]);
    expect(run(P, without("Versioning"))).toEqual([expect.stringContaining("versioning is not Enabled")]);
    expect(run(P, without("bucketPolicy"))).toEqual([expect.stringContaining("TLS-only")]);
  });
  it("refuses weak settings: a false flag, AES256, suspended versioning, a policy without the deny, a public ACL", () => {
    const stack = storeStack();
    (stack[1]!.inputs as any).restrictPublicBuckets = false;
    (stack[2]!.inputs as any).rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" };
    (stack[3]!.inputs as any).versioningConfiguration.status = "Suspended";
    (stack[4]!.inputs as any).policy = BUCKET_POLICY.replace('"Deny"', '"Allow"');
    (stack[0]!.inputs as any).acl = "public-read";
    expect(run(P, stack)).toHaveLength(5);
  });
  it("links settings to the right bucket by dependency, value or name, and checks missing properties", () => {
    const other: PolicyInput = { type: "aws:s3/bucket:Bucket", name: "logs", inputs: {} };
    // store's siblings are named store-*: logs has none of them
    expect(run(P, [...storeStack(), other]).every((m) => m.startsWith("bucket logs:"))).toBe(true);
    expect(run(P, [...storeStack(), other])).toHaveLength(4);
    const byDep = storeStack().map((r, i) => (i === 0 ? r : { ...r, name: `x${i}`, propertyDependencies: { bucket: ["store"] } }));
    expect(run(P, [...byDep, other])).toHaveLength(4);
    expect(run(P, [{ type: "aws:s3/bucket:Bucket", name: "bare", inputs: {} }])).toHaveLength(4);
  });
});

describe("reader-role-read-only", () => {
  const P = "reader-role-read-only";
  const read = { Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"], Resource: "*" };
  it("accepts a serving role that only reads, and ignores writer roles", () => {
    expect(run(P, [readerPolicy([read])])).toEqual([]);
    expect(run(P, [readerPolicy([{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }], "platform-trainer-role")])).toEqual([]);
    expect(run(P, [readerPolicy([{ Effect: "Deny", Action: "s3:*", Resource: "*" }, read])])).toEqual([]);
  });
  it("refuses writes, wildcards, KMS data keys and NotAction", () => {
    expect(run(P, [readerPolicy([{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" }])])).toEqual([expect.stringContaining("s3:PutObject")]);
    expect(run(P, [readerPolicy([{ Effect: "Allow", Action: "s3:*", Resource: "*" }])])).toEqual([expect.stringContaining("s3:*")]);
    expect(run(P, [readerPolicy([{ Effect: "Allow", Action: "kms:GenerateDataKey", Resource: "*" }], "llmkit-prod-reader")])).toHaveLength(1);
    expect(run(P, [readerPolicy([{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }])])).toEqual([expect.stringContaining("NotAction")]);
    expect(["*", "s3:Put*", "s3:Delete*", "dynamodb:PutItem", "sqs:*"].every(isWriteAction)).toBe(true);
    expect(["s3:GetObject", "s3:List*", "s3:Get*", "kms:Decrypt", "kms:Describe*"].some(isWriteAction)).toBe(false);
  });
  it("refuses a reader policy it cannot read", () => {
    expect(run(P, [{ type: "aws:iam/rolePolicy:RolePolicy", name: "p", inputs: { role: "serving" } }])).toEqual([expect.stringContaining("missing")]);
    expect(run(P, [{ type: "aws:iam/rolePolicy:RolePolicy", name: "p", inputs: { role: "serving", policy: "{not json" } }])).toEqual([expect.stringContaining("not valid JSON")]);
  });
});

describe("serving-ha", () => {
  const P = "serving-ha";
  it("accepts a replicated, budgeted, spread, authenticated, fenced service", () => {
    expect(run(P, servingStack())).toEqual([]);
  });
  it("accepts gateway auth and an autoscaler floor instead of the engine key and spec.replicas", () => {
    const stack = servingStack();
    stack[0] = withPodSpec((s) => delete s.containers[0].env);
    (stack[0].inputs as any).spec.replicas = 1;
    stack.push({ type: "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", name: "auth", inputs: { metadata: { name: "chat", namespace: "llmkit" }, spec: { apiKeyAuth: {} } } });
    stack.push({ type: "kubernetes:keda.sh/v1alpha1:ScaledObject", name: "so", inputs: { metadata: { name: "chat", namespace: "llmkit" }, spec: { minReplicaCount: 2, scaleTargetRef: { name: "chat" } } } });
    expect(run(P, stack)).toEqual([]);
  });
  it("refuses each missing safeguard", () => {
    const [, pdb, netpol] = servingStack();
    const single = deployment({ replicas: 1 });
    const unspread = withPodSpec((s) => delete s.topologySpreadConstraints);
    const open = withPodSpec((s) => delete s.containers[0].env);
    expect(run(P, [single, pdb!, netpol!])).toEqual([expect.stringContaining("1 replica(s)")]);
    expect(run(P, [deployment(), netpol!])).toEqual([expect.stringContaining("PodDisruptionBudget")]);
    expect(run(P, [unspread, pdb!, netpol!])).toEqual([expect.stringContaining("topology.kubernetes.io/zone")]);
    expect(run(P, [open, pdb!, netpol!])).toEqual([expect.stringContaining("no authentication")]);
    expect(run(P, [deployment(), pdb!])).toEqual([expect.stringContaining("NetworkPolicy")]);
    const allowAll = { ...netpol!, inputs: { ...netpol!.inputs, spec: { ...(netpol!.inputs.spec as object), ingress: [{}] } } };
    expect(run(P, [deployment(), pdb!, allowAll])).toEqual([expect.stringContaining("admits every peer")]);
  });
  describe("an exposed workload", () => {
    const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: "llmkit", ...extra });
    const service: PolicyInput = { type: "kubernetes:core/v1:Service", name: "chat-svc", inputs: { metadata: meta("chat"), spec: { selector: SELECTOR, ports: [{ port: 8000 }] } } };
    const route: PolicyInput = {
      type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
      name: "chat-route",
      inputs: { metadata: meta("chat", { labels: { exposed: "yes" } }), spec: { parentRefs: [{ name: "edge" }], rules: [{ backendRefs: [{ name: "chat", port: 8000 }] }] } },
    };
    const policy = (spec: Record<string, unknown>, typed = true): PolicyInput =>
      typed
        ? { type: "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", name: "sp", inputs: { metadata: meta("sp"), spec } }
        : { type: "kubernetes:apiextensions.k8s.io/v1:CustomResource", name: "sp", inputs: { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "SecurityPolicy", metadata: meta("sp"), spec } };
    const toRoute = (name: string) => ({ targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name }] });
    const exposed = (...extra: PolicyInput[]) => [...servingStack(), service, route, ...extra];
    const uncovered = ["Deployment llmkit/chat: HTTPRoute chat exposes it, but no authenticating SecurityPolicy targets that route or its Gateway"];

    it("refuses a route no authenticating SecurityPolicy targets, even with the engine key and a policy elsewhere in the namespace", () => {
      expect(run(P, exposed())).toEqual(uncovered);
      expect(run(P, exposed(policy({ ...toRoute("other"), apiKeyAuth: {} })))).toEqual(uncovered);
      expect(run(P, exposed(policy({ ...toRoute("chat"), cors: {} })))).toEqual(uncovered);
    });
    it("accepts a policy targeting the route or its Gateway, typed or as a CustomResource, or selecting the route by label", () => {
      expect(run(P, exposed(policy({ ...toRoute("chat"), apiKeyAuth: {} })))).toEqual([]);
      expect(run(P, exposed(policy({ targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge" }, jwt: {} }, false)))).toEqual([]);
      expect(run(P, exposed(policy({ targetSelectors: [{ kind: "HTTPRoute", matchLabels: { exposed: "yes" } }], apiKeyAuth: {} })))).toEqual([]);
    });
    it("ignores routes to other Services and Services of other pods", () => {
      const elsewhere = { ...route, inputs: { ...route.inputs, spec: { rules: [{ backendRefs: [{ name: "other", port: 8000 }] }] } } };
      const otherPods = { ...service, inputs: { ...service.inputs, spec: { selector: { "app.kubernetes.io/name": "router" } } } };
      expect(run(P, [...servingStack(), service, elsewhere])).toEqual([]);
      expect(run(P, [...servingStack(), otherPods, route])).toEqual([]);
    });
  });
  it("ignores non-serving workloads and reads a serving Deployment with no replicas or spec as one replica", () => {
    expect(run(P, [job(), deployment({ labels: { ...LABELS, "app.kubernetes.io/component": "router" } })])).toEqual([]);
    const bare = deployment();
    delete (bare.inputs as any).spec.replicas;
    expect(run(P, [bare, ...servingStack().slice(1)])).toEqual([expect.stringContaining("1 replica(s)")]);
  });
});

describe("no-public-loadbalancer", () => {
  const P = "no-public-loadbalancer";
  const svc = (spec: Record<string, unknown>, annotations: Record<string, string> = {}): PolicyInput => ({
    type: "kubernetes:core/v1:Service",
    name: "lb",
    inputs: { metadata: { name: "lb", namespace: "llmkit", annotations }, spec },
  });
  const auth: PolicyInput = { type: "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", name: "auth", inputs: { metadata: { name: "chat", namespace: "llmkit" }, spec: { targetRefs: [{ kind: "HTTPRoute", name: "chat" }], apiKeyAuth: {} } } };
  it("accepts ClusterIP, internal load balancers and a gateway fronted by auth", () => {
    expect(run(P, [svc({ type: "ClusterIP" })])).toEqual([]);
    expect(run(P, [svc({ type: "LoadBalancer" }, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" })])).toEqual([]);
    expect(run(P, [svc({ type: "LoadBalancer", selector: { "llmkit.dev/gateway": "true" } }), auth])).toEqual([]);
  });
  it("refuses a public load balancer with no authenticating gateway in front", () => {
    expect(run(P, [svc({ type: "LoadBalancer", selector: { app: "vllm" } }), auth])).toEqual([expect.stringContaining("does not front the authenticating gateway")]);
    expect(run(P, [svc({ type: "LoadBalancer", selector: { "llmkit.dev/gateway": "true" } })])).toEqual([expect.stringContaining("no authenticating SecurityPolicy")]);
  });
  it("requires auth on every route of a Gateway", () => {
    const gw: PolicyInput = { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", name: "gw", inputs: { metadata: { name: "public", namespace: "llmkit" }, spec: {} } };
    const route = (name: string): PolicyInput => ({ type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", name, inputs: { metadata: { name, namespace: "llmkit" }, spec: { parentRefs: [{ name: "public" }] } } });
    expect(run(P, [gw, route("chat"), auth])).toEqual([]);
    expect(run(P, [gw, route("chat"), route("metrics"), auth])).toEqual([expect.stringContaining("Gateway llmkit/public")]);
    expect(run(P, [gw])).toHaveLength(1);
  });
  it("handles a Service with no spec", () => {
    expect(run(P, [{ type: "kubernetes:core/v1:Service", name: "s", inputs: {} }])).toEqual([]);
  });
});

describe("jobs-bounded and jobs-ttl", () => {
  it("accept a bounded Job with a TTL", () => {
    expect(run("jobs-bounded", [job()])).toEqual([]);
    expect(run("jobs-ttl", [job()])).toEqual([]);
  });
  it("refuse a Job without deadline, backoff limit or TTL", () => {
    expect(run("jobs-bounded", [job({ activeDeadlineSeconds: undefined, backoffLimit: undefined })])).toEqual([expect.stringContaining("activeDeadlineSeconds"), expect.stringContaining("backoffLimit")]);
    expect(run("jobs-bounded", [job({ activeDeadlineSeconds: 0 })])).toHaveLength(1);
    expect(run("jobs-ttl", [job({ ttlSecondsAfterFinished: undefined })])).toEqual([expect.stringContaining("ttlSecondsAfterFinished")]);
  });
  it("check CronJob templates and Jobs with no spec", () => {
    const cron: PolicyInput = { type: "kubernetes:batch/v1:CronJob", name: "c", inputs: { metadata: { name: "c" }, spec: { jobTemplate: { spec: { backoffLimit: 1 } } } } };
    expect(run("jobs-bounded", [cron])).toEqual([expect.stringContaining("CronJob c: spec.activeDeadlineSeconds")]);
    expect(run("jobs-bounded", [{ type: "kubernetes:batch/v1:Job", name: "j", inputs: {} }])).toHaveLength(2);
    expect(run("jobs-ttl", [{ type: "kubernetes:batch/v1:Job", name: "j", inputs: {} }])).toHaveLength(1);
  });
});

describe("no-privilege-escalation", () => {
  const P = "no-privilege-escalation";
  it("accepts containers that set allowPrivilegeEscalation: false", () => {
    expect(run(P, [deployment(), job()])).toEqual([]);
  });
  it("refuses escalation or privileged in any container list", () => {
    const d = withPodSpec((s) => {
      s.initContainers[0].securityContext = { allowPrivilegeEscalation: true };
      s.containers[0].securityContext = { allowPrivilegeEscalation: false, privileged: true };
    });
    expect(run(P, [d])).toEqual([expect.stringContaining("container fetch does not set"), expect.stringContaining("container vllm is privileged")]);
  });
  it("refuses a container with no securityContext and reads a bare Pod", () => {
    const pod: PolicyInput = { type: "kubernetes:core/v1:Pod", name: "p", inputs: { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x:1" }] } } };
    expect(run(P, [pod])).toEqual([expect.stringContaining("Pod p: container c does not set")]);
  });
});

describe("recommended-labels", () => {
  const P = "recommended-labels";
  it("accepts labelled workloads and Services", () => {
    expect(run(P, [deployment(), job(), { type: "kubernetes:core/v1:Service", name: "s", inputs: { metadata: { name: "s", labels: LABELS } } }])).toEqual([]);
  });
  it("reports missing labels on the object and on its pod template", () => {
    const d = deployment();
    (d.inputs as any).metadata.labels = { "app.kubernetes.io/name": "vllm" };
    (d.inputs as any).spec.template.metadata = {};
    expect(run(P, [d])).toEqual([expect.stringContaining("metadata.labels lack app.kubernetes.io/instance"), expect.stringContaining("pod template labels lack app.kubernetes.io/name")]);
    expect(run(P, [{ type: "kubernetes:core/v1:Service", name: "s", inputs: {} }])).toEqual([expect.stringContaining("Service (unnamed): metadata.labels lack")]);
  });
  it("ignores other kinds", () => {
    expect(run(P, [{ type: "kubernetes:core/v1:ConfigMap", name: "c", inputs: {} }])).toEqual([]);
  });
});

/** One non-compliant input per policy, for the enforcement tests. */
const VIOLATING: Record<string, () => PolicyInput[]> = {
  "gpu-pool-tainted-capped": () => [nodePool({ limits: {} })],
  "gpu-pod-scheduling": () => [withPodSpec((s) => delete s.tolerations)],
  "pinned-images": () => [withPodSpec((s) => (s.containers[0].image = "vllm/vllm-openai:latest"))],
  "pinned-ami-alias": () => [{ type: "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", name: "nc", inputs: { spec: { amiSelectorTerms: [{ alias: "al2023@latest" }] } } }],
  "model-store-secure": () => storeStack().slice(0, 1),
  "reader-role-read-only": () => [readerPolicy([{ Effect: "Allow", Action: "s3:*", Resource: "*" }])],
  "serving-ha": () => [deployment({ replicas: 1 })],
  "no-public-loadbalancer": () => [{ type: "kubernetes:core/v1:Service", name: "lb", inputs: { spec: { type: "LoadBalancer" } } }],
  "jobs-bounded": () => [job({ backoffLimit: undefined })],
  "jobs-ttl": () => [job({ ttlSecondsAfterFinished: undefined })],
  "no-privilege-escalation": () => [withPodSpec((s) => (s.containers[0].securityContext = {}))],
  "recommended-labels": () => [deployment({ labels: {} })],
  "network-policy-enforced": () => [{ type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "np", inputs: { metadata: { name: "np" }, spec: {} } }],
};

describe("enforcement", () => {
  it("has a violating case for every policy, and policy names are unique", () => {
    expect(Object.keys(VIOLATING).sort()).toEqual([...POLICY_NAMES].sort());
    expect(new Set(POLICY_NAMES).size).toBe(POLICIES.length);
  });

  it.each(POLICY_NAMES)("%s: the env file sets its level and config overrides it", (name) => {
    const bad = VIOLATING[name]!();
    const prod = resolveLevels("prod", POLICY_NAMES);
    const levelsOf = (levels: Levels) => [...new Set(evaluate(bad, levels).filter((f) => f.policy === name).map((f) => f.level))];
    expect(levelsOf(prod)).toEqual([prod[name]]);
    expect(levelsOf(resolveLevels("prod", POLICY_NAMES, { [name]: "advisory" }))).toEqual(["advisory"]);
    expect(levelsOf(resolveLevels("dev", POLICY_NAMES, { [name]: { enforcementLevel: "mandatory" } }))).toEqual(["mandatory"]);
    expect(levelsOf(applyOverrides(prod, { [name]: "disabled" }))).toEqual([]);
  });

  it("relaxes in dev only what its file says, with everything else mandatory", () => {
    const dev = resolveLevels("dev", POLICY_NAMES);
    const prod = resolveLevels("prod", POLICY_NAMES);
    expect(Object.entries(dev).filter(([, l]) => l !== "mandatory").map(([n]) => n).sort()).toEqual(["jobs-ttl", "network-policy-enforced", "recommended-labels", "serving-ha"]);
    expect(Object.entries(prod).filter(([, l]) => l !== "mandatory").map(([n]) => n)).toEqual(["recommended-labels"]);
    expect(resolveLevels("staging", POLICY_NAMES)).toEqual(prod);
  });
});
