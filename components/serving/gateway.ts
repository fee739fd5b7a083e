/**
 * The public side of one service (pure, stable key order): a Gateway of llmkit's Envoy Gateway
 * class, an HTTPRoute that admits only OpenAI inference paths, the SecurityPolicy that
 * authenticates clients on that route, the HTTPRouteFilter that sends the engine's own key and
 * the BackendTrafficPolicy with its rate limit, timeout and retries. Rendered only when
 * `spec.exposure` is set; every field below is checked against the CRDs Envoy Gateway v1.9.0 ships
 * (gateway.test.ts, CI only).
 */
import { ENVOY_GATEWAY_GROUP, GATEWAY_GROUP, gatewayProxyLabels, listenerName, renderListenerGateway } from "../lib/gateway.ts";
import { childName } from "../lib/naming.ts";
import type { ServingConfig } from "./inputs.ts";
import type { PlatformContract } from "../platform/contract.ts";
import { HTTP_PORT, type EffectiveService } from "./defaults.ts";
import { metadata, serviceNames } from "./render.ts";

type Exposure = NonNullable<ServingConfig["exposure"]>;
type Auth = ServingConfig["auth"];

/**
 * The only paths the gateway routes (Exact matches, one method each). Everything else answers 404
 * at the gateway: /metrics, /health, /sleep, /wake_up, /invocations, /collective_rpc, /tokenize,
 * /v1/load_lora_adapter and /v1/unload_lora_adapter are operator or probe endpoints, and most of
 * them are not covered by vLLM's key (docs/architecture.md §8). /v1/responses is left out: vLLM keeps stored
 * responses in one replica's memory, so `previous_response_id` breaks behind a load balancer.
 */
export const OPENAI_ROUTES = [
  { method: "POST", path: "/v1/chat/completions" },
  { method: "POST", path: "/v1/completions" },
  { method: "POST", path: "/v1/embeddings" },
  { method: "GET", path: "/v1/models" },
] as const;

/**
 * Header carrying the authenticated client id. Envoy's api_key_auth filter sets it with
 * `setCopy` (envoyproxy/envoy source/extensions/filters/http/api_key_auth/api_key_auth.cc), so a
 * client cannot forge it; Envoy Gateway runs api_key_auth before RBAC and the local rate limit
 * (envoyproxy/gateway internal/xds/translator/httpfilters.go, newOrderedHTTPFilter).
 */
export const CLIENT_ID_HEADER = "x-llmkit-client";
/** JWT provider name, referenced by authorization rules on claims. */
export const JWT_PROVIDER = "oidc";
/** @default 300 s — a few-thousand-token completion streams well within five minutes. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 300;

/**
 * Key of the Secret an HTTPRouteFilter `credentialInjection` reads; its value is the whole header
 * value (`InjectedCredentialKey` and `InjectedCredential.ValueRef` in envoyproxy/gateway v1.9.0
 * api/v1alpha1/httproutefilter_types.go; internal/gatewayapi/filters.go refuses the filter, and
 * the route answers 500, when the key is missing or empty).
 */
export const INJECTED_CREDENTIAL_KEY = "credential";
/** Header vLLM reads its key from (`Authorization: Bearer <key>`, as OpenAI clients send it). */
export const ENGINE_KEY_HEADER = "Authorization";

/** Value of the gateway's credential Secret for an engine key: the full header value. */
export function gatewayCredential(engineKey: string): string {
  return `Bearer ${engineKey}`;
}

/** Kubernetes names: the Gateway API/Envoy Gateway objects are `<name>`; the filter and its Secret say what they hold. */
export function gatewayNames(name: string) {
  return { gateway: name, route: name, security: name, traffic: name, engineKey: childName(name, "engine-key"), credential: childName(name, "gateway-credential") };
}

/**
 * Whether the gateway sends the engine's key (issue 5: vLLM's own key stays on behind the
 * gateway): exposed with auth api-key or jwt, whose engine key defaults.ts always generates then.
 * A given `auth.secret` is refused with exposure (validate.ts): its value is not known here, so
 * no `Bearer` credential could be built from it.
 */
