/**
 * model-store-secure: every S3 bucket (the model store) is private (all four public-access-block
 * flags, no public ACL), encrypted with KMS by default, versioned, and TLS-only (a bucket policy
 * that denies `s3:*` when `aws:SecureTransport` is false). The settings live on sibling resources
 * (BucketPublicAccessBlock, …ServerSideEncryptionConfiguration, BucketVersioning, BucketPolicy), so
 * this is a stack policy. docs/architecture.md §6 "storage".
 */
import { arr, isObj, obj, str, type Obj } from "./lib/k8s.ts";
import type { PolicyInput, StackPolicy, Violation } from "./lib/types.ts";

const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const PAB = new Set(["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]);
const SSE = new Set(["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"]);
const VERSIONING = new Set(["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"]);
const POLICY = new Set(["aws:s3/bucketPolicy:BucketPolicy"]);
const KMS = new Set(["aws:kms", "aws:kms:dsse"]);

/**
 * Which bucket a sibling configures: the engine's property dependency on `bucket`, else equal
 * `bucket` values, else Pulumi names (`<bucket>-…`, how components name children), else the only bucket.
 */
export function ownerBucket(sibling: PolicyInput, buckets: readonly PolicyInput[]): PolicyInput | undefined {
  const deps = sibling.propertyDependencies?.bucket ?? [];
  const byDep = buckets.find((b) => deps.includes(b.name));
  if (byDep !== undefined) return byDep;
  const ref = str(sibling.inputs.bucket);
  const byValue = buckets.find((b) => ref !== undefined && (str(b.inputs.bucket) === ref || str(b.inputs.id) === ref));
  if (byValue !== undefined) return byValue;
  const byName = buckets.filter((b) => sibling.name.startsWith(`${b.name}-`)).sort((a, b) => b.name.length - a.name.length)[0];
  if (byName !== undefined) return byName;
  return buckets.length === 1 ? buckets[0] : undefined;
}

function publicAccessBlocked(pab: Obj): boolean {
  return ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((f) => pab[f] === true);
}

function sseAlgorithms(sse: Obj): string[] {
  // aws v7 sibling: `rules`; legacy inline Bucket: `serverSideEncryptionConfiguration.rule`
  const rules = [...arr(sse.rules), ...(isObj(sse.rule) ? [sse.rule] : [])];
  return rules.map((r) => str(obj(obj(r).applyServerSideEncryptionByDefault).sseAlgorithm) ?? "");
}

function parsePolicy(policy: unknown): Obj {
  if (typeof policy === "string") {
    try {
      return obj(JSON.parse(policy));
    } catch {
      return {};
    }
  }
  return obj(policy);
}

/** A Deny of s3:* (or *) for every principal when aws:SecureTransport is false. */
export function deniesInsecureTransport(policy: unknown): boolean {
  const doc = parsePolicy(policy);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : isObj(doc.Statement) ? [doc.Statement] : [];
  return statements.some((raw) => {
    const s = obj(raw);
    const actions = typeof s.Action === "string" ? [s.Action] : arr(s.Action);
    const principal = s.Principal === "*" || obj(s.Principal).AWS === "*";
    const secure = obj(obj(s.Condition).Bool)["aws:SecureTransport"];
    return str(s.Effect) === "Deny" && principal && actions.some((a) => a === "s3:*" || a === "*") && (secure === "false" || secure === false);
  });
}

export function storeProblems(resources: readonly PolicyInput[]): Violation[] {
  const buckets = resources.filter((r) => BUCKET_TYPES.has(r.type));
  const siblings = (types: Set<string>, bucket: PolicyInput) => resources.filter((r) => types.has(r.type) && ownerBucket(r, buckets) === bucket);
  const violations: Violation[] = [];
  for (const b of buckets) {
    const who = `bucket ${str(b.inputs.bucket) ?? b.name}`;
    const report = (message: string) => violations.push({ resource: b.name, message: `${who}: ${message}` });

    const acl = str(b.inputs.acl) ?? "";
    if (acl.startsWith("public") || acl === "authenticated-read") report(`ACL "${acl}" makes it readable outside the account`);
    const pabs = siblings(PAB, b);
    if (!pabs.some((p) => publicAccessBlocked(p.inputs))) report("no BucketPublicAccessBlock with all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets true");

    const algorithms = [...siblings(SSE, b).flatMap((s) => sseAlgorithms(s.inputs)), ...sseAlgorithms(obj(b.inputs.serverSideEncryptionConfiguration))];
    if (algorithms.length === 0) report("no default server-side encryption (BucketServerSideEncryptionConfiguration)");
    else if (!algorithms.some((a) => KMS.has(a))) report(`default encryption is ${algorithms.join(", ")}, not KMS (aws:kms)`);

    const versioned =
      siblings(VERSIONING, b).some((v) => str(obj(v.inputs.versioningConfiguration).status) === "Enabled") || obj(b.inputs.versioning).enabled === true;
    if (!versioned) report("versioning is not Enabled (BucketVersioning)");

    const policies = [...siblings(POLICY, b).map((p) => p.inputs.policy), ...(b.inputs.policy !== undefined ? [b.inputs.policy] : [])];
    if (!policies.some(deniesInsecureTransport)) report('no bucket policy denies s3:* to "*" when aws:SecureTransport is "false" (TLS-only)');
  }
  return violations;
}

export const modelStoreSecure: StackPolicy = {
  kind: "stack",
  name: "model-store-secure",
  description: "S3 buckets are private, KMS-encrypted, versioned and TLS-only.",
  check: storeProblems,
};
