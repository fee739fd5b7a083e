import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { crdsAvailable } from "../../render/schemas/crds.ts";
import { ALLOWED_WITHOUT_SCHEMA, formatVerdict, validateObjects } from "../../render/validate.ts";
import type { ServingConfig } from "./inputs.ts";
import { installMocks } from "./__fixtures__/mocks.ts";
import { chat, chatLabels, contract, qwen7b, supportBot } from "./__fixtures__/specs.ts";
import { resolveService } from "./defaults.ts";
import {
  engineKeyInjected,
  gatewayCredential,
  renderBackendTrafficPolicy,
  renderEngineKeyFilter,
  renderExposure,
  renderGateway,
  renderGatewayCredentialSecretMetadata,
  renderHttpRoute,
  renderSecurityPolicy,
} from "./gateway.ts";
import { renderNetworkPolicy } from "./network.ts";

const exposed: ServingConfig = {
  ...chat,
  auth: {
    type: "api-key",
    clients: [
      { name: "web", secret: "chat-clients" },
      { name: "batch", secret: "chat-clients" },
      { name: "partner", secret: "partner-keys" },
    ],
  },
  exposure: { hostname: "chat.example.com", tls: { secretName: "chat-tls" }, rateLimit: { requests: 60, unit: "Minute" } },
};
const exposure = exposed.exposure!;
const jwt: ServingConfig["auth"] = {
  type: "jwt",
  issuer: "https://login.example.com/",
  audiences: ["llmkit"],
  jwksUri: "https://login.example.com/.well-known/jwks.json",
  claims: [{ name: "groups", values: ["ml", "support"] }],
};
const svc = resolveService(exposed, qwen7b, [supportBot]);
const open = resolveService({ ...exposed, auth: { type: "none" } }, qwen7b, [supportBot]);
const viaJwt = resolveService({ ...exposed, auth: jwt }, qwen7b, [supportBot]);
const labels = chatLabels;
const meta = { name: "chat", namespace: "llmkit", labels };
const toRoute = [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "chat" }];
const engineKeyRef = { type: "ExtensionRef", extensionRef: { group: "gateway.envoyproxy.io", kind: "HTTPRouteFilter", name: "chat-engine-key" } };

describe("renderGateway", () => {
  it("terminates TLS on one HTTPS listener of the platform's class, for this namespace's routes only", () => {
    expect(renderGateway(svc, contract, exposure)).toEqual({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: meta,
      spec: {
        gatewayClassName: "llmkit",
        listeners: [
          {
            name: "https",
            hostname: "chat.example.com",
            port: 443,
            protocol: "HTTPS",
            tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "chat-tls" }] },
            allowedRoutes: { namespaces: { from: "Same" } },
          },
        ],
      },
    });
  });

  it("listens on plain HTTP without tls (refused in prod by the schema rules)", () => {
    expect(renderGateway(svc, contract, { hostname: "chat.dev.internal" }).spec.listeners).toEqual([
      { name: "http", hostname: "chat.dev.internal", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
    ]);
  });

  it("refuses a platform without Envoy Gateway", () => {
    const none = { ...contract, addons: { ...contract.addons, gatewayClassName: null } };
    expect(() => renderGateway(svc, none, exposure)).toThrow('serving "chat": exposure needs a GatewayClass, but the platform has no Envoy Gateway');
  });
});

