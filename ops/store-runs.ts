/**
 * The runs of an adapter as the store holds them: every `adapters/<name>/<runId>/` prefix, whether
 * its `_SUCCESS` marker exists (docs/architecture.md §1: a prefix without it is incomplete) and, from
 * its manifest.json, the eval loss, publish time and smoke outputs (components/lib/adapter-manifest.ts).
 * The S3 client comes from the caller (gitops/promote-store.ts `storeClient`: the AWS credential
 * chain, the platform's endpoint or an override).
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3ServiceException, type S3Client } from "@aws-sdk/client-s3";
import { ManifestSummarySchema, manifestIssues, type ManifestSummary } from "../components/lib/adapter-manifest.ts";
import { adapterPrefix, MANIFEST_FILE, SUCCESS_MARKER } from "../components/lib/store.ts";

export interface StoreRun {
  readonly runId: string;
  /** `_SUCCESS` exists: the adapter is complete and immutable. */
  readonly published: boolean;
  readonly manifest?: ManifestSummary;
  /** manifest.json exists but does not parse. */
  readonly manifestProblem?: string;
}

function notFound(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === "NotFound" || err.name === "NoSuchKey" || err.$metadata.httpStatusCode === 404);
}

/** Run ids under `adapters/<name>/`, from the listing's common prefixes (every page). */
export async function listRunIds(s3: S3Client, bucket: string, adapter: string): Promise<string[]> {
  const prefix = `adapters/${adapter}/`;
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: "/", ...(token !== undefined ? { ContinuationToken: token } : {}) }));
    for (const p of page.CommonPrefixes ?? []) {
      const id = p.Prefix?.slice(prefix.length).replace(/\/$/, "");
      if (id !== undefined && id !== "") ids.push(id);
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return ids.sort();
}

export async function readRun(s3: S3Client, bucket: string, adapter: string, runId: string): Promise<StoreRun> {
  const prefix = adapterPrefix(adapter, runId);
  let published = true;
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: prefix + SUCCESS_MARKER }));
  } catch (err) {
    if (!notFound(err)) throw err;
    published = false;
  }
  let text: string;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + MANIFEST_FILE }));
    text = await res.Body!.transformToString("utf8");
  } catch (err) {
    if (notFound(err)) return { runId, published };
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { runId, published, manifestProblem: `${MANIFEST_FILE} is not JSON` };
  }
  const parsed = ManifestSummarySchema.safeParse(json);
  if (!parsed.success) return { runId, published, manifestProblem: `${MANIFEST_FILE} is invalid: ${manifestIssues(parsed.error).join("; ")}` };
  return { runId, published, manifest: parsed.data };
}

/** Every run of `adapter` in the store, plus `extra` run ids (current, pinned) even when absent there. */
export async function storeRuns(s3: S3Client, bucket: string, adapter: string, extra: readonly string[] = []): Promise<Map<string, StoreRun | undefined>> {
  const listed = await listRunIds(s3, bucket, adapter);
  const out = new Map<string, StoreRun | undefined>();
  const runs = await Promise.all(listed.map((id) => readRun(s3, bucket, adapter, id)));
  for (const r of runs) out.set(r.runId, r);
  for (const id of extra) if (!out.has(id)) out.set(id, undefined);
  return out;
}
