/**
 * The store's access matrix, proved with an IAM policy evaluator (@cloud-copilot/iam-simulate)
 * instead of a hand-written one: every role × prefix × action is decided from the rendered role
 * policy and bucket policy together, as S3 decides a same-account request (an Allow in either, no
 * explicit Deny in either). The expected matrix is read from the table in ./README.md.
 */
import { readFileSync } from "node:fs";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { STORE_PREFIXES } from "../../lib/store.ts";
import { SERVICE_ACCOUNT_ROLES, type ServiceAccountRole } from "../namespace.ts";
import { bucketPolicy, storePolicies } from "./store-policies.ts";

const ACCOUNT = "111122223333";
const BUCKET = "arn:aws:s3:::acme-models";
const KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/ffffffff-12ab-34cd-56ef-1234567890ab`;
const VIA_S3 = { "kms:ViaService": "s3.us-west-2.amazonaws.com" };
const TLS = { "aws:SecureTransport": "true" };
/**
 * A key created without a policy gets the default key policy, which lets IAM policies of the
 * account grant its use (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
const DEFAULT_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
};

interface Row {
  readonly read: string[];
  readonly write: string[];
  readonly delete: string[];
  readonly kms: string[];
}

/** The `| role | list + read | write | delete | kms … |` table of ./README.md. */
function readmeMatrix(): Record<string, Row> {
  const lines = readFileSync(new URL("./README.md", import.meta.url), "utf8").split("\n");
  const header = lines.findIndex((l) => l.startsWith("| role | list + read | write | delete | kms"));
  if (header < 0) throw new Error("README.md has no store access table: update this test");
  const rows: Record<string, Row> = {};
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").slice(1, -1).map((c) => [...c.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    const role = line.split("|")[1]!.trim();
    rows[role] = { read: cells[1]!, write: cells[2]!, delete: cells[3]!, kms: cells[4]! };
  }
  return rows;
}

const MATRIX = readmeMatrix();
const POLICIES = storePolicies(BUCKET, KEY);
const BUCKET_POLICY = bucketPolicy(BUCKET, KEY);
const PREFIXES = [...STORE_PREFIXES, "other/"] as const;

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

async function decide(role: ServiceAccountRole, action: string, resource: string, context: Record<string, string>): Promise<Decision> {
  const kms = action.startsWith("kms:");
  const result = await runSimulation(
    {
      request: {
        // EKS Pod Identity hands pods a session of the role
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/llmkit-${role}/eks-llmkit-pod`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: `${role}-store-access`, policy: POLICIES[role] }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: kms ? DEFAULT_KEY_POLICY : BUCKET_POLICY,
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`simulation refused: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const allowedIf = (yes: boolean): Decision => (yes ? "Allowed" : "ImplicitlyDenied");

describe("the README's store access table", () => {
  it("lists every service-account role", () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...SERVICE_ACCOUNT_ROLES].sort());
  });
});

describe.each(SERVICE_ACCOUNT_ROLES)("%s: role policy + bucket policy, per prefix", (role) => {
  it.each(PREFIXES)("%s", async (prefix) => {
    const row = MATRIX[role]!;
    const object = `${BUCKET}/${prefix}team/run-1/file.safetensors`;
    const got = {
      GetObject: await decide(role, "s3:GetObject", object, TLS),
      ListBucket: await decide(role, "s3:ListBucket", BUCKET, { ...TLS, "s3:prefix": `${prefix}team/` }),
      PutObject: await decide(role, "s3:PutObject", object, TLS),
      DeleteObject: await decide(role, "s3:DeleteObject", object, TLS),
      DeleteObjectVersion: await decide(role, "s3:DeleteObjectVersion", object, TLS),
    };
    expect(got).toEqual({
      GetObject: allowedIf(row.read.includes(prefix)),
      ListBucket: allowedIf(row.read.includes(prefix)),
      PutObject: allowedIf(row.write.includes(prefix)),
      DeleteObject: allowedIf(row.delete.includes(prefix)),
      DeleteObjectVersion: "ImplicitlyDenied",
    });
    // Without TLS the bucket policy denies everything, whatever the role policy allows.
    for (const [action, resource, extra] of [
      ["s3:GetObject", object, {}],
      ["s3:ListBucket", BUCKET, { "s3:prefix": `${prefix}team/` }],
      ["s3:PutObject", object, {}],
      ["s3:DeleteObject", object, {}],
    ] as const) {
      expect(await decide(role, action, resource, { ...extra, "aws:SecureTransport": "false" }), `${action} without TLS`).toBe("ExplicitlyDenied");
    }
  });

  it("lists nothing outside its prefixes", async () => {
    expect(await decide(role, "s3:ListBucket", BUCKET, { ...TLS, "s3:prefix": "" })).toBe("ImplicitlyDenied");
    expect(await decide(role, "s3:ListBucket", BUCKET, TLS)).toBe("ImplicitlyDenied");
    expect(await decide(role, "s3:GetObject", `${BUCKET}/models-private/x`, TLS)).toBe("ImplicitlyDenied");
    expect(await decide(role, "s3:GetObject", "arn:aws:s3:::other-bucket/models/x", TLS)).toBe("ImplicitlyDenied");
  });

  it("uses the store key only through S3, with the operations of its table row", async () => {
    const row = MATRIX[role]!;
    expect(await decide(role, "kms:Decrypt", KEY, VIA_S3)).toBe(allowedIf(row.kms.includes("Decrypt")));
    expect(await decide(role, "kms:GenerateDataKey", KEY, VIA_S3)).toBe(allowedIf(row.kms.includes("GenerateDataKey")));
    expect(await decide(role, "kms:Decrypt", KEY, {})).toBe("ImplicitlyDenied");
    expect(await decide(role, "kms:Decrypt", KEY, { "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com" })).toBe("ImplicitlyDenied");
    expect(await decide(role, "kms:Decrypt", OTHER_KEY, VIA_S3)).toBe("ImplicitlyDenied");
  });
});

describe("uploads are encrypted with the store key only (bucket policy)", () => {
  const object = `${BUCKET}/adapters/support/r1/adapter_model.safetensors`;
  const CASES: [string, Record<string, string>, Decision][] = [
    ["no encryption headers: the bucket default (the store key) applies", {}, "Allowed"],
    ["aws:kms without a key id: the bucket's key", { "s3:x-amz-server-side-encryption": "aws:kms" }, "Allowed"],
    ["aws:kms with the store key", { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY }, "Allowed"],
    ["SSE-S3 (AES256)", { "s3:x-amz-server-side-encryption": "AES256" }, "ExplicitlyDenied"],
    ["DSSE-KMS", { "s3:x-amz-server-side-encryption": "aws:kms:dsse" }, "ExplicitlyDenied"],
    ["aws:kms with another key", { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": OTHER_KEY }, "ExplicitlyDenied"],
  ];
  it.each(CASES)("%s → %s", async (_, headers, expected) => {
    expect(await decide("trainer", "s3:PutObject", object, { ...TLS, ...headers })).toBe(expected);
  });
});

describe("issue 3 item 6 and issue 12 item 5, case by case", () => {
  const obj = (key: string) => `${BUCKET}/${key}`;
  // [role, action, key, decision]: written from the issues' sentences, not from the table.
  const CASES: [ServiceAccountRole, string, string, Decision][] = [
    ["mirror", "s3:PutObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/model-00001.safetensors", "Allowed"],
    ["mirror", "s3:PutObject", "datasets/hub/ultrachat/1a2b3c/train.jsonl", "Allowed"],
    ["mirror", "s3:GetObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/_SUCCESS", "Allowed"],
    ["mirror", "s3:PutObject", "adapters/support/r1/adapter_model.safetensors", "ImplicitlyDenied"],
    ["mirror", "s3:DeleteObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/config.json", "ImplicitlyDenied"],
    ["trainer", "s3:PutObject", "checkpoints/support/r1/checkpoint-100/optimizer.pt", "Allowed"],
    // keepCheckpoints: checkpoint-sync prunes older checkpoints with `aws s3 rm`
    ["trainer", "s3:DeleteObject", "checkpoints/support/r1/checkpoint-100/optimizer.pt", "Allowed"],
    ["trainer", "s3:DeleteObject", "adapters/support/r1/adapter_model.safetensors", "ImplicitlyDenied"],
    ["trainer", "s3:DeleteObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/config.json", "ImplicitlyDenied"],
    ["trainer", "s3:PutObject", "gguf/support/r1/support-q8_0.gguf", "Allowed"],
    ["trainer", "s3:PutObject", "models/meta-llama/Llama-3.1-8B/0e9e39f/config.json", "ImplicitlyDenied"],
    ["serving", "s3:GetObject", "adapters/support/r1/adapter_config.json", "Allowed"],
    ["serving", "s3:GetObject", "checkpoints/support/r1/checkpoint-100/optimizer.pt", "ImplicitlyDenied"],
    ["serving", "s3:PutObject", "adapters/support/r2/adapter_config.json", "ImplicitlyDenied"],
    ["serving", "s3:DeleteObject", "adapters/support/r1/adapter_config.json", "ImplicitlyDenied"],
  ];
  it.each(CASES)("%s %s %s → %s", async (role, action, key, expected) => {
    expect(await decide(role, action, obj(key), TLS)).toBe(expected);
  });
});
