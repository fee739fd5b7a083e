import { describe, expect, it } from "vitest";
import { crdsAvailable } from "../../render/schemas/crds.ts";
import { formatVerdict, validateObjects } from "../../render/validate.ts";
import { localPlatform } from "../platform/__fixtures__/configs.ts";
import { platformContract } from "../platform/contract.ts";
import { renderChatUiExposure, renderChatUiSecurityPolicy } from "./gateway.ts";
import { chatUiSchema, type ChatUiConfig } from "./inputs.ts";
import { renderChatUiDeployment, renderChatUiNetworkPolicy, renderChatUiService, renderChatUiVolumeClaim, type ChatUiBackend } from "./render.ts";
import { chatUiProblems } from "./validate.ts";

const contract = platformContract(localPlatform());
const oidc: ChatUiConfig = chatUiSchema.parse({
  service: "chat",
  auth: {
    type: "oidc",
    issuer: "https://login.example.com/",
    clientId: "llmkit-chat",
    clientSecret: { secretName: "chat-ui-oidc" },
    jwksUri: "https://login.example.com/.well-known/jwks.json",
    allowedEmails: ["ana@example.com", "bo@example.com"],
  },
  exposure: { hostname: "chat-ui.example.com", tls: { secretName: "chat-ui-tls" } },
});
const local: ChatUiConfig = chatUiSchema.parse({ service: "chat", auth: { type: "none" }, storage: { sizeGiB: 1, storageClass: "standard" } });
const backend: ChatUiBackend = { endpoint: "http://chat.llmkit.svc.cluster.local:8000/v1", key: { secretName: "chat-api-key", key: "api-key" } };
const labels = {
  "app.kubernetes.io/name": "open-webui",
  "app.kubernetes.io/instance": "chat-ui",
  "app.kubernetes.io/component": "chat-ui",
  "app.kubernetes.io/part-of": "llmkit",
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/version": "0.12.4",
};
const meta = (name: string) => ({ name, namespace: "llmkit", labels });
const selector = { "app.kubernetes.io/name": "open-webui", "app.kubernetes.io/instance": "chat-ui" };
const env = (ui: ChatUiConfig, b = backend) => Object.fromEntries(renderChatUiDeployment(ui, contract, b).spec.template.spec.containers[0]!.env.map((e) => [e.name, "value" in e ? e.value : e.valueFrom]));

