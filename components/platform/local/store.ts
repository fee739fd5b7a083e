/**
 * The in-cluster S3-compatible store of the local platform: SeaweedFS `weed mini` (master, volume,
 * filer and S3 gateway in one process) on a PersistentVolume, plus the Job that creates the bucket.
 * Pure renderers; image facts come from components/lib/versions.ts (images.objectStore).
 */
import { recommendedLabels, selectorLabels } from "../../lib/labels.ts";
import { containerSecurityContext, podSecurityContext } from "../../lib/pod-security.ts";
import { storeEnv } from "../../lib/store-env.ts";
import { imageRef, images } from "../../lib/versions.ts";
import { LOCAL_STORE_CREDENTIALS, LOCAL_STORE_PORT, LOCAL_STORE_SERVICE, type PlatformContract } from "../contract.ts";

/** The image's `seaweed` user (uid/gid 1000): started as it, the entrypoint skips its chown step. */
export const STORE_UID = 1000;
export const STORE_DATA_DIR = "/data";
export const BUCKET_JOB = `${LOCAL_STORE_SERVICE}-bucket`;
/** @default 6 retries — the Job may start before the store answers; Job backoff (10 s, 20 s, …) covers ~10 min. */
export const BUCKET_JOB_BACKOFF_LIMIT = 6;
/** @default 15 min — creating a bucket takes a second; past this the store is broken, not slow. */
export const BUCKET_JOB_DEADLINE_SECONDS = 900;

/**
 * `weed mini` flags, all defined in seaweedfs@cc8364a0 (tag 4.44) weed/command/mini.go:
 * - `-dir` data on the volume (the entrypoint's own default is replaced when it is passed);
 * - `-s3.port` so the container, Service and contract share LOCAL_STORE_PORT (default 8333);
 * - `-ip=127.0.0.1` the identifier the embedded master and volume server register under: the pod
 *   IP changes on every restart, loopback does not (`-ip.bind` stays 0.0.0.0);
 * - WebDAV, the admin UI and the Iceberg/Lance endpoints are off: only S3 is exposed;
 * - `-master.telemetry=false` (default true) so nothing phones home.
 */
export const STORE_ARGS = [
  "mini",
  `-dir=${STORE_DATA_DIR}`,
  `-s3.port=${LOCAL_STORE_PORT}`,
  "-ip=127.0.0.1",
  "-webdav=false",
  "-admin.ui=false",
  "-s3.port.iceberg=0",
  "-s3.port.lance=0",
  "-master.telemetry=false",
] as const;

/** GET /healthz on the S3 port (weed/s3api/s3api_server.go registers /status, /healthz, /readyz). */
export const STORE_HEALTH_PATH = "/healthz";

/**
 * One Go process runs four servers with an in-memory needle index: 512 MiB covers a few
 * thousand objects; the 2 GiB limit leaves room for parallel multipart uploads of model shards.
 */
export const STORE_RESOURCES = {
  requests: { cpu: "250m", memory: "512Mi" },
  limits: { cpu: "2", memory: "2Gi" },
};

/** Idempotent: an existing bucket is left alone; any other failure retries via the Job's backoff. */
export const BUCKET_SCRIPT = [
  "set -euo pipefail",
  'if aws s3api head-bucket --bucket "$BUCKET"; then',
  '  echo "bucket $BUCKET exists"',
  "else",
  '  aws s3api create-bucket --bucket "$BUCKET"',
  '  echo "bucket $BUCKET created"',
  "fi",
].join("\n");

function storeLabels() {
  return recommendedLabels({
    name: "seaweedfs",
    instance: LOCAL_STORE_SERVICE,
    component: "object-store",
    version: images.objectStore.version,
  });
}

const STORE_SELECTOR = selectorLabels({ name: "seaweedfs", instance: LOCAL_STORE_SERVICE });

export interface StoreCredentials<T> {
  readonly accessKeyId: T;
  readonly secretAccessKey: T;
}

