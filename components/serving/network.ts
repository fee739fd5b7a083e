/**
 * Who may reach the engine's port (pure). vLLM's key guards only /v1 (docs/architecture.md §8), so the
 * NetworkPolicy is what keeps clients from bypassing the gateway's auth and path allow-list.
 */
import type { PlatformContract } from "../platform/contract.ts";
import { HTTP_PORT, type EffectiveService } from "./defaults.ts";
import { ENVOY_PROXY_NAMESPACE, GATEWAY_LABEL } from "../lib/gateway.ts";
import { envoyProxyLabels } from "./gateway.ts";
import { metadata, selector, serviceNames } from "./render.ts";

/** Namespace Prometheus scrapes from (`kubernetes.io/metadata.name` is set on every namespace by the API server). */
export const MONITORING_NAMESPACE = "monitoring";

const byName = (namespace: string) => ({ matchLabels: { "kubernetes.io/metadata.name": namespace } });

/**
 * Ingress only on the engine port: from this service's own Envoy proxies when it is exposed (the
 * gateway is the only way in for clients), plus the pods of this namespace matching
 * `inClusterCallers` (the chat UI, which presents the engine key), else from labelled pods of this
 * namespace; and from Prometheus in `monitoring` (it scrapes /metrics on the same port).
 * Egress stays open: the fetch init container reaches the store, whose address differs per platform.
 */
export function renderNetworkPolicy(svc: EffectiveService, contract: PlatformContract, exposed: boolean, inClusterCallers: readonly Record<string, string>[] = []) {
  const ports = [{ protocol: "TCP", port: HTTP_PORT }];
  const callers = exposed
    ? [
        { namespaceSelector: byName(ENVOY_PROXY_NAMESPACE), podSelector: { matchLabels: envoyProxyLabels(svc, contract) } },
        ...inClusterCallers.map((labels) => ({ podSelector: { matchLabels: { ...labels } } })),
      ]
    : [{ podSelector: { matchLabels: { ...GATEWAY_LABEL } } }];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadata(svc, contract, serviceNames(svc.name).workload),
    spec: {
      podSelector: { matchLabels: selector(svc) },
      policyTypes: ["Ingress"],
      ingress: [
        { from: callers, ports },
        { from: [{ namespaceSelector: byName(MONITORING_NAMESPACE) }], ports },
      ],
    },
  };
}