describe("renderChatUiDeployment", () => {
  it("runs Open WebUI 0.12.4 as uid 1000 against the service, with its key and DATA_DIR from Secrets and the PVC", () => {
    expect(renderChatUiDeployment(oidc, contract, backend)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta("chat-ui"),
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels, "llmkit.dev/gateway": "true" } },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
            automountServiceAccountToken: false,
            containers: [
              {
                name: "open-webui",
                image: "ghcr.io/open-webui/open-webui:v0.12.4",
                command: ["uvicorn", "open_webui.main:app", "--host", "0.0.0.0", "--port", "8080", "--forwarded-allow-ips", "*"],
                env: [
                  { name: "OPENAI_API_BASE_URLS", value: "http://chat.llmkit.svc.cluster.local:8000/v1" },
                  { name: "OPENAI_API_KEYS", valueFrom: { secretKeyRef: { name: "chat-api-key", key: "api-key" } } },
                  { name: "ENABLE_OLLAMA_API", value: "False" },
                  { name: "WEBUI_AUTH_TRUSTED_EMAIL_HEADER", value: "x-llmkit-user-email" },
                  { name: "DEFAULT_USER_ROLE", value: "user" },
                  { name: "WEBUI_SESSION_COOKIE_SECURE", value: "True" },
                  { name: "CORS_ALLOW_ORIGIN", value: "https://chat-ui.example.com" },
                  { name: "WEBUI_SECRET_KEY", valueFrom: { secretKeyRef: { name: "chat-ui-secret-key", key: "webui-secret-key" } } },
                  { name: "DATA_DIR", value: "/app/backend/data" },
                  { name: "ENABLE_PERSISTENT_CONFIG", value: "False" },
                  { name: "OFFLINE_MODE", value: "True" },
                  { name: "HOME", value: "/tmp" },
                  { name: "STATIC_DIR", value: "/tmp/static" },
                ],
                ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                startupProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 5, failureThreshold: 60 },
                readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 20, failureThreshold: 3 },
                resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: false, seccompProfile: { type: "RuntimeDefault" } },
                volumeMounts: [
                  { name: "data", mountPath: "/app/backend/data" },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "data", persistentVolumeClaim: { claimName: "chat-ui-data" } },
              { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
            ],
          },
        },
      },
    });
  });

  it("auth none turns Open WebUI's own login off and trusts no header; a keyless service gets an empty key", () => {
    const e = env(local, { ...backend, key: undefined });
    expect(e).toMatchObject({ WEBUI_AUTH: "False", OPENAI_API_KEYS: "" });
    expect(e).not.toHaveProperty("WEBUI_AUTH_TRUSTED_EMAIL_HEADER");
    expect(e).not.toHaveProperty("WEBUI_SESSION_COOKIE_SECURE");
    expect(e).not.toHaveProperty("CORS_ALLOW_ORIGIN");
  });

  it("oidc over plain http (env local) keeps the session cookie usable without TLS", () => {
    const ui = { ...oidc, exposure: { hostname: "chat-ui.localtest.me" } };
    expect(env(ui)).not.toHaveProperty("WEBUI_SESSION_COOKIE_SECURE");
    expect(env(ui)).not.toHaveProperty("WEBUI_AUTH");
    expect(env(ui)).toMatchObject({ CORS_ALLOW_ORIGIN: "http://chat-ui.localtest.me" });
  });
});

describe("Service, PVC and NetworkPolicy", () => {
  it("keeps DATA_DIR on a claim of the configured size and class, not awaited (WaitForFirstConsumer)", () => {
    expect(renderChatUiVolumeClaim(local, contract)).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { ...meta("chat-ui-data"), annotations: { "pulumi.com/skipAwait": "true" } },
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: "standard", resources: { requests: { storage: "1Gi" } } },
    });
    expect(renderChatUiVolumeClaim(oidc, contract).spec).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } });
  });

  it("serves port 8080 inside the cluster", () => {
    expect(renderChatUiService(oidc, contract)).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("chat-ui"),
      spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }] },
    });
  });

  it("admits only the UI's own Envoy proxies when exposed, and nothing without exposure", () => {
    expect(renderChatUiNetworkPolicy(oidc, contract)).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("chat-ui"),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } },
                podSelector: { matchLabels: { "gateway.envoyproxy.io/owning-gateway-name": "chat-ui", "gateway.envoyproxy.io/owning-gateway-namespace": "llmkit" } },
              },
            ],
            ports: [{ protocol: "TCP", port: 8080 }],
          },
        ],
      },
    });
    expect(renderChatUiNetworkPolicy(local, contract).spec.ingress).toEqual([]);
  });
});

