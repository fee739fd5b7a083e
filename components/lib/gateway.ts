/**
 * What every gateway-fronted component shares (serving's services, the chat UI): the API groups,
 * where Envoy Gateway runs the proxies and how they are labelled, the label of in-cluster callers,
 * and a Gateway of llmkit's class with one listener.
 */
import { CHARTS } from "../../charts/index.ts";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";
export const ENVOY_GATEWAY_GROUP = "gateway.envoyproxy.io";

/**
 * Envoy Gateway runs each Gateway's Envoy pods in its own namespace unless its EnvoyProxy says
 * `GatewayNamespace` (charts/values/envoy-gateway.yaml does not), labelled with the owning Gateway
 * (OwningGatewayNameLabel/OwningGatewayNamespaceLabel in envoyproxy/gateway
 * internal/gatewayapi/translator.go; the "Mutual TLS" task selects the proxies by them).
 */
export const ENVOY_PROXY_NAMESPACE = CHARTS.envoyGateway.namespace;

/** In-cluster callers of a cluster-internal service carry this label (and present the engine key). */
export const GATEWAY_LABEL = { "llmkit.dev/gateway": "true" } as const;

/** Pod labels of the Envoy proxies of Gateway `gateway` (set by Envoy Gateway on the Deployment it creates). */
export function gatewayProxyLabels(gateway: string, namespace: string) {
  return {
    "gateway.envoyproxy.io/owning-gateway-name": gateway,
    "gateway.envoyproxy.io/owning-gateway-namespace": namespace,
  };
}

/** What a Gateway listener needs: a hostname and, for HTTPS, the certificate's Secret. */
export interface ListenerExposure {
  readonly hostname: string;
  readonly tls?: { readonly secretName: string } | undefined;
}

export function listenerName(exposure: ListenerExposure) {
  return exposure.tls === undefined ? "http" : "https";
}

/**
 * A Gateway of the platform's class (`className`, null without Envoy Gateway) with one listener;
 * `owner` names what asked for it in the error.
 */
export function renderListenerGateway(owner: string, meta: { name: string; namespace: string; labels: Record<string, string> }, className: string | null, exposure: ListenerExposure) {
  if (className === null) throw new Error(`${owner}: exposure needs a GatewayClass, but the platform has no Envoy Gateway`);
  const common = { name: listenerName(exposure), hostname: exposure.hostname };
  // only this namespace's routes may attach: another team's route cannot ride on our hostname
  const allowedRoutes = { namespaces: { from: "Same" } };
  const listener =
    exposure.tls === undefined
      ? { ...common, port: 80, protocol: "HTTP", allowedRoutes }
      : {
          ...common,
          port: 443,
          protocol: "HTTPS",
          tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: exposure.tls.secretName }] },
          allowedRoutes,
        };
  return {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: "Gateway",
    metadata: meta,
    spec: { gatewayClassName: className, listeners: [listener] },
  };
}
