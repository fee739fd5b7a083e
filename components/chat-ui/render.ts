/**
 * Plain Kubernetes objects of the chat UI (pure, stable key order): the Deployment running Open
 * WebUI against one vLLM service, its Service, the PersistentVolumeClaim for DATA_DIR, the
 * metadata of the generated WEBUI_SECRET_KEY Secret and the NetworkPolicy (the gateway side is
 * in gateway.ts). Every environment variable below is read by open_webui 0.12.4 (env.py,
 * config.py; file:line in the comments).
 */
import { ENVOY_PROXY_NAMESPACE, GATEWAY_LABEL, gatewayProxyLabels } from "../lib/gateway.ts";
import { recommendedLabels, selectorLabels } from "../lib/labels.ts";
import { childName } from "../lib/naming.ts";
import { containerSecurityContext, podSecurityContext } from "../lib/pod-security.ts";
import { imageRef, images } from "../lib/versions.ts";
import type { PlatformContract } from "../platform/contract.ts";
import type { ChatUiConfig } from "./inputs.ts";

/** Open WebUI's port (Dockerfile `PORT=8080`, EXPOSE 8080). */
export const UI_PORT = 8080;
/** Open WebUI's DATA_DIR in the image (env.py:228, BACKEND_DIR / "data"): SQLite database, uploads, cache. */
export const DATA_DIR = "/app/backend/data";
/**
 * A uid without a passwd entry: the image is built with `ARG UID=0` and creates no user; the
 * PVC is made writable by fsGroup, everything else it writes goes to the /tmp emptyDir.
 */
export const UI_UID = 1000;
/**
 * Request header carrying the user's email from the gateway. Envoy's jwt_authn sets it from the
 * verified ID token (SecurityPolicy jwt claimToHeaders) and strips it from every incoming request
 * first: a header named in claim_to_headers is in the extractor's headers_to_sanitize_
 * (envoyproxy/envoy source/extensions/filters/http/jwt_authn/extractor.cc), so a client cannot
 * send its own.
 */
export const USER_EMAIL_HEADER = "x-llmkit-user-email";
/** Key of the generated Secret (WEBUI_SECRET_KEY signs Open WebUI's session JWTs, env.py:770). */
export const SECRET_KEY_KEY = "webui-secret-key";

/** The service the UI talks to, as resolved by the kit (never a key value: a Secret reference at most). */
export interface ChatUiBackend {
  /** `http://<service>.<namespace>.svc.cluster.local:8000/v1` */
  readonly endpoint: string;
  /** The service's engine key Secret; undefined when the service runs with auth none. */
  readonly key: { readonly secretName: string; readonly key: string } | undefined;
}

export function chatUiNames(name: string) {
  return { workload: name, data: childName(name, "data"), secretKey: childName(name, "secret-key") };
}

export function chatUiSelector(ui: ChatUiConfig) {
  return selectorLabels({ name: "open-webui", instance: ui.name });
}

export function chatUiMetadata(ui: ChatUiConfig, contract: PlatformContract, name: string) {
  const labels = recommendedLabels({ name: "open-webui", instance: ui.name, component: "chat-ui", version: images.openWebui.version });
  return { name, namespace: contract.namespace, labels };
}

function backendEnv(backend: ChatUiBackend) {
  return [
    // one OpenAI connection (config.py:341-353 split both lists on ";"); its /v1/models lists the base model and every adapter
    { name: "OPENAI_API_BASE_URLS", value: backend.endpoint },
    backend.key === undefined
      ? { name: "OPENAI_API_KEYS", value: "" }
      : { name: "OPENAI_API_KEYS", valueFrom: { secretKeyRef: { name: backend.key.secretName, key: backend.key.key } } },
    { name: "ENABLE_OLLAMA_API", value: "False" }, // config.py:243, default True
  ];
}

function authEnv(ui: ChatUiConfig) {
  if (ui.auth.type === "none") return [{ name: "WEBUI_AUTH", value: "False" }]; // env.py:759
  const secureCookie = ui.exposure?.tls === undefined ? [] : [{ name: "WEBUI_SESSION_COOKIE_SECURE", value: "True" }];
  // the schema requires an exposure with oidc; only the UI's own origin may call its API from a browser
  const origin = ui.exposure === undefined ? [] : [{ name: "CORS_ALLOW_ORIGIN", value: `${ui.exposure.tls === undefined ? "http" : "https"}://${ui.exposure.hostname}` }];
  return [
    // routers/auths.py: signin reads the email from this header and signs the user up on first sight
    { name: "WEBUI_AUTH_TRUSTED_EMAIL_HEADER", value: USER_EMAIL_HEADER }, // env.py:810
    // users the gateway admitted may chat at once (the first one becomes admin); default "pending"
    { name: "DEFAULT_USER_ROLE", value: "user" }, // config.py:1754
    ...secureCookie, // env.py:778
    ...origin, // config.py:2192, default "*"
  ];
}

