/**
 * The model store on AWS (docs/architecture.md §6): private, KMS-encrypted with a customer-managed key,
 * versioned, TLS-only, uploads only with the store key, lifecycle on incomplete uploads, old
 * versions and pruned checkpoints. @pulumi/aws v7:
 * `aws.s3.Bucket` is the former BucketV2, each setting is its own resource (aws/s3/bucket.d.ts
 * marks the inline arguments deprecated).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../../lib/naming.ts";
import type { AwsPlatformConfig } from "./defaults.ts";
import { bucketPolicy } from "./store-policies.ts";

/** @default 7 days — any real upload finishes within hours; older parts are paid-for garbage. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;
/** @default 30 days — the pending-deletion window AWS allows at most, for a key that guards every model. */
export const KEY_DELETION_WINDOW_DAYS = 30;

/**
 * @default 1 day — a pruned checkpoint (the trainer's `aws s3 rm` leaves a delete marker on the
 * versioned bucket) is garbage at once: resumes read only current checkpoints. One day is the
 * least S3 lifecycle allows (NoncurrentDays ≥ 1).
 */
export const NONCURRENT_CHECKPOINT_DAYS = 1;

/**
 * Lifecycle rules; the empty filter applies a rule to the whole bucket. Under checkpoints/ two
 * rules overlap and S3 applies the shorter expiration
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-conflicts.html); the
 * checkpoint rule also removes delete markers left without versions (ExpiredObjectDeleteMarker,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html,
 * "Removing expired object delete markers").
 */
export function lifecycleRules(noncurrentVersionDays: number) {
  return [
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
    },
    {
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: noncurrentVersionDays },
    },
    {
      id: "expire-pruned-checkpoints",
      status: "Enabled",
      filter: { prefix: "checkpoints/" },
      noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_CHECKPOINT_DAYS },
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}

export interface ModelStore {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  /** Every resource a client needs in place before its first request. */
  readonly ready: pulumi.Resource[];
}

export function registerModelStore(name: string, platform: AwsPlatformConfig, parent: pulumi.Resource): ModelStore {
  const { store } = platform;
  // A retained bucket keeps its guards too: deleting the access block or encryption config on
  // `pulumi destroy` would leave a kept bucket less protected than it was.
  const opts = { parent, retainOnDelete: store.retainOnDelete };
  const tags = { "llmkit.dev/store": store.bucket };

  const key = new aws.kms.Key(
    childName(name, "store-key"),
    {
      description: `llmkit model store s3://${store.bucket}`,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      tags,
    },
    opts,
  );
  const bucket = new aws.s3.Bucket(childName(name, "store"), { bucket: store.bucket, tags }, opts);
  const inBucket = { ...opts, dependsOn: [bucket] };

  const ownership = new aws.s3.BucketOwnershipControls(
    childName(name, "store-ownership"),
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    inBucket,
  );
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    childName(name, "store-public-access"),
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    inBucket,
  );
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    childName(name, "store-encryption"),
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
    },
    inBucket,
  );
  const versioning = new aws.s3.BucketVersioning(
    childName(name, "store-versioning"),
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    inBucket,
  );
  // Noncurrent-version rules only act on a versioned bucket: configure versioning first.
  const lifecycle = new aws.s3.BucketLifecycleConfiguration(
    childName(name, "store-lifecycle"),
    { bucket: bucket.id, rules: lifecycleRules(store.noncurrentVersionDays) },
    { ...opts, dependsOn: [versioning] },
  );
  // With BlockPublicPolicy on, S3 still accepts this policy (it grants nothing, it only denies).
  const policy = new aws.s3.BucketPolicy(
    childName(name, "store-policy"),
    { bucket: bucket.id, policy: pulumi.all([bucket.arn, key.arn]).apply(([arn, keyArn]) => JSON.stringify(bucketPolicy(arn, keyArn))) },
    { ...opts, dependsOn: [publicAccess] },
  );
  return { bucket, key, ready: [ownership, publicAccess, encryption, versioning, lifecycle, policy] };
}