describe("renderHttpRoute", () => {
  const route = renderHttpRoute(svc, contract, exposure);

  it("routes only the OpenAI inference paths, by exact path and method, through the engine-key filter to the ClusterIP Service", () => {
    expect(route).toEqual({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: meta,
      spec: {
        parentRefs: [{ name: "chat", sectionName: "https" }],
        hostnames: ["chat.example.com"],
        rules: [
          {
            matches: [
              { path: { type: "Exact", value: "/v1/chat/completions" }, method: "POST" },
              { path: { type: "Exact", value: "/v1/completions" }, method: "POST" },
              { path: { type: "Exact", value: "/v1/embeddings" }, method: "POST" },
              { path: { type: "Exact", value: "/v1/models" }, method: "GET" },
            ],
            filters: [engineKeyRef],
            backendRefs: [{ name: "chat", port: 8000 }],
          },
        ],
      },
    });
  });

  it("sends the engine key with jwt too, and has no filter with auth none (the engine has no key)", () => {
    expect(renderHttpRoute(viaJwt, contract, exposure).spec.rules.map((r) => r.filters)).toEqual([[engineKeyRef]]);
    expect(renderHttpRoute(open, contract, exposure).spec.rules.map((r) => Object.keys(r))).toEqual([["matches", "backendRefs"]]);
  });

  it.each(["/metrics", "/health", "/sleep", "/wake_up", "/invocations", "/collective_rpc", "/v1/load_lora_adapter", "/v1/unload_lora_adapter", "/v1/responses"])(
    "never routes %s",
    (path) => {
      const matches = route.spec.rules.flatMap((r) => r.matches);
      expect(matches.filter((m) => m.path.value === path || path.startsWith(m.path.value))).toEqual([]);
      expect(matches.every((m) => m.path.type === "Exact")).toBe(true);
    },
  );
});

describe("renderSecurityPolicy", () => {
  it("api-key: references each client Secret once, reads the Bearer key, forwards the client id and admits only listed clients", () => {
    expect(renderSecurityPolicy(svc, contract, exposed.auth)).toEqual({
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "SecurityPolicy",
      metadata: meta,
      spec: {
        targetRefs: toRoute,
        apiKeyAuth: {
          credentialRefs: [
            { group: "", kind: "Secret", name: "chat-clients" },
            { group: "", kind: "Secret", name: "partner-keys" },
          ],
          extractFrom: [{ headers: ["Authorization"] }],
          forwardClientIDHeader: "x-llmkit-client",
          sanitize: true,
        },
        authorization: {
          defaultAction: "Deny",
          rules: [{ name: "listed-clients", action: "Allow", principal: { headers: [{ name: "x-llmkit-client", values: ["web", "batch", "partner"] }] } }],
        },
      },
    });
  });

  it("jwt: one remote-JWKS provider, and claim rules only when claims are given", () => {
    const provider = { name: "oidc", issuer: "https://login.example.com/", audiences: ["llmkit"], remoteJWKS: { uri: "https://login.example.com/.well-known/jwks.json" } };
    expect(renderSecurityPolicy(svc, contract, jwt)?.spec).toEqual({
      targetRefs: toRoute,
      jwt: { providers: [provider] },
      authorization: {
        defaultAction: "Deny",
        // groups is a JSON list: StringArray, or Envoy Gateway's default String never matches
        rules: [{ name: "required-claims", action: "Allow", principal: { jwt: { provider: "oidc", claims: [{ name: "groups", valueType: "StringArray", values: ["ml", "support"] }] } } }],
      },
    });
    expect(renderSecurityPolicy(svc, contract, { ...jwt, claims: undefined })?.spec).toEqual({ targetRefs: toRoute, jwt: { providers: [provider] } });
  });

  it("jwt claims: StringArray for groups/roles claims, String otherwise, an explicit valueType wins", () => {
    // envoyproxy/gateway@v1.9.0:api/v1alpha1/authorization_types.go JWTClaim.ValueType defaults to String
    const claims = [
      { name: "cognito:groups", values: ["ml"] },
      { name: "realm_access.roles", values: ["chat-user"] },
      { name: "tenant", values: ["acme"] },
      { name: "scope", values: ["chat"] },
      { name: "groups", values: ["ml"], valueType: "String" as const },
      { name: "teams", values: ["ml"], valueType: "StringArray" as const },
    ];
    const rendered = renderSecurityPolicy(svc, contract, { ...jwt, claims })?.spec.authorization?.rules[0]?.principal;
    expect(rendered).toEqual({
      jwt: {
        provider: "oidc",
        claims: [
          { name: "cognito:groups", valueType: "StringArray", values: ["ml"] },
          { name: "realm_access.roles", valueType: "StringArray", values: ["chat-user"] },
          { name: "tenant", valueType: "String", values: ["acme"] },
          { name: "scope", valueType: "String", values: ["chat"] },
          { name: "groups", valueType: "String", values: ["ml"] },
          { name: "teams", valueType: "StringArray", values: ["ml"] },
        ],
      },
    });
  });

  it("renders nothing with auth none", () => {
    expect(renderSecurityPolicy(svc, contract, { type: "none" })).toBeUndefined();
  });
});

