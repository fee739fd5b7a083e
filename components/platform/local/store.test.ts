import { describe, expect, it } from "vitest";
import { localPlatform } from "../__fixtures__/configs.ts";
import { platformContract } from "../contract.ts";
import { BUCKET_SCRIPT, renderBucketJob, renderCredentialsSecret, renderStoreService, renderStoreStatefulSet } from "./store.ts";

const contract = platformContract(localPlatform());
const storeLabels = {
  "app.kubernetes.io/name": "seaweedfs",
  "app.kubernetes.io/instance": "llmkit-store",
  "app.kubernetes.io/component": "object-store",
  "app.kubernetes.io/part-of": "llmkit",
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/version": "4.44",
};
const restrictedContainer = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: false,
  seccompProfile: { type: "RuntimeDefault" },
};
const nonRootPod = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } };

describe("local object store", () => {
  it("keeps the generated keys under the names clients and SeaweedFS both read", () => {
    expect(renderCredentialsSecret(contract, { accessKeyId: "AKID", secretAccessKey: "SECRET" })).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "llmkit-store-credentials", namespace: "llmkit", labels: storeLabels },
      type: "Opaque",
      stringData: { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "SECRET" },
    });
  });

  it("serves S3 on the contract's port", () => {
    expect(renderStoreService(contract)).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "llmkit-store", namespace: "llmkit", labels: storeLabels },
      spec: {
        type: "ClusterIP",
        selector: { "app.kubernetes.io/name": "seaweedfs", "app.kubernetes.io/instance": "llmkit-store" },
        ports: [{ name: "s3", port: 9000, targetPort: "s3", protocol: "TCP" }],
      },
    });
    expect(contract.store.endpoint).toBe("http://llmkit-store.llmkit.svc.cluster.local:9000");
  });

  it("runs one non-root SeaweedFS replica on a persistent volume", () => {
    const probe = { httpGet: { path: "/healthz", port: "s3" } };
    expect(renderStoreStatefulSet(contract, { sizeGiB: 20, storageClass: "local-path" })).toEqual({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "llmkit-store", namespace: "llmkit", labels: storeLabels },
      spec: {
        serviceName: "llmkit-store",
        replicas: 1,
        selector: { matchLabels: { "app.kubernetes.io/name": "seaweedfs", "app.kubernetes.io/instance": "llmkit-store" } },
        template: {
          metadata: { labels: storeLabels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: nonRootPod,
            containers: [
              {
                name: "seaweedfs",
                image: "chrislusf/seaweedfs:4.44",
                args: [
                  "mini",
                  "-dir=/data",
                  "-s3.port=9000",
                  "-ip=127.0.0.1",
                  "-webdav=false",
                  "-admin.ui=false",
                  "-s3.port.iceberg=0",
                  "-s3.port.lance=0",
                  "-master.telemetry=false",
                ],
                env: [
                  { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "llmkit-store-credentials", key: "AWS_ACCESS_KEY_ID" } } },
                  { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "llmkit-store-credentials", key: "AWS_SECRET_ACCESS_KEY" } } },
                ],
                ports: [{ name: "s3", containerPort: 9000, protocol: "TCP" }],
                startupProbe: { ...probe, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
                readinessProbe: { ...probe, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                livenessProbe: { ...probe, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
                resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "2Gi" } },
                securityContext: restrictedContainer,
                volumeMounts: [{ name: "data", mountPath: "/data" }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data", labels: storeLabels },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "local-path", resources: { requests: { storage: "20Gi" } } },
          },
        ],
      },
    });
  });

  it("leaves the storage class to the cluster's default when none is set", () => {
    const claim = renderStoreStatefulSet(contract, { sizeGiB: 50 }).spec.volumeClaimTemplates[0]!;
    expect(claim.spec).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } });
  });

  it("creates the bucket idempotently with the aws-cli image, awaited by Pulumi", () => {
    const labels = {
      "app.kubernetes.io/name": "aws-cli",
      "app.kubernetes.io/instance": "llmkit-store-bucket",
      "app.kubernetes.io/component": "object-store",
      "app.kubernetes.io/part-of": "llmkit",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/version": "2.36.7",
    };
    const secretRef = (key: string) => ({ name: key, valueFrom: { secretKeyRef: { name: "llmkit-store-credentials", key } } });
    expect(renderBucketJob(contract)).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "llmkit-store-bucket", namespace: "llmkit", labels },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: 900,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: nonRootPod,
            containers: [
              {
                name: "create-bucket",
                image: "amazon/aws-cli:2.36.7",
                command: ["bash", "-c", BUCKET_SCRIPT],
                env: [
                  { name: "AWS_REGION", value: "us-east-1" },
                  { name: "AWS_DEFAULT_REGION", value: "us-east-1" },
                  { name: "AWS_ENDPOINT_URL", value: "http://llmkit-store.llmkit.svc.cluster.local:9000" },
                  secretRef("AWS_ACCESS_KEY_ID"),
                  secretRef("AWS_SECRET_ACCESS_KEY"),
                  { name: "BUCKET", value: "llmkit" },
                  { name: "HOME", value: "/tmp" },
                ],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                securityContext: restrictedContainer,
              },
            ],
          },
        },
      },
    });
    expect(renderBucketJob(contract).metadata).not.toHaveProperty("annotations");
    expect(BUCKET_SCRIPT).toBe(
      [
        "set -euo pipefail",
        'if aws s3api head-bucket --bucket "$BUCKET"; then',
        '  echo "bucket $BUCKET exists"',
        "else",
        '  aws s3api create-bucket --bucket "$BUCKET"',
        '  echo "bucket $BUCKET created"',
        "fi",
      ].join("\n"),
    );
  });
});