describe("the gateway side", () => {
  const rendered = renderChatUiExposure(oidc, contract);

  it("renders a Gateway, a catch-all HTTPRoute and the SecurityPolicy; nothing with auth none", () => {
    expect(rendered.map((r) => [r.role, r.object.kind])).toEqual([
      ["gateway", "Gateway"],
      ["route", "HTTPRoute"],
      ["security-policy", "SecurityPolicy"],
    ]);
    expect(renderChatUiExposure(local, contract)).toEqual([]);
    expect(rendered[1]!.object).toEqual({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: meta("chat-ui"),
      spec: {
        parentRefs: [{ name: "chat-ui", sectionName: "https" }],
        hostnames: ["chat-ui.example.com"],
        rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "chat-ui", port: 8080 }] }],
      },
    });
  });

  it("logs in with OIDC, verifies the forwarded ID token and passes its email claim; only listed emails pass", () => {
    expect(rendered[2]!.object).toEqual({
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "SecurityPolicy",
      metadata: meta("chat-ui"),
      spec: {
        targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "chat-ui" }],
        oidc: {
          provider: { issuer: "https://login.example.com/" },
          clientID: "llmkit-chat",
          clientSecret: { group: "", kind: "Secret", name: "chat-ui-oidc" },
          scopes: ["openid", "email", "profile"],
          redirectURL: "https://chat-ui.example.com/oauth2/callback",
          logoutPath: "/oauth2/logout",
          forwardIDToken: { header: "x-llmkit-id-token" },
        },
        jwt: {
          providers: [
            {
              name: "oidc-id-token",
              issuer: "https://login.example.com/",
              audiences: ["llmkit-chat"],
              remoteJWKS: { uri: "https://login.example.com/.well-known/jwks.json" },
              extractFrom: { headers: [{ name: "x-llmkit-id-token" }] },
              claimToHeaders: [{ header: "x-llmkit-user-email", claim: "email" }],
            },
          ],
        },
        authorization: {
          defaultAction: "Deny",
          rules: [
            {
              name: "allowed-emails",
              action: "Allow",
              principal: { jwt: { provider: "oidc-id-token", claims: [{ name: "email", valueType: "String", values: ["ana@example.com", "bo@example.com"] }] } },
            },
          ],
        },
      },
    });
    const everyone = { ...oidc, auth: { ...oidc.auth, allowedEmails: undefined, redirectURL: "https://chat-ui.example.com/custom/callback" } } as ChatUiConfig;
    const policy = renderChatUiSecurityPolicy(everyone, contract, everyone.auth as Extract<ChatUiConfig["auth"], { type: "oidc" }>, everyone.exposure!);
    expect(policy.spec).not.toHaveProperty("authorization");
    expect(policy.spec.oidc.redirectURL).toBe("https://chat-ui.example.com/custom/callback");
  });

  it("validates every object against Kubernetes and the CRDs Envoy Gateway v1.9.0 ships (CRDs in CI only)", async () => {
    const objects = [
      ...rendered.map((r) => r.object),
      ...renderChatUiExposure({ ...oidc, exposure: { hostname: "chat-ui.localtest.me" } }, contract).map((r) => r.object),
      renderChatUiDeployment(oidc, contract, backend),
      renderChatUiDeployment(local, contract, { ...backend, key: undefined }),
      renderChatUiService(oidc, contract),
      renderChatUiVolumeClaim(local, contract),
      renderChatUiNetworkPolicy(oidc, contract),
      renderChatUiNetworkPolicy(local, contract),
    ];
    const verdicts = await validateObjects(objects);
    expect(verdicts.flatMap(formatVerdict).filter((p) => !p.includes("checked in CI only"))).toEqual([]);
    if (!crdsAvailable()) {
      console.log("note: ../shared/contracts/crds is absent: the Gateway API and Envoy Gateway objects were not checked");
      return;
    }
    expect(verdicts.map((v) => v.status)).toEqual(objects.map(() => "valid"));
    // a misspelt field is refused, so the check above can fail
    const policy = rendered[2]!.object as ReturnType<typeof renderChatUiSecurityPolicy>;
    const [bad] = await validateObjects([{ ...policy, spec: { ...policy.spec, oidc: { ...policy.spec.oidc, forwardIdToken: { header: "x" } } } }]);
    expect(bad!.status).toBe("invalid");
  });
});

describe("chatUiProblems", () => {
  it("needs the platform's Envoy Gateway for an exposure, not without one", () => {
    const noGateway = { ...contract, addons: { ...contract.addons, gatewayClassName: null } };
    expect(chatUiProblems(oidc, noGateway)).toEqual([
      "exposure: the platform runs no Envoy Gateway (platform.addons.envoyGateway is off), so there is no gateway to log in at: switch it on, or on env local remove exposure and use auth none",
    ]);
    expect(chatUiProblems(local, noGateway)).toEqual([]);
    expect(chatUiProblems(oidc, contract)).toEqual([]);
  });
});