describe("renderEngineKeyFilter", () => {
  it("injects the Bearer credential of Secret chat-gateway-credential into Authorization, replacing what is there", () => {
    // every field of HTTPRouteFilter v1alpha1 spec.credentialInjection (envoyproxy/gateway v1.9.0
    // api/v1alpha1/httproutefilter_types.go); its CRD is not in ../shared, so this is the check
    expect(renderEngineKeyFilter(svc, contract)).toEqual({
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "HTTPRouteFilter",
      metadata: { ...meta, name: "chat-engine-key" },
      spec: {
        credentialInjection: {
          header: "Authorization",
          overwrite: true,
          credential: { valueRef: { group: "", kind: "Secret", name: "chat-gateway-credential" } },
        },
      },
    });
    expect(renderGatewayCredentialSecretMetadata(svc, contract)).toEqual({ ...meta, name: "chat-gateway-credential" });
    expect(gatewayCredential("k3y")).toBe("Bearer k3y");
  });

  it("is used only for an exposed service with a generated engine key", () => {
    expect(engineKeyInjected(svc, exposure)).toBe(true);
    expect(engineKeyInjected(viaJwt, exposure)).toBe(true);
    expect(engineKeyInjected(open, exposure)).toBe(false);
    expect(engineKeyInjected(resolveService(chat, qwen7b, [supportBot]), undefined)).toBe(false);
  });
});

describe("renderBackendTrafficPolicy", () => {
  const retry = {
    numRetries: 2,
    retryOn: { triggers: ["connect-failure", "reset-before-request"] },
    perRetry: { backOff: { baseInterval: "250ms", maxInterval: "2s" } },
  };

  it("limits each api-key client on its forwarded id, retries only unsent requests and bounds the request", () => {
    const perClient = (value: string) => ({
      clientSelectors: [{ headers: [{ name: "x-llmkit-client", type: "Exact", value }] }],
      limit: { requests: 60, unit: "Minute" },
    });
    expect(renderBackendTrafficPolicy(svc, contract, exposure, exposed.auth)).toEqual({
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "BackendTrafficPolicy",
      metadata: meta,
      spec: {
        targetRefs: toRoute,
        rateLimit: { type: "Local", local: { rules: [perClient("web"), perClient("batch"), perClient("partner")] } },
        retry,
        timeout: { http: { requestTimeout: "300s" } },
      },
    });
  });

  it("has one route-wide bucket with jwt, none without rateLimit, and the configured timeout", () => {
    expect(renderBackendTrafficPolicy(svc, contract, exposure, jwt).spec.rateLimit).toEqual({
      type: "Local",
      local: { rules: [{ limit: { requests: 60, unit: "Minute" } }] },
    });
    const bare = renderBackendTrafficPolicy(svc, contract, { hostname: "chat.example.com", requestTimeoutSeconds: 900 }, exposed.auth);
    expect(bare.spec).toEqual({ targetRefs: toRoute, retry, timeout: { http: { requestTimeout: "900s" } } });
  });

  it("scale to zero: adds Retry-After to the gateway's own 503s only, valid against the v1.9.0 CRD (CI only)", async () => {
    const toZero = resolveService({ ...exposed, replicas: { min: 0, max: 2 }, autoscaling: {} }, qwen7b, [supportBot]);
    const policy = renderBackendTrafficPolicy(toZero, contract, exposure, exposed.auth);
    expect(policy.spec.responseOverride).toEqual([
      { match: { statusCodes: [{ type: "Value", value: 503 }] }, source: "Local", response: { header: { set: [{ name: "Retry-After", value: "30" }] } } },
    ]);
    expect(renderBackendTrafficPolicy(svc, contract, exposure, exposed.auth).spec).not.toHaveProperty("responseOverride");
    const [verdict] = await validateObjects([policy]);
    if (verdict!.status === "skipped") return;
    expect(verdict!.problems).toEqual([]);
    // a misspelt field is refused, so the check above can fail
    const [bad] = await validateObjects([{ ...policy, spec: { ...policy.spec, responseOverride: [{ ...policy.spec.responseOverride![0]!, response: { headers: { set: [] } } }] } }]);
    expect(bad!.status).toBe("invalid");
  });
});