export function engineKeyInjected(svc: EffectiveService, exposure: Exposure | undefined): boolean {
  return exposure !== undefined && svc.apiKey?.generated === true;
}

/** Metadata of the Secret `<name>-gateway-credential` (its data is a Pulumi secret, set by the component). */
export function renderGatewayCredentialSecretMetadata(svc: EffectiveService, contract: PlatformContract) {
  return metadata(svc, contract, gatewayNames(svc.name).credential);
}

/** Pod labels of this service's Envoy proxies. */
export function envoyProxyLabels(svc: EffectiveService, contract: PlatformContract) {
  return gatewayProxyLabels(gatewayNames(svc.name).gateway, contract.namespace);
}

export function renderGateway(svc: EffectiveService, contract: PlatformContract, exposure: Exposure) {
  return renderListenerGateway(`serving "${svc.name}"`, metadata(svc, contract, gatewayNames(svc.name).gateway), contract.addons.gatewayClassName, exposure);
}

export function renderHttpRoute(svc: EffectiveService, contract: PlatformContract, exposure: Exposure) {
  const names = gatewayNames(svc.name);
  // Gateway API HTTPRouteFilter type ExtensionRef → Envoy Gateway's HTTPRouteFilter (as in
  // envoyproxy/gateway v1.9.0 test/e2e/testdata/credential-injection.yaml)
  const filters = engineKeyInjected(svc, exposure)
    ? { filters: [{ type: "ExtensionRef", extensionRef: { group: ENVOY_GATEWAY_GROUP, kind: "HTTPRouteFilter", name: names.engineKey } }] }
    : {};
  return {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: "HTTPRoute",
    metadata: metadata(svc, contract, names.route),
    spec: {
      parentRefs: [{ name: names.gateway, sectionName: listenerName(exposure) }],
      hostnames: [exposure.hostname],
      rules: [
        {
          matches: OPENAI_ROUTES.map((r) => ({ path: { type: "Exact", value: r.path }, method: r.method })),
          ...filters,
          backendRefs: [{ name: serviceNames(svc.name).workload, port: HTTP_PORT }],
        },
      ],
    },
  };
}

/**
 * The second layer: the gateway authenticates the client (SecurityPolicy), then sends vLLM the
 * engine's own key, so a request that reaches port 8000 some other way still needs that key on
 * /v1. Fields from envoyproxy/gateway v1.9.0 api/v1alpha1/httproutefilter_types.go
 * (`HTTPCredentialInjectionFilter`: header, overwrite, credential.valueRef) and the CRD
 * charts/gateway-crds-helm/templates/generated/gateway.envoyproxy.io_httproutefilters.yaml.
 * Envoy runs credential_injector after api_key_auth, jwt_authn, RBAC and the local rate limit
 * (orders 7, 10, 301, 302 < 307 in internal/xds/translator/httpfilters.go,
 * newOrderedHTTPFilter), so the client is checked on its own key first. `overwrite: true` is
 * required: with jwt the gateway forwards the client's token in `Authorization`
 * (`Forward: true` in internal/xds/translator/jwt.go), which must be replaced, not kept; with
 * api-key `sanitize` has already removed the client's key. Header and refs are written out
 * although `Authorization`, group "" and kind Secret are the CRD defaults (docs/architecture.md §8).
 */
export function renderEngineKeyFilter(svc: EffectiveService, contract: PlatformContract) {
  const names = gatewayNames(svc.name);
  return {
    apiVersion: `${ENVOY_GATEWAY_GROUP}/v1alpha1`,
    kind: "HTTPRouteFilter",
    metadata: metadata(svc, contract, names.engineKey),
    spec: {
      credentialInjection: {
        header: ENGINE_KEY_HEADER,
        overwrite: true,
        credential: { valueRef: { group: "", kind: "Secret", name: names.credential } },
      },
    },
  };
}

function routeTarget(svc: EffectiveService) {
  return [{ group: GATEWAY_GROUP, kind: "HTTPRoute", name: gatewayNames(svc.name).route }];
}

