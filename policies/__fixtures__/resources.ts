/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are mutated freely by the tests, as in test/** and *.test.ts */
/** Small, compliant resources for the policy tests; each test breaks one thing. */
import type { PolicyInput } from "../lib/types.ts";

export const LABELS = {
  "app.kubernetes.io/name": "vllm",
  "app.kubernetes.io/instance": "chat",
  "app.kubernetes.io/component": "serving",
  "app.kubernetes.io/part-of": "llmkit",
  "app.kubernetes.io/managed-by": "pulumi",
};
export const SELECTOR = { "app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "chat" };
export const SECURE = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

export function gpuPodSpec(): Record<string, any> {
  return {
    nodeSelector: { "llmkit.dev/pool": "serving-l40s" },
    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: SELECTOR } }],
    initContainers: [{ name: "fetch", image: "amazon/aws-cli:2.36.7", securityContext: SECURE }],
    containers: [
      {
        name: "vllm",
        image: "vllm/vllm-openai:v0.21.0",
        env: [{ name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: "chat-api-key", key: "key" } } }],
        resources: { limits: { cpu: "4", memory: "32Gi", "nvidia.com/gpu": "1" } },
        securityContext: SECURE,
      },
    ],
  };
}

export function deployment(overrides: { replicas?: number; podSpec?: Record<string, any>; labels?: Record<string, string> } = {}): PolicyInput {
  return {
    type: "kubernetes:apps/v1:Deployment",
    name: "chat",
    inputs: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "chat", namespace: "llmkit", labels: overrides.labels ?? LABELS },
      spec: {
        replicas: overrides.replicas ?? 2,
        selector: { matchLabels: SELECTOR },
        template: { metadata: { labels: overrides.labels ?? LABELS }, spec: overrides.podSpec ?? gpuPodSpec() },
      },
    },
  };
}

export function job(spec: Record<string, any> = {}): PolicyInput {
  return {
    type: "kubernetes:batch/v1:Job",
    name: "train",
    inputs: {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "train", namespace: "llmkit", labels: { ...LABELS, "app.kubernetes.io/component": "training" } },
      spec: {
        activeDeadlineSeconds: 86400,
        backoffLimit: 2,
        ttlSecondsAfterFinished: 604800,
        template: {
          metadata: { labels: { ...LABELS, "app.kubernetes.io/component": "training" } },
          spec: { restartPolicy: "Never", containers: [{ name: "train", image: "hiyouga/llamafactory:0.9.5", securityContext: SECURE }] },
        },
        ...spec,
      },
    },
  };
}

export function nodePool(spec: Record<string, any> = {}, type = "kubernetes:karpenter.sh/v1:NodePool"): PolicyInput {
  return {
    type,
    name: "nodepool-serving",
    inputs: {
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: { name: "serving-l40s" },
      spec: {
        limits: { "nvidia.com/gpu": "12" },
        template: {
          spec: {
            requirements: [{ key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g6e"] }],
            taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }],
          },
        },
        ...spec,
      },
    },
  };
}

export function servingStack(): PolicyInput[] {
  const meta = { namespace: "llmkit", labels: LABELS };
  return [
    deployment(),
    { type: "kubernetes:policy/v1:PodDisruptionBudget", name: "chat-pdb", inputs: { metadata: { name: "chat", ...meta }, spec: { maxUnavailable: 1, selector: { matchLabels: SELECTOR } } } },
    {
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      name: "chat-netpol",
      inputs: {
        metadata: { name: "chat", ...meta },
        spec: { podSelector: { matchLabels: SELECTOR }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { "llmkit.dev/gateway": "true" } } }] }] },
      },
    },
  ];
}

export const BUCKET_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
});

export function storeStack(): PolicyInput[] {
  return [
    { type: "aws:s3/bucket:Bucket", name: "store", inputs: { bucket: "acme-models" } },
    { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "store-public-access", inputs: { bucket: "store-id", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true } },
    {
      type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      name: "store-encryption",
      inputs: { bucket: "store-id", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:1:key/k" } }] },
    },
    { type: "aws:s3/bucketVersioning:BucketVersioning", name: "store-versioning", inputs: { bucket: "store-id", versioningConfiguration: { status: "Enabled" } } },
    { type: "aws:s3/bucketPolicy:BucketPolicy", name: "store-policy", inputs: { bucket: "store-id", policy: BUCKET_POLICY } },
  ];
}

export function readerPolicy(statements: unknown[], role = "platform-serving-role"): PolicyInput {
  return { type: "aws:iam/rolePolicy:RolePolicy", name: "serving-store-access", inputs: { role, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) } };
}