describe("renderNetworkPolicy", () => {
  const ports = [{ protocol: "TCP", port: 8000 }];
  const selector = { "app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "chat" };
  const monitoring = { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports };

  it("exposed: admits only this Gateway's Envoy pods in envoy-gateway-system and Prometheus, on port 8000", () => {
    const envoy = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } },
      podSelector: { matchLabels: { "gateway.envoyproxy.io/owning-gateway-name": "chat", "gateway.envoyproxy.io/owning-gateway-namespace": "llmkit" } },
    };
    expect(renderNetworkPolicy(svc, contract, true)).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta,
      spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress"], ingress: [{ from: [envoy], ports }, monitoring] },
    });
  });

  it("cluster-internal: admits labelled callers of the namespace and Prometheus", () => {
    expect(renderNetworkPolicy(svc, contract, false).spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { "llmkit.dev/gateway": "true" } } }], ports }, monitoring]);
  });

  it("exposed with an in-cluster caller (the chat UI): admits its pods of this namespace besides the gateway", () => {
    const ui = { "app.kubernetes.io/name": "open-webui", "app.kubernetes.io/instance": "chat-ui" };
    const [engine] = renderNetworkPolicy(svc, contract, true, [ui]).spec.ingress;
    expect(engine!.from).toEqual([renderNetworkPolicy(svc, contract, true).spec.ingress[0]!.from[0], { podSelector: { matchLabels: ui } }]);
    // cluster-internal, the UI carries the gateway label instead: nothing is added
    expect(renderNetworkPolicy(svc, contract, false, [ui])).toEqual(renderNetworkPolicy(svc, contract, false));
  });
});

