import { describe, expect, it } from "vitest";
import { STORE_PREFIXES } from "../../lib/store.ts";
import { bucketTlsPolicy, podIdentityTrustPolicy, storePolicies } from "./store-policies.ts";

const BUCKET = "arn:aws:s3:::acme-models";
const KEY = "arn:aws:kms:us-west-2:111122223333:key/1234";

// ---- a small IAM evaluator: Allow statements, Action/Resource wildcards, StringLike and Bool.

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

function glob(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(value);
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

function conditionHolds(condition: Statement["Condition"], context: Record<string, string>): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      if (operator === "StringLike") return list(expected).some((p) => glob(p, actual));
      if (operator === "Bool") return list(expected).includes(actual);
      throw new Error(`evaluator does not know operator ${operator}`);
    }),
  );
}

/** Parses the JSON the role policy is registered with, then decides the request. */
function allows(policyJson: string, action: string, resource: string, context: Record<string, string> = {}): boolean {
  const policy = JSON.parse(policyJson) as { Statement: Statement[] };
  return policy.Statement.some(
    (s) =>
      s.Effect === "Allow" &&
      list(s.Action).some((a) => glob(a, action)) &&
      list(s.Resource).some((r) => glob(r, resource)) &&
      conditionHolds(s.Condition, context),
  );
}

const policies = Object.fromEntries(
  Object.entries(storePolicies(BUCKET, KEY)).map(([role, doc]) => [role, JSON.stringify(doc)]),
) as Record<"mirror" | "trainer" | "serving", string>;

// Written out independently of STORE_ACCESS, so a change there must be made here too.
const EXPECTED = {
  mirror: { read: ["models/", "datasets/"], write: ["models/", "datasets/"] },
  trainer: { read: ["models/", "datasets/", "checkpoints/", "adapters/", "merged/", "gguf/"], write: ["checkpoints/", "adapters/", "merged/", "gguf/"] },
  serving: { read: ["models/", "adapters/", "merged/"], write: [] as string[] },
};
const ROLES = ["mirror", "trainer", "serving"] as const;
const VIA_S3 = { "kms:ViaService": "s3.us-west-2.amazonaws.com" };

describe("storePolicies: each role does exactly its actions on exactly its prefixes", () => {
  const cases = ROLES.flatMap((role) => STORE_PREFIXES.map((prefix) => [role, prefix] as const));

  it.each(cases)("%s on %s", (role, prefix) => {
    const doc = policies[role];
    const object = `${BUCKET}/${prefix}team/model/file.safetensors`;
    const reads = EXPECTED[role].read.includes(prefix);
    const writes = EXPECTED[role].write.includes(prefix);
    expect(allows(doc, "s3:GetObject", object)).toBe(reads);
    expect(allows(doc, "s3:ListBucket", BUCKET, { "s3:prefix": `${prefix}team/` })).toBe(reads);
    expect(allows(doc, "s3:PutObject", object)).toBe(writes);
    expect(allows(doc, "s3:AbortMultipartUpload", object)).toBe(writes);
    // Nobody deletes, rewrites ACLs or tags: published adapters stay immutable.
    for (const action of ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutObjectTagging", "s3:GetObjectVersion"]) {
      expect(allows(doc, action, object)).toBe(false);
    }
  });

  it.each(ROLES)("%s: no access outside its prefixes, its bucket or S3", (role) => {
    const doc = policies[role];
    expect(allows(doc, "s3:ListBucket", BUCKET, { "s3:prefix": "" })).toBe(false);
    expect(allows(doc, "s3:ListBucket", BUCKET)).toBe(false);
    expect(allows(doc, "s3:GetObject", `${BUCKET}/models-private/x`)).toBe(false);
    expect(allows(doc, "s3:GetObject", `${BUCKET}/top-level-file`)).toBe(false);
    expect(allows(doc, "s3:GetObject", "arn:aws:s3:::other-bucket/models/x")).toBe(false);
    expect(allows(doc, "s3:ListAllMyBuckets", "*")).toBe(false);
    expect(allows(doc, "s3:PutBucketPolicy", BUCKET)).toBe(false);
  });

  it.each(ROLES)("%s: uses the key only through S3, and generates data keys only if it writes", (role) => {
    const doc = policies[role];
    const writer = EXPECTED[role].write.length > 0;
    expect(allows(doc, "kms:Decrypt", KEY, VIA_S3)).toBe(true);
    expect(allows(doc, "kms:GenerateDataKey", KEY, VIA_S3)).toBe(writer);
    expect(allows(doc, "kms:Decrypt", KEY)).toBe(false);
    expect(allows(doc, "kms:Decrypt", KEY, { "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com" })).toBe(false);
    expect(allows(doc, "kms:Decrypt", "arn:aws:kms:us-west-2:111122223333:key/other", VIA_S3)).toBe(false);
    for (const action of ["kms:Encrypt", "kms:ReEncryptFrom", "kms:CreateGrant", "kms:ScheduleKeyDeletion"]) {
      expect(allows(doc, action, KEY, VIA_S3)).toBe(false);
    }
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

describe("storePolicies: issue 3 item 6, case by case", () => {
  const obj = (key: string) => `${BUCKET}/${key}`;
  // [role, action, key, allowed]: written from the sentences, not from STORE_ACCESS.
  const CASES: [keyof typeof EXPECTED, string, string, boolean][] = [
    ["mirror", "s3:PutObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/model-00001.safetensors", true],
    ["mirror", "s3:PutObject", "datasets/hub/ultrachat/1a2b3c/train.jsonl", true],
    ["mirror", "s3:GetObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/_SUCCESS", true],
    ["mirror", "s3:PutObject", "adapters/support/r1/adapter_model.safetensors", false],
    ["mirror", "s3:PutObject", "checkpoints/support/r1/checkpoint-100/model.safetensors", false],
    ["mirror", "s3:GetObject", "adapters/support/r1/adapter_model.safetensors", false],
    ["trainer", "s3:GetObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/config.json", true],
    ["trainer", "s3:GetObject", "datasets/support/train.jsonl", true],
    ["trainer", "s3:PutObject", "checkpoints/support/r1/checkpoint-100/optimizer.pt", true],
    ["trainer", "s3:PutObject", "adapters/support/r1/_SUCCESS", true],
    ["trainer", "s3:PutObject", "merged/support/r1/model.safetensors", true],
    ["trainer", "s3:PutObject", "gguf/support/r1/support-q8_0.gguf", true],
    ["trainer", "s3:PutObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/config.json", false],
    ["trainer", "s3:PutObject", "datasets/support/train.jsonl", false],
    ["trainer", "s3:DeleteObject", "checkpoints/support/r1/checkpoint-100/optimizer.pt", false],
    ["serving", "s3:GetObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/config.json", true],
    ["serving", "s3:GetObject", "adapters/support/r1/adapter_config.json", true],
    ["serving", "s3:GetObject", "merged/support/r1/model.safetensors", true],
    ["serving", "s3:GetObject", "datasets/support/train.jsonl", false],
    ["serving", "s3:GetObject", "checkpoints/support/r1/checkpoint-100/optimizer.pt", false],
    ["serving", "s3:PutObject", "adapters/support/r2/adapter_config.json", false],
    ["serving", "s3:PutObject", "models/evil/model.safetensors", false],
  ];

  it.each(CASES)("%s %s %s → %s", (role, action, key, allowed) => {
    expect(allows(policies[role], action, obj(key))).toBe(allowed);
  });
});

describe("bucketTlsPolicy", () => {
  it("denies every request without TLS on the bucket and its objects", () => {
    expect(bucketTlsPolicy(BUCKET)).toEqual({
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
