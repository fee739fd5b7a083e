/**
 * `promote --check-store`: every promoted adapter must exist, complete, in the TARGET stack's
 * store (the store of the platform it runs on): `adapters/<name>/<runId>/_SUCCESS` present and
 * `manifest.json` naming the base model the target serves (name, hub, repo and revision).
 *
 * It is also where downgrades are detected. A run id is a content hash, so two ids have no order;
 * the store does: the manifest's `createdAt` (UTC, written by the publish step). Replacing a pin
 * whose adapter was published later than the incoming one is a downgrade.
 *
 * It also applies the target's evaluation gates (`llmkit:release.gates`, gitops/gates.ts) to the
 * incoming run's manifest `evaluation`, against the pinned run's and the base model's scores.
 *
 * Credentials come from the standard AWS chain (env vars, profile, SSO, web identity). The endpoint
 * is the platform's (S3-compatible stores) unless overridden (`--store-endpoint` or
 * LLMKIT_STORE_ENDPOINT: an in-cluster store reached through a port-forward, or tests).
 */
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { storeRef } from "../components/platform/contract.ts";
import { adapterPrefix, MANIFEST_FILE, SUCCESS_MARKER, s3Uri, type StoreRef } from "../components/lib/store.ts";
import { ManifestEvaluationSchema, ManifestProvenanceSchema, manifestIssues } from "../components/lib/adapter-manifest.ts";
import type { LoadedStack } from "../config/load.ts";
import { evaluateGates, gatesFor, type GateResult, type ManifestEvaluation } from "./gates.ts";
import type { PinChange } from "./promote.ts";

export const STORE_ENDPOINT_ENV = "LLMKIT_STORE_ENDPOINT";

export interface StoreCheck {
  readonly store: StoreRef;
  /** Store problems (missing, incomplete, wrong base): exit 1. */
  readonly problems: string[];
  /** Downgrades found (exit 2 unless allowed). */
  readonly downgrades: string[];
  /** The target's evaluation gates, per change whose runs passed the checks above (gitops/gates.ts). */
  readonly gates: GateCheck[];
  /** Checks the store could not support, e.g. a pinned run's unreadable manifest (printed as warnings). */
  readonly warnings: string[];
}

export interface GateCheck extends GateResult {
  readonly change: PinChange;
}

export function storeClient(store: StoreRef, endpointOverride?: string): S3Client {
  const endpoint = endpointOverride ?? store.endpoint;
  return new S3Client({
    region: store.region,
    ...(endpoint !== undefined ? { endpoint, forcePathStyle: true } : {}),
    maxAttempts: 2,
  });
}

function notFound(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === "NotFound" || err.name === "NoSuchKey" || err.$metadata.httpStatusCode === 404);
}

type ManifestRead =
  | { readonly kind: "missing" }
  | { readonly kind: "invalid"; readonly why: string }
  | { readonly kind: "ok"; readonly baseModel: Record<"name" | "hub" | "repo" | "revision", string>; readonly createdAt: string; readonly evaluation: ManifestEvaluation };

/** The manifest's base model, publish time and evaluation, parsed with the shared schema (components/lib/adapter-manifest.ts). */
async function readManifest(s3: S3Client, bucket: string, key: string): Promise<ManifestRead> {
  let text: string;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = await res.Body!.transformToString("utf8");
  } catch (err) {
    if (notFound(err)) return { kind: "missing" };
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "invalid", why: "it is not JSON" };
  }
  const parsed = ManifestProvenanceSchema.safeParse(json);
  if (!parsed.success) return { kind: "invalid", why: manifestIssues(parsed.error).join("; ") };
  const evaluation = ManifestEvaluationSchema.safeParse(json);
  if (!evaluation.success) return { kind: "invalid", why: manifestIssues(evaluation.error).join("; ") };
  return { kind: "ok", baseModel: parsed.data.baseModel, createdAt: parsed.data.createdAt, evaluation: evaluation.data };
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (notFound(err)) return false;
    throw err;
  }
}

export async function checkStore(target: LoadedStack, changes: readonly PinChange[], endpointOverride?: string): Promise<StoreCheck> {
  const store = storeRef(target.platform);
  const s3 = storeClient(store, endpointOverride);
  const problems: string[] = [];
  const downgrades: string[] = [];
  const gates: GateCheck[] = [];
  const warnings: string[] = [];
  const models = new Map(target.config.models.map((m) => [m.name, m]));
  try {
    for (const c of changes) {
      const prefix = adapterPrefix(c.adapter, c.to.runId);
      const where = s3Uri(store.bucket, prefix);
      if (!(await exists(s3, store.bucket, prefix + SUCCESS_MARKER))) {
        problems.push(`${c.adapter}@${c.to.runId}: ${where}${SUCCESS_MARKER} is missing: the run is absent or incomplete in ${target.stack}'s store`);
        continue;
      }
      const manifest = await readManifest(s3, store.bucket, prefix + MANIFEST_FILE);
      if (manifest.kind === "missing") {
        problems.push(`${c.adapter}@${c.to.runId}: ${where}${MANIFEST_FILE} is missing`);
        continue;
      }
      if (manifest.kind === "invalid") {
        problems.push(`${c.adapter}@${c.to.runId}: ${where}${MANIFEST_FILE} is invalid: ${manifest.why}`);
        continue;
      }
      const model = models.get(c.to.baseModel);
      const want = model && { name: model.name, hub: model.hub, repo: model.repo, revision: model.revision };
      const got = manifest.baseModel;
      if (want === undefined || got.name !== want.name || got.hub !== want.hub || got.repo !== want.repo || got.revision !== want.revision) {
        problems.push(
          `${c.adapter}@${c.to.runId}: manifest base model ${JSON.stringify(got)} does not match ${target.stack}'s model "${c.to.baseModel}" ${JSON.stringify(want ?? "unknown")}`,
        );
        continue;
      }
      const old = c.from === undefined || c.from.runId === c.to.runId ? undefined : await readManifest(s3, store.bucket, adapterPrefix(c.adapter, c.from.runId) + MANIFEST_FILE);
      if (old !== undefined) {
        const newAt = Date.parse(manifest.createdAt);
        const oldAt = old.kind === "ok" ? Date.parse(old.createdAt) : NaN;
        if (!Number.isNaN(newAt) && !Number.isNaN(oldAt) && newAt < oldAt) {
          downgrades.push(
            `${c.adapter}: ${c.to.runId} (published ${manifest.createdAt}) is older than the pinned ${c.from!.runId} (published ${old.kind === "ok" ? old.createdAt : ""})`,
          );
        }
      }
      const applicable = gatesFor(target.config.release.gates, c.adapter);
      if (applicable.length === 0) continue;
      // the pinned run's evaluation: the incoming run's own when only the pin's rank or base changes
      const pinned = c.from === undefined ? undefined : old === undefined ? manifest.evaluation : old.kind === "ok" ? old.evaluation : { runId: c.from.runId };
      if (old !== undefined && old.kind !== "ok" && applicable.some((g) => g.maxRegression?.vsPinned !== undefined)) {
        const why = old.kind === "missing" ? "is missing" : `is invalid (${old.why})`;
        warnings.push(`${c.adapter}: the pinned run ${c.from!.runId}'s ${MANIFEST_FILE} ${why}: its vsPinned gates are not checked`);
      }
      gates.push({ change: c, ...evaluateGates(applicable, c.adapter, pinned, manifest.evaluation) });
    }
  } finally {
    s3.destroy();
  }
  return { store, problems, downgrades, gates, warnings };
}