describe("renderExposure", () => {
  it("renders nothing for a cluster-internal service, and the five objects in order when exposed", () => {
    expect(renderExposure(svc, contract, chat)).toEqual([]);
    expect(renderExposure(svc, contract, exposed).map((o) => [o.role, o.object.kind])).toEqual([
      ["gateway", "Gateway"],
      ["engine-key", "HTTPRouteFilter"],
      ["route", "HTTPRoute"],
      ["security-policy", "SecurityPolicy"],
      ["traffic-policy", "BackendTrafficPolicy"],
    ]);
    expect(renderExposure(viaJwt, contract, { ...exposed, auth: jwt }).map((o) => o.role)).toEqual(["gateway", "engine-key", "route", "security-policy", "traffic-policy"]);
    expect(renderExposure(open, contract, { ...exposed, auth: { type: "none" } }).map((o) => o.role)).toEqual(["gateway", "route", "traffic-policy"]);
  });

  it("validates the HTTPRouteFilter against the CRD Envoy Gateway v1.9.0 ships (CI only)", async () => {
    const filter = renderEngineKeyFilter(svc, contract);
    expect(ALLOWED_WITHOUT_SCHEMA).toEqual({});
    const [verdict] = await validateObjects([filter]);
    // without ../shared the validator skips every Envoy Gateway kind
    expect(verdict!.status).toBe(crdsAvailable() ? "valid" : "skipped");
  });

  it("validates every other object against the CRDs Envoy Gateway v1.9.0 ships (CI only)", async () => {
    const objects = [
      ...renderExposure(svc, contract, exposed)
        .filter((o) => o.object.kind !== "HTTPRouteFilter")
        .map((o) => o.object),
      renderHttpRoute(open, contract, exposure),
      renderSecurityPolicy(svc, contract, jwt)!,
      renderSecurityPolicy(svc, contract, { ...jwt, claims: [{ name: "tenant", values: ["acme"] }] })!,
      renderBackendTrafficPolicy(svc, contract, exposure, jwt),
      renderGateway(svc, contract, { hostname: "chat.dev.internal" }),
      renderNetworkPolicy(svc, contract, true),
    ];
    const verdicts = await validateObjects(objects);
    expect(verdicts.flatMap(formatVerdict).filter((p) => !p.includes("checked in CI only"))).toEqual([]);
    if (verdicts[0]!.status === "skipped") {
      console.log(`note: ${verdicts[0]!.problems.join("; ")}`);
      return;
    }
    expect(verdicts.map((v) => v.status)).toEqual(objects.map(() => "valid"));
    // a misspelt field is refused, so the check above can fail
    const policy = renderSecurityPolicy(svc, contract, exposed.auth)!;
    const [bad] = await validateObjects([{ ...policy, spec: { ...policy.spec, apiKeyAuth: { ...policy.spec.apiKeyAuth, forwardClientIdHeader: "x" } } }]);
    expect(bad!.status).toBe("invalid");
    // and so is a valueType the v1.9.0 enum lacks
    const [badType] = await validateObjects([renderSecurityPolicy(svc, contract, { ...jwt, claims: [{ name: "groups", values: ["ml"], valueType: "List" as "String" }] })!]);
    expect(badType!.status).toBe("invalid");
  });
});

/** Every string in `value` outside Pulumi secret envelopes, with its path. */
function plainStrings(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return [];
  return Object.entries(record).flatMap(([k, v]) => plainStrings(v, `${path}.${k}`));
}

/** Every string in `value` inside Pulumi secret envelopes. */
function secretStrings(value: unknown, inSecret = false): string[] {
  if (typeof value === "string") return inSecret ? [value] : [];
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  const secret = inSecret || record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
  return Object.values(record).flatMap((v) => secretStrings(v, secret));
}