/**
 * api-key: Envoy Gateway apiKeyAuth. Each referenced Secret maps client id (key) → API key
 * (value); rotating a key is editing the Secret, picked up by the gateway without an engine
 * restart. OpenAI clients send `Authorization: Bearer <key>`: Envoy strips the `Bearer ` prefix
 * from a header source (api_key_auth.cc `getKey`), and `sanitize` drops the key before the
 * engine, which gets its own key from the HTTPRouteFilter instead. Every key of a referenced Secret authenticates, so the authorization rule admits only
 * the listed clients. jwt: one remote-JWKS provider, plus claim rules when `claims` are given.
 * Per-model allow-lists are not expressible: the model is in the JSON body, and neither route
 * matches nor authorization rules (principal, cel over request attributes) read the body.
 */
function authSpec(auth: Auth) {
  switch (auth.type) {
    case "api-key": {
      const clients = auth.clients ?? [];
      return {
        apiKeyAuth: {
          credentialRefs: [...new Set(clients.map((c) => c.secret))].map((name) => ({ group: "", kind: "Secret", name })),
          extractFrom: [{ headers: ["Authorization"] }],
          forwardClientIDHeader: CLIENT_ID_HEADER,
          sanitize: true,
        },
        authorization: {
          defaultAction: "Deny",
          rules: [{ name: "listed-clients", action: "Allow", principal: { headers: [{ name: CLIENT_ID_HEADER, values: clients.map((c) => c.name) }] } }],
        },
      };
    }
    case "jwt": {
      const jwt = { providers: [{ name: JWT_PROVIDER, issuer: auth.issuer, audiences: [...auth.audiences], remoteJWKS: { uri: auth.jwksUri } }] };
      if (auth.claims === undefined) return { jwt };
      return {
        jwt,
        authorization: {
          defaultAction: "Deny",
          rules: [{ name: "required-claims", action: "Allow", principal: { jwt: { provider: JWT_PROVIDER, claims: auth.claims.map(renderClaim) } } }],
        },
      };
    }
    case "none":
      return undefined;
  }
}

type Claim = NonNullable<Extract<Auth, { type: "jwt" }>["claims"]>[number];

/**
 * Claims whose last path segment is `groups` or `roles` (`groups`, `cognito:groups`,
 * `realm_access.roles`) are JSON lists at every common OIDC issuer (Okta, Entra ID, Keycloak,
 * Cognito). Envoy Gateway v1.9.0 compares a claim as `String` unless told otherwise
 * (envoyproxy/gateway@v1.9.0:api/v1alpha1/authorization_types.go, JWTClaim.ValueType
 * `+kubebuilder:default=String`), and a list never equals a string: every token would get 403.
 * Space-separated `scope` strings are neither, so they stay `String` unless set.
 */
const LIST_CLAIM = /(^|[.:])(groups|roles)$/;

export function claimValueType(claim: Pick<Claim, "name" | "valueType">): "String" | "StringArray" {
  return claim.valueType ?? (LIST_CLAIM.test(claim.name) ? "StringArray" : "String");
}

function renderClaim(c: Claim) {
  return { name: c.name, valueType: claimValueType(c), values: [...c.values] };
}

/** `undefined` with auth "none" (refused in prod by config/rules.ts). */
export function renderSecurityPolicy(svc: EffectiveService, contract: PlatformContract, auth: Auth) {
  const spec = authSpec(auth);
  if (spec === undefined) return undefined;
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "SecurityPolicy",
    metadata: metadata(svc, contract, gatewayNames(svc.name).security),
    spec: { targetRefs: routeTarget(svc), ...spec },
  };
}

/** @default 30 s — two KEDA polls: how long a client should wait before retrying a cold start. */
export const COLD_START_RETRY_AFTER_SECONDS = 30;

/**
 * `responseOverride` adding `Retry-After` to the gateway's own 503s (the no-ready-endpoint direct
 * response, "no healthy upstream"). `source: Local` restricts it to Envoy-generated responses, so
 * a 503 from vLLM keeps its body; status and body are left as they are (no statusCode/body), and
 * `header.set` becomes a response header of Envoy's custom_response local policy
 * (envoyproxy/gateway v1.9.0 api/v1alpha1/shared_types.go `CustomResponse.Header`,
 * internal/gatewayapi/backendtrafficpolicy.go, internal/xds/translator/custom_response.go).
 */
