/**
 * helm.v3.Release arguments for a pinned chart of ./index.ts, and Helm's merge of values (pure).
 * Every llmkit release uses the same options, chosen for unattended `pulumi up`
 * (@pulumi/kubernetes 4.34.2 helm/v3/release.d.ts ReleaseArgs):
 * - `name` fixed: without it Pulumi appends a random suffix, and object names derive from it.
 * - `atomic`: a failed install is purged and a failed upgrade rolled back, so the next `pulumi up`
 *   starts from a clean release instead of a half-installed one (it also turns awaiting on).
 * - `cleanupOnFail`: objects an upgrade created are deleted when it fails.
 * - `skipAwait: false`: the release counts as created only once its workloads are ready, so what
 *   depends on it waits for running controllers and webhooks, not for accepted objects.
 * - `createNamespace: false`: namespaces are explicit children carrying Pod Security labels.
 * - `skipCrds`: false unless the CRDs come from a separate release (Karpenter): charts with a
 *   `crds/` folder get them on first install only, so a chart bump that changes CRDs needs them
 *   applied first (see components/platform/addons/README.md).
 * - `maxHistory`: bounds the release Secrets Helm keeps.
 */
import { CHARTS, type ChartKey } from "./index.ts";

export type Values = Record<string, unknown>;

function isMap(v: unknown): v is Values {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Helm's merge of values (maps key by key, anything else — lists included — replaced), keys sorted at every level. */
export function mergeValues(base: Values, over: Values): Values {
  const keys = [...new Set([...Object.keys(base), ...Object.keys(over)])].sort();
  return Object.fromEntries(
    keys.map((k) => {
      const b = base[k];
      const o = over[k];
      if (!(k in over)) return [k, isMap(b) ? mergeValues(b, {}) : b];
      return [k, isMap(o) ? mergeValues(isMap(b) ? b : {}, o) : o];
    }),
  );
}

export interface PinnedReleaseArgs<Name extends string = string> {
  readonly name: Name;
  readonly chart: string;
  readonly version: string;
  readonly repositoryOpts?: { readonly repo: string };
  readonly namespace: string;
  readonly createNamespace: false;
  readonly atomic: true;
  readonly cleanupOnFail: true;
  readonly skipAwait: false;
  readonly skipCrds: boolean;
  /** Seconds per Kubernetes operation. */
  readonly timeout: number;
  readonly maxHistory: number;
  readonly values: Values;
}

export interface ReleaseOptions {
  /** @default 300 seconds per operation */
  readonly timeout?: number;
  /** @default false */
  readonly skipCrds?: boolean;
}

export function releaseArgs<Name extends string>(key: ChartKey, name: Name, values: Values, opts: ReleaseOptions = {}): PinnedReleaseArgs<Name> {
  const c = CHARTS[key];
  const oci = c.repo.startsWith("oci://");
  return {
    name,
    // An oci:// chart is referenced whole; a classic repository goes into repositoryOpts.
    chart: oci ? `${c.repo}/${c.chart}` : c.chart,
    version: c.version,
    ...(oci ? {} : { repositoryOpts: { repo: c.repo } }),
    namespace: c.namespace,
    createNamespace: false,
    atomic: true,
    cleanupOnFail: true,
    skipAwait: false,
    skipCrds: opts.skipCrds ?? false,
    timeout: opts.timeout ?? 300,
    maxHistory: 10,
    values,
  };
}