/** The keys clients read (lib/store-env.ts) are the very variables SeaweedFS turns into its admin identity. */
export function renderCredentialsSecret<T>(contract: PlatformContract, credentials: StoreCredentials<T>) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: LOCAL_STORE_CREDENTIALS, namespace: contract.namespace, labels: storeLabels() },
    type: "Opaque",
    stringData: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
  };
}

export function renderStoreService(contract: PlatformContract) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: LOCAL_STORE_SERVICE, namespace: contract.namespace, labels: storeLabels() },
    spec: {
      type: "ClusterIP",
      selector: { ...STORE_SELECTOR },
      ports: [{ name: "s3", port: LOCAL_STORE_PORT, targetPort: "s3", protocol: "TCP" }],
    },
  };
}

function secretEnv(key: string) {
  return { name: key, valueFrom: { secretKeyRef: { name: LOCAL_STORE_CREDENTIALS, key } } };
}

export interface StoreVolume {
  readonly sizeGiB: number;
  readonly storageClass?: string;
}

export function renderStoreStatefulSet(contract: PlatformContract, volume: StoreVolume) {
  const probe = { httpGet: { path: STORE_HEALTH_PATH, port: "s3" } };
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: LOCAL_STORE_SERVICE, namespace: contract.namespace, labels: storeLabels() },
    spec: {
      serviceName: LOCAL_STORE_SERVICE,
      replicas: 1,
      selector: { matchLabels: { ...STORE_SELECTOR } },
      template: {
        metadata: { labels: storeLabels() },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurityContext({ uid: STORE_UID }),
          containers: [
            {
              name: "seaweedfs",
              image: imageRef(images.objectStore),
              args: [...STORE_ARGS],
              env: [secretEnv("AWS_ACCESS_KEY_ID"), secretEnv("AWS_SECRET_ACCESS_KEY")],
              ports: [{ name: "s3", containerPort: LOCAL_STORE_PORT, protocol: "TCP" }],
              // First start lays out volumes on an empty disk: allow 5 minutes before liveness counts.
              startupProbe: { ...probe, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
              readinessProbe: { ...probe, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
              livenessProbe: { ...probe, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
              resources: STORE_RESOURCES,
              securityContext: containerSecurityContext(),
              volumeMounts: [{ name: "data", mountPath: STORE_DATA_DIR }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: storeLabels() },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(volume.storageClass !== undefined ? { storageClassName: volume.storageClass } : {}),
            resources: { requests: { storage: `${volume.sizeGiB}Gi` } },
          },
        },
      ],
    },
  };
}

/**
 * The bucket Job is awaited (no pulumi.com/skipAwait, unlike workload Jobs): `pulumi up` fails
 * loudly if the bucket cannot be made, and the workloads provider waits for it (outputs.ts).
 */
export function renderBucketJob(contract: PlatformContract) {
  const labels = recommendedLabels({
    name: "aws-cli",
    instance: BUCKET_JOB,
    component: "object-store",
    version: images.awsCli.version,
  });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: BUCKET_JOB, namespace: contract.namespace, labels },
    spec: {
      backoffLimit: BUCKET_JOB_BACKOFF_LIMIT,
      activeDeadlineSeconds: BUCKET_JOB_DEADLINE_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          securityContext: podSecurityContext({ uid: STORE_UID }),
          containers: [
            {
              name: "create-bucket",
              image: imageRef(images.awsCli),
              // The image's ENTRYPOINT is `aws`; run the script with bash instead.
              command: ["bash", "-c", BUCKET_SCRIPT],
              env: [
                ...storeEnv(contract.store),
                { name: "BUCKET", value: contract.store.bucket },
                // aws-cli writes its cache under HOME; the image's HOME is not writable as non-root.
                { name: "HOME", value: "/tmp" },
              ],
              resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
              securityContext: containerSecurityContext(),
            },
          ],
        },
      },
    },
  };
}
