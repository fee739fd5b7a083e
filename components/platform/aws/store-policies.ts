/**
 * IAM documents for the model store, as pure functions of ARNs (docs/architecture.md §6: readers cannot
 * write; writers are scoped to their prefixes; workload identity, never static keys).
 */
import type { StorePrefix } from "../../lib/store.ts";
import type { ServiceAccountRole } from "../namespace.ts";

export interface RoleAccess {
  /** Prefixes the role lists and reads. */
  readonly read: readonly StorePrefix[];
  /** Prefixes the role writes (always also readable: uploads are checked before and after). */
  readonly write: readonly StorePrefix[];
  /** Prefixes the role deletes from (always also writable). */
  readonly delete: readonly StorePrefix[];
}

/**
 * What each role touches, from the kit's own scripts (components/training/scripts) and issue 4:
 * - mirror: `head-object …/_SUCCESS`, then `s3 sync` of a pinned hub revision into models/, and of
 *   hub datasets (e.g. an instruction set to mix in) into datasets/;
 * - trainer: reads the base model and datasets, resumes from checkpoints/ (`s3 ls`, `s3 sync`),
 *   checks adapters/…/_SUCCESS before training, uploads checkpoints/ and adapters/. Merge Jobs are
 *   a training follow-up run as the trainer (they read models/ + adapters/), so the trainer also
 *   writes merged/, and so do the GGUF Jobs that convert merged models into gguf/; it never writes
 *   models/ or datasets/, which only the mirror fills. It deletes only under checkpoints/: the
 *   checkpoint sync prunes all but the newest `keepCheckpoints` with `aws s3 rm`
 *   (components/training/scripts); a published adapter or model is never deleted by a workload;
 * - serving: reads base weights, adapters and merged models only.
 * The table in ./README.md ("Model store") states the same matrix; store-matrix.test.ts checks
 * the documents below against it with an IAM policy evaluator.
 */
export const STORE_ACCESS: Readonly<Record<ServiceAccountRole, RoleAccess>> = {
  mirror: { read: ["models/", "datasets/"], write: ["models/", "datasets/"], delete: [] },
  trainer: {
    read: ["models/", "datasets/", "checkpoints/", "adapters/", "merged/", "gguf/"],
    write: ["checkpoints/", "adapters/", "merged/", "gguf/"],
    delete: ["checkpoints/"],
  },
  serving: { read: ["models/", "adapters/", "merged/"], write: [], delete: [] },
};

/** Multipart uploads (`aws s3 cp/sync` of files over 8 MiB) need PutObject and, on failure, Abort. */
export const WRITE_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload"] as const;
export const READ_ACTIONS = ["s3:GetObject"] as const;
/**
 * `aws s3 rm` without a version id: on a versioned bucket S3 adds a delete marker, which needs
 * s3:DeleteObject only (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html);
 * s3:DeleteObjectVersion, which destroys data for good, is granted to no one.
 */
export const DELETE_ACTIONS = ["s3:DeleteObject"] as const;

/**
 * SSE-KMS: readers need kms:Decrypt; writers also need kms:GenerateDataKey, and kms:Decrypt to
 * complete multipart uploads. Only through S3 (kms:ViaService), never directly.
 */
function keyStatement(keyArn: string, writes: boolean) {
  return {
    Sid: "StoreKeyViaS3",
    Effect: "Allow",
    Action: writes ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
    Resource: keyArn,
    Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
  };
}

export function rolePolicy(bucketArn: string, keyArn: string, access: RoleAccess) {
  const objects = (prefixes: readonly StorePrefix[]) => prefixes.map((p) => `${bucketArn}/${p}*`);
  const statements: object[] = [
    {
      Sid: "ListOwnPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": access.read.map((p) => `${p}*`) } },
    },
    { Sid: "ReadOwnPrefixes", Effect: "Allow", Action: [...READ_ACTIONS], Resource: objects(access.read) },
  ];
  if (access.write.length > 0) {
    statements.push({ Sid: "WriteOwnPrefixes", Effect: "Allow", Action: [...WRITE_ACTIONS], Resource: objects(access.write) });
  }
  if (access.delete.length > 0) {
    statements.push({ Sid: "DeleteOwnPrefixes", Effect: "Allow", Action: [...DELETE_ACTIONS], Resource: objects(access.delete) });
  }
  statements.push(keyStatement(keyArn, access.write.length > 0));
  return { Version: "2012-10-17", Statement: statements };
}

/** One least-privilege policy document per service-account role. */
export function storePolicies(bucketArn: string, keyArn: string): Record<ServiceAccountRole, ReturnType<typeof rolePolicy>> {
  return {
    mirror: rolePolicy(bucketArn, keyArn, STORE_ACCESS.mirror),
    trainer: rolePolicy(bucketArn, keyArn, STORE_ACCESS.trainer),
    serving: rolePolicy(bucketArn, keyArn, STORE_ACCESS.serving),
  };
}

/**
 * Bucket policy, for every principal including the account's admins (docs/architecture.md §6):
 * - TLS only;
 * - uploads encrypted with the store's key only. A PutObject (also CopyObject and
 *   CreateMultipartUpload, which S3 authorizes as s3:PutObject) that names another algorithm or
 *   another KMS key is denied; one without the headers gets the bucket's default, the store key
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html,
 *   "Requiring SSE-KMS for all objects written to a bucket"; condition keys
 *   s3:x-amz-server-side-encryption and s3:x-amz-server-side-encryption-aws-kms-key-id, the latter
 *   compared with the key ARN: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 *   `Null: false` makes each deny apply only when its header is present, so the kit's scripts,
 *   which send none, need no change.
 */
export function bucketPolicy(bucketArn: string, keyArn: string) {
  const objects = `${bucketArn}/*`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, objects],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOtherEncryption",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: {
          Null: { "s3:x-amz-server-side-encryption": "false" },
          StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
        },
      },
      {
        Sid: "DenyOtherKmsKey",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: {
          Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
          StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
        },
      },
    ],
  };
}

/**
 * Trust policy for EKS Pod Identity roles: the EKS Auth service assumes the role and tags the
 * session with the pod's cluster, namespace and service account
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html).
 */
export function podIdentityTrustPolicy() {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EksPodIdentity",
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ],
  };
}

/** Trust policy for the system node group's instance role. */
export function nodeTrustPolicy() {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}
