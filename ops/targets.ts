/**
 * What a deployed stack should have, computed offline from its stack file with the same pure
 * functions the program registers from (no Pulumi engine, no state): each fine-tune's current run
 * id and training Job, each adapter's `llmkit:release` pin, and each service's Kubernetes names,
 * API-key Secret, in-cluster endpoint and gateway URL. `llmkit status`, `logs` and `chat` compare
 * this with what the cluster and the store hold.
 */
import { platformContract, storeRef } from "../components/platform/contract.ts";
import type { StoreRef } from "../components/lib/store.ts";
import { resolveCustomService } from "../components/serving/custom.ts";
import { HTTP_PORT, resolveService } from "../components/serving/defaults.ts";
import { selector, serviceEndpoint, serviceNames } from "../components/serving/render.ts";
import { resolveFineTune } from "../components/training/defaults.ts";
import { fineTuneRunId } from "../components/training/fine-tune.ts";
import { RUN_ID_LABEL, trainNames } from "../components/training/train-job.ts";
import type { LoadedStack } from "../config/load.ts";
import { pinnedAdapters } from "../config/preflight.ts";

export { RUN_ID_LABEL };

export interface AdapterTarget {
  /** The fine-tune's (and so the adapter's) name. */
  readonly name: string;
  /** The run id this stack's spec trains now; undefined for an adapter this stack only pins. */
  readonly currentRunId?: string;
  /** The current run's training Job. */
  readonly jobName?: string;
  /** The run `llmkit:release` pins, if any. */
  readonly pinnedRunId?: string;
  /** Services that serve the current run without a pin, once it is published (env local). */
  readonly followedBy?: readonly string[];
}

export interface ServiceKey {
  readonly secretName: string;
  readonly key: string;
}

export interface ServiceTarget {
  readonly name: string;
  readonly runtime: "vllm" | "custom";
  readonly namespace: string;
  /** Deployment and Service name. */
  readonly workload: string;
  /** Pod labels the Deployment and the Service select. */
  readonly selector: Record<string, string>;
  /** Container port of the HTTP server (the Service's targetPort). */
  readonly port: number;
  /** In-cluster URL; `…/v1` for vLLM. */
  readonly endpoint: string;
  /** `https://<hostname>/v1` (or http without TLS) with `exposure`. */
  readonly gatewayUrl?: string;
  /** vLLM: the base model's served name (`--served-model-name`). */
  readonly baseModelName?: string;
  /**
   * vLLM: pinned adapters in `spec.adapters` order, each served under its own name; `follows`: not
   * pinned, the fine-tune's current run, loaded at run time once published (env local).
   */
  readonly pinned: readonly { readonly name: string; readonly runId: string; readonly follows?: true }[];
  /** The engine's own key (reached directly, e.g. through a port-forward); undefined with auth none. */
  readonly engineKey?: ServiceKey;
  /** Gateway client keys (auth api-key with clients): Secret `secret`, key = client name (Envoy Gateway apiKeyAuth). */
  readonly clientKeys: readonly (ServiceKey & { readonly client: string })[];
  /** Whether the gateway needs a JWT rather than a key. */
  readonly jwt: boolean;
}

export interface StackTargets {
  readonly stack: string;
  readonly namespace: string;
  readonly store: StoreRef;
  readonly adapters: readonly AdapterTarget[];
  readonly services: readonly ServiceTarget[];
}

export function stackTargets(loaded: LoadedStack): StackTargets {
  const { config } = loaded;
  const contract = platformContract(loaded.platform);
  const models = new Map(config.models.map((m) => [m.name, m]));
  const pins = config.release.adapters;

  const adapters: AdapterTarget[] = config.fineTunes.map((spec) => {
    const effective = resolveFineTune(spec);
    const runId = fineTuneRunId(effective, models.get(spec.baseModel)!);
    const pinned = pins[spec.name]?.runId;
    return { name: spec.name, currentRunId: runId, jobName: trainJobName(effective.name, runId), ...(pinned !== undefined ? { pinnedRunId: pinned } : {}) };
  });
  // adapters this stack serves but trains elsewhere (a prod stack pins what dev trained)
  for (const [name, pin] of Object.entries(pins)) {
    if (!adapters.some((a) => a.name === name)) adapters.push({ name, pinnedRunId: pin.runId });
  }

  const services: ServiceTarget[] = config.serving.map((spec) => {
    const exposure = spec.exposure;
    const gatewayBase = exposure === undefined ? undefined : `${exposure.tls === undefined ? "http" : "https"}://${exposure.hostname}`;
    const clientKeys = spec.auth.type === "api-key" && exposure !== undefined ? (spec.auth.clients ?? []).map((c) => ({ client: c.name, secretName: c.secret, key: c.name })) : [];
    const jwt = spec.auth.type === "jwt";
    if (spec.baseModel === undefined) {
      const svc = resolveCustomService(spec);
      return {
        name: spec.name,
        runtime: "custom",
        namespace: contract.namespace,
        workload: spec.name,
        selector: { "app.kubernetes.io/name": "custom", "app.kubernetes.io/instance": spec.name },
        port: svc.runtime.port,
        endpoint: `http://${spec.name}.${contract.namespace}.svc.cluster.local:${svc.runtime.port}`,
        ...(gatewayBase !== undefined ? { gatewayUrl: gatewayBase } : {}),
        pinned: [],
        ...(svc.apiKey !== undefined ? { engineKey: { secretName: svc.apiKey.secretName, key: svc.apiKey.key } } : {}),
        clientKeys,
        jwt,
      };
    }
    const model = models.get(spec.baseModel)!;
    const svc = resolveService(spec, model, pinnedAdapters(loaded, spec.adapters));
    return {
      name: spec.name,
      runtime: "vllm",
      namespace: contract.namespace,
      workload: serviceNames(spec.name).workload,
      selector: selector(svc),
      port: HTTP_PORT,
      endpoint: serviceEndpoint(svc, contract),
      ...(gatewayBase !== undefined ? { gatewayUrl: `${gatewayBase}/v1` } : {}),
      baseModelName: model.name,
      pinned: svc.adapters.map((a) => ({ name: a.name, runId: a.runId, ...(a.follow ? { follows: true as const } : {}) })),
      ...(svc.apiKey !== undefined ? { engineKey: { secretName: svc.apiKey.secretName, key: svc.apiKey.key } } : {}),
      clientKeys,
      jwt,
    };
  });

  const followers = (name: string) => services.filter((s) => s.pinned.some((p) => p.name === name && p.follows === true)).map((s) => s.name);
  const withFollowers = adapters.map((a) => (followers(a.name).length === 0 ? a : { ...a, followedBy: followers(a.name) }));
  return { stack: loaded.stack, namespace: contract.namespace, store: storeRef(loaded.platform), adapters: withFollowers, services };
}

/** The training Job of any run of a fine-tune (components/training/train-job.ts `trainNames`). */
export function trainJobName(fineTune: string, runId: string): string {
  return trainNames({ name: fineTune } as Parameters<typeof trainNames>[0], runId).job;
}