function container(ui: ChatUiConfig, backend: ChatUiBackend) {
  const names = chatUiNames(ui.name);
  const health = { httpGet: { path: "/health", port: "http" } }; // main.py:3075
  return {
    name: "open-webui",
    image: imageRef(images.openWebui),
    // backend/start.sh's own last step, without its writes next to itself (server.log) that uid 1000 cannot make
    command: ["uvicorn", "open_webui.main:app", "--host", "0.0.0.0", "--port", String(UI_PORT), "--forwarded-allow-ips", "*"],
    env: [
      ...backendEnv(backend),
      ...authEnv(ui),
      { name: "WEBUI_SECRET_KEY", valueFrom: { secretKeyRef: { name: names.secretKey, key: SECRET_KEY_KEY } } },
      { name: "DATA_DIR", value: DATA_DIR },
      // settings come from this pod spec on every start, not from what the database kept (config.py:3352)
      { name: "ENABLE_PERSISTENT_CONFIG", value: "False" },
      // nothing pulls a hub or checks for updates at run time (env.py:1225: HF_HUB_OFFLINE=1, no version check)
      { name: "OFFLINE_MODE", value: "True" },
      { name: "HOME", value: "/tmp" },
      // config.py copies the frontend's static assets here at start; the image's own copy is root's
      { name: "STATIC_DIR", value: "/tmp/static" },
    ],
    ports: [{ name: "http", containerPort: UI_PORT, protocol: "TCP" }],
    // the first start creates the database and runs its migrations: up to 5 minutes
    startupProbe: { ...health, periodSeconds: 5, failureThreshold: 60 },
    readinessProbe: { ...health, periodSeconds: 10 },
    livenessProbe: { ...health, periodSeconds: 20, failureThreshold: 3 },
    // a Python web server: chats stream from vLLM, nothing is computed here. Memory: open_webui
    // 0.12.4 from PyPI (Python 3.11) held 1.2 GiB RSS after start and one chat (README "Chat UI")
    resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: "data", mountPath: DATA_DIR },
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
}

export function renderChatUiDeployment(ui: ChatUiConfig, contract: PlatformContract, backend: ChatUiBackend) {
  const names = chatUiNames(ui.name);
  const meta = chatUiMetadata(ui, contract, names.workload);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      // one writer of the SQLite database on a ReadWriteOnce volume: the old pod goes before the new one mounts it
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: chatUiSelector(ui) },
      template: {
        // GATEWAY_LABEL: a cluster-internal vLLM service admits labelled in-cluster callers (serving/network.ts)
        metadata: { labels: { ...meta.labels, ...GATEWAY_LABEL } },
        spec: {
          securityContext: podSecurityContext({ uid: UI_UID }),
          automountServiceAccountToken: false,
          containers: [container(ui, backend)],
          volumes: [
            { name: "data", persistentVolumeClaim: { claimName: names.data } },
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
          ],
        },
      },
    },
  };
}

export function renderChatUiService(ui: ChatUiConfig, contract: PlatformContract) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: chatUiMetadata(ui, contract, chatUiNames(ui.name).workload),
    spec: { type: "ClusterIP", selector: chatUiSelector(ui), ports: [{ name: "http", port: UI_PORT, targetPort: "http", protocol: "TCP" }] },
  };
}

export function renderChatUiVolumeClaim(ui: ChatUiConfig, contract: PlatformContract) {
  const storageClass = ui.storage.storageClass === undefined ? {} : { storageClassName: ui.storage.storageClass };
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    // a WaitForFirstConsumer class (kind's, EKS gp3) binds the claim only once the pod is scheduled:
    // Pulumi must not wait for Bound before it creates the Deployment
    metadata: { ...chatUiMetadata(ui, contract, chatUiNames(ui.name).data), annotations: { "pulumi.com/skipAwait": "true" } },
    spec: { accessModes: ["ReadWriteOnce"], ...storageClass, resources: { requests: { storage: `${ui.storage.sizeGiB}Gi` } } },
  };
}

/** Metadata of the generated WEBUI_SECRET_KEY Secret (its data is a Pulumi secret, set by the component). */
export function renderSecretKeyMetadata(ui: ChatUiConfig, contract: PlatformContract) {
  return chatUiMetadata(ui, contract, chatUiNames(ui.name).secretKey);
}

/**
 * Ingress only from this UI's own Envoy proxies when it is exposed (the login is at the gateway:
 * a pod reaching port 8080 directly would pass it), and from nothing with auth none (a
 * port-forward enters through the pod's own network namespace, which no NetworkPolicy filters).
 * Egress stays open: the UI calls the service, whose Service IP the policy would have to know.
 */
export function renderChatUiNetworkPolicy(ui: ChatUiConfig, contract: PlatformContract) {
  const ingress =
    ui.exposure === undefined
      ? []
      : [
          {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ENVOY_PROXY_NAMESPACE } }, podSelector: { matchLabels: gatewayProxyLabels(ui.name, contract.namespace) } }],
            ports: [{ protocol: "TCP", port: UI_PORT }],
          },
        ];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: chatUiMetadata(ui, contract, chatUiNames(ui.name).workload),
    spec: { podSelector: { matchLabels: chatUiSelector(ui) }, policyTypes: ["Ingress"], ingress },
  };
}
