import { describe, expect, it } from "vitest";
import { bucketPolicy, podIdentityTrustPolicy, storePolicies } from "./store-policies.ts";

const BUCKET = "arn:aws:s3:::acme-models";
const KEY = "arn:aws:kms:us-west-2:111122223333:key/1234";

// The access matrix is decided by an IAM policy evaluator in store-matrix.test.ts; here the
// documents are compared whole.

describe("storePolicies", () => {
  it("gives only the trainer a delete statement, on checkpoints/ only", () => {
    const deletes = (role: "mirror" | "trainer" | "serving") => storePolicies(BUCKET, KEY)[role].Statement.filter((s) => (s as { Sid: string }).Sid === "DeleteOwnPrefixes");
    expect(deletes("trainer")).toEqual([{ Sid: "DeleteOwnPrefixes", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: [`${BUCKET}/checkpoints/*`] }]);
    expect(deletes("mirror")).toEqual([]);
    expect(deletes("serving")).toEqual([]);
  });

  it("renders the serving policy exactly", () => {
    expect(storePolicies(BUCKET, KEY).serving).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ListOwnPrefixes",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET,
          Condition: { StringLike: { "s3:prefix": ["models/*", "adapters/*", "merged/*"] } },
        },
        {
          Sid: "ReadOwnPrefixes",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${BUCKET}/models/*`, `${BUCKET}/adapters/*`, `${BUCKET}/merged/*`],
        },
        {
          Sid: "StoreKeyViaS3",
          Effect: "Allow",
          Action: ["kms:Decrypt"],
          Resource: KEY,
          Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
        },
      ],
    });
  });
});

describe("bucketPolicy", () => {
  it("denies requests without TLS, and uploads that name another algorithm or another key", () => {
    expect(bucketPolicy(BUCKET, KEY)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [BUCKET, `${BUCKET}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
          Sid: "DenyOtherEncryption",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${BUCKET}/*`,
          Condition: { Null: { "s3:x-amz-server-side-encryption": "false" }, StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } },
        },
        {
          Sid: "DenyOtherKmsKey",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${BUCKET}/*`,
          Condition: {
            Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
            StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY },
          },
        },
      ],
    });
  });
});

describe("podIdentityTrustPolicy", () => {
  it("trusts only EKS Pod Identity, with session tags", () => {
    expect(podIdentityTrustPolicy().Statement).toEqual([
      { Sid: "EksPodIdentity", Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
    ]);
  });
});