function coldStartOverride() {
  return [
    {
      match: { statusCodes: [{ type: "Value", value: 503 }] },
      source: "Local",
      response: { header: { set: [{ name: "Retry-After", value: String(COLD_START_RETRY_AFTER_SECONDS) }] } },
    },
  ];
}

/**
 * Local rate limit (per Envoy replica, no Redis to run): one bucket per listed api-key client,
 * keyed on the client id the gateway forwarded, or one bucket for the route with jwt/none.
 * Retries only where the engine cannot have started the request (connection refused by a pod
 * that is shutting down, reset before the request was sent), so a completion never runs twice.
 * Scale from zero is not held here, and no BackendTrafficPolicy field can hold it: with no ready
 * endpoint Envoy Gateway v1.9.0 replaces the route's action with a 503 direct response
 * (internal/gatewayapi/route.go, "setting 503 direct response in routes due to no ready
 * endpoints"), which never reaches the router's retry state; once endpoints exist but none is
 * healthy, Envoy's router answers 503 "no healthy upstream" in decodeHeaders, again before any
 * retry (envoyproxy/envoy source/common/router/router.cc `sendNoHealthyUpstreamResponse`).
 * Those 503s are what wakes a scale-to-zero service (autoscaling.ts `wakeQuery`); for such a
 * service they carry `Retry-After` (coldStartOverride).
 */
export function renderBackendTrafficPolicy(svc: EffectiveService, contract: PlatformContract, exposure: Exposure, auth: Auth) {
  const limit = exposure.rateLimit;
  const clients = auth.type === "api-key" ? (auth.clients ?? []) : [];
  const rules =
    limit === undefined
      ? []
      : clients.length > 0
        ? clients.map((c) => ({ clientSelectors: [{ headers: [{ name: CLIENT_ID_HEADER, type: "Exact", value: c.name }] }], limit: { ...limit } }))
        : [{ limit: { ...limit } }];
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "BackendTrafficPolicy",
    metadata: metadata(svc, contract, gatewayNames(svc.name).traffic),
    spec: {
      targetRefs: routeTarget(svc),
      ...(rules.length > 0 ? { rateLimit: { type: "Local", local: { rules } } } : {}),
      retry: {
        numRetries: 2,
        retryOn: { triggers: ["connect-failure", "reset-before-request"] },
        perRetry: { backOff: { baseInterval: "250ms", maxInterval: "2s" } },
      },
      timeout: { http: { requestTimeout: `${exposure.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS}s` } },
      ...(svc.scaling.replicas.min === 0 ? { responseOverride: coldStartOverride() } : {}),
    },
  };
}

/** Child-name role of the HTTPRouteFilter (the component registers it after the credential Secret). */
export const ENGINE_KEY_ROLE = "engine-key";

/**
 * Everything exposure adds with its child-name role, in registration order; empty for a
 * cluster-internal service. The credential Secret is not here: its data is a Pulumi secret the
 * component builds from the generated key (vllm-service.ts).
 */
export function renderExposure(svc: EffectiveService, contract: PlatformContract, spec: Pick<ServingConfig, "auth" | "exposure">) {
  const { exposure, auth } = spec;
  if (exposure === undefined) return [];
  const security = renderSecurityPolicy(svc, contract, auth);
  return [
    { role: "gateway", object: renderGateway(svc, contract, exposure) },
    ...(engineKeyInjected(svc, exposure) ? [{ role: ENGINE_KEY_ROLE, object: renderEngineKeyFilter(svc, contract) }] : []),
    { role: "route", object: renderHttpRoute(svc, contract, exposure) },
    ...(security === undefined ? [] : [{ role: "security-policy", object: security }]),
    { role: "traffic-policy", object: renderBackendTrafficPolicy(svc, contract, exposure, auth) },
  ];
}