describe("VllmService with exposure (mocks)", async () => {
  const registered = await installMocks();
  const { VllmService } = await import("./vllm-service.ts");
  const ofService = (name: string) => registered.filter((r) => r.name === name || r.name.startsWith(`${name}-`));
  async function settled(name: string, count: number) {
    for (let waited = 0; ofService(name).length < count && waited < 3000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    return ofService(name);
  }
  const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
  // the mock RandomPassword's result is `${name}-result`
  const KEY = "pub-api-key-result";

  const service = new VllmService("pub", { spec: { ...exposed, name: "pub" }, model: qwen7b, adapters: [supportBot], contract });
  const mine = await settled("pub", 17);
  const byName = (type: string, name: string) => mine.find((r) => r.type === type && r.name === name)!;

  it("registers the exposure objects as CustomResources named <name>-<role>, the engine key and its gateway credential", () => {
    // registration completes out of order (inputs with secret outputs resolve later): compare sorted
    const keyed = mine.map((r) => [r.type, r.name]).filter(([t, n]) => t!.includes("gateway") || n!.includes("key") || n!.includes("credential"));
    expect(keyed.sort()).toEqual(
      [
        ["random:index/randomPassword:RandomPassword", "pub-api-key"],
        ["kubernetes:core/v1:Secret", "pub-api-key"],
        ["kubernetes:core/v1:Secret", "pub-gateway-credential"],
        ["kubernetes:gateway.networking.k8s.io/v1:Gateway", "pub-gateway"],
        ["kubernetes:gateway.envoyproxy.io/v1alpha1:HTTPRouteFilter", "pub-engine-key"],
        ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "pub-route"],
        ["kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", "pub-security-policy"],
        ["kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", "pub-traffic-policy"],
      ].sort(),
    );
    expect(mine).toHaveLength(17);
    const pub = resolveService({ ...exposed, name: "pub" }, qwen7b, [supportBot]);
    expect(byName("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "pub-route").inputs).toMatchObject({ spec: renderHttpRoute(pub, contract, exposure).spec });
    expect(byName("kubernetes:gateway.envoyproxy.io/v1alpha1:HTTPRouteFilter", "pub-engine-key").inputs).toMatchObject(renderEngineKeyFilter(pub, contract));
    expect(byName("kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", "pub-security-policy").inputs).toMatchObject({ spec: renderSecurityPolicy(pub, contract, exposed.auth)!.spec });
    // NetworkPolicy unchanged by the second layer: still only this Gateway's Envoy pods and Prometheus
    expect(byName("kubernetes:networking.k8s.io/v1:NetworkPolicy", "pub").inputs).toMatchObject({ spec: renderNetworkPolicy(pub, contract, true).spec });
  });

  it("gives vLLM the generated key and the gateway the same key as `Bearer <key>`, both as Pulumi secrets", async () => {
    const secret = (data: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: data });
    expect(byName("kubernetes:core/v1:Secret", "pub-api-key").inputs).toMatchObject({ metadata: { name: "pub-api-key", namespace: "llmkit" }, type: "Opaque" });
    expect(byName("kubernetes:core/v1:Secret", "pub-api-key").inputs.stringData).toEqual(secret({ "api-key": KEY }));
    const credential = byName("kubernetes:core/v1:Secret", "pub-gateway-credential").inputs;
    expect(credential).toMatchObject({ metadata: { name: "pub-gateway-credential", namespace: "llmkit" }, type: "Opaque" });
    expect(credential.stringData).toEqual(secret({ credential: `Bearer ${KEY}` }));
    const vllm = byName("kubernetes:apps/v1:Deployment", "pub").inputs.spec.template.spec.containers[0];
    expect(vllm.env).toContainEqual({ name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: "pub-api-key", key: "api-key" } } });
    expect(await value(service.apiKeySecretName)).toBe("pub-api-key");
  });

  it("never puts the engine key in a plain field of any registered resource, only in secret outputs", () => {
    const leaks = mine.flatMap((r) => plainStrings(r.inputs).filter(([, v]) => v.includes(KEY)).map(([p]) => `${r.type} ${r.name}${p}`));
    expect(leaks).toEqual([]);
    // ... and it is there, inside the two Secrets' envelopes, so the check above can fail
    expect(mine.flatMap((r) => secretStrings(r.inputs).filter((v) => v.includes(KEY)).map((v) => `${r.name}: ${v}`)).sort()).toEqual([
      `pub-api-key: ${KEY}`,
      `pub-gateway-credential: Bearer ${KEY}`,
    ]);
  });

  it("has no engine key, credential or filter with auth none", async () => {
    const spec: ServingConfig = { ...exposed, name: "pubopen", auth: { type: "none" } };
    const svc = new VllmService("pubopen", { spec, model: qwen7b, adapters: [supportBot], contract });
    const open = await settled("pubopen", 13);
    expect(open.filter((r) => r.type === "random:index/randomPassword:RandomPassword" || r.type.endsWith(":Secret") || r.type.endsWith(":HTTPRouteFilter"))).toEqual([]);
    expect(await value(svc.apiKeySecretName)).toBeUndefined();
  });
});
