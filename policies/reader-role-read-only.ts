/**
 * reader-role-read-only: inline IAM policies of reader roles (the serving role, or any role whose
 * name says reader/read-only) allow no write action: no s3:Put/Delete/Abort…, no KMS
 * Encrypt/GenerateDataKey, no `*` or `s3:*`, and no Allow with NotAction. Serving only reads
 * pinned weights and adapters; a compromised engine must not rewrite them. docs/architecture.md §6 "storage".
 */
import { arr, isObj, obj, str } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

const ROLE_POLICY_TYPES = new Set(["aws:iam/rolePolicy:RolePolicy"]);
/** Role names (or inline policy names) that mark a reader. */
export const READER_ROLE = /(^|[-_.])(serving|reader|read-?only)([-_.]|$)/i;

const S3_WRITES = ["PutObject", "PutObjectAcl", "PutObjectTagging", "PutObjectRetention", "PutObjectLegalHold", "DeleteObject", "DeleteObjectVersion", "DeleteObjectTagging", "AbortMultipartUpload", "RestoreObject", "ReplicateObject", "ReplicateDelete", "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "PutBucketVersioning", "PutLifecycleConfiguration", "PutEncryptionConfiguration", "PutBucketPublicAccessBlock", "DeleteBucket", "BypassGovernanceRetention"];
const KMS_WRITES = ["Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy"];
const GENERIC_WRITE_VERBS = ["Put", "Delete", "Create", "Update", "Abort", "Restore", "Replicate", "Write", "Modify", "Attach", "Detach", "Tag", "Untag", "Set", "Encrypt", "GenerateDataKey"];

function globToRegex(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

/** Does an IAM action (possibly with wildcards) allow some write? */
export function isWriteAction(action: string): boolean {
  if (action.trim() === "*") return true;
  const [service = "", name = ""] = action.split(":", 2);
  const re = globToRegex(name);
  const svc = service.toLowerCase();
  const samples = svc === "s3" ? S3_WRITES : svc === "kms" ? KMS_WRITES : GENERIC_WRITE_VERBS.map((v) => `${v}Item`);
  return samples.some((s) => re.test(s)) || (svc !== "s3" && svc !== "kms" && GENERIC_WRITE_VERBS.some((v) => name.startsWith(v)));
}

/** Problems with one IAM policy document (JSON text or object). */
export function writeGrants(policy: unknown): string[] {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return ["policy is not valid JSON, so it cannot be shown to be read-only"];
    }
  }
  if (!isObj(doc)) return ["policy document is missing, so it cannot be shown to be read-only"];
  const statements = Array.isArray(doc.Statement) ? doc.Statement : isObj(doc.Statement) ? [doc.Statement] : [];
  const problems: string[] = [];
  for (const [i, raw] of statements.entries()) {
    const s = obj(raw);
    if (str(s.Effect) !== "Allow") continue;
    const label = `Statement[${i}]${str(s.Sid) !== undefined ? ` (${str(s.Sid)})` : ""}`;
    if (s.NotAction !== undefined) problems.push(`${label} allows NotAction, which grants every action not listed`);
    const actions = typeof s.Action === "string" ? [s.Action] : arr(s.Action).filter((a): a is string => typeof a === "string");
    const writes = actions.filter(isWriteAction);
    if (writes.length > 0) problems.push(`${label} allows write action(s) ${writes.join(", ")}`);
  }
  return problems;
}

export const readerRoleReadOnly: ResourcePolicy = {
  kind: "resource",
  name: "reader-role-read-only",
  description: "Inline policies of reader roles (serving, *-reader, *-readonly) grant no write actions.",
  check(type, inputs) {
    if (!ROLE_POLICY_TYPES.has(type)) return [];
    const role = str(inputs.role) ?? "";
    const name = str(inputs.name) ?? "";
    if (!READER_ROLE.test(role) && !READER_ROLE.test(name)) return [];
    return writeGrants(inputs.policy).map((p) => `reader role ${role || name}: ${p}`);
  },
};
