/** Bad llmkit:chatUi blocks (see bad-configs.ts): each a shipped stack with one thing changed. */
import { change, localWithChatUi, platformDev, workloadsDev, type BadCase } from "./stack-edits.ts";

const RERANKER = {
  name: "reranker",
  runtime: { type: "custom", image: "ghcr.io/acme/reranker:1.4.2", port: 8080, healthPath: "/healthz", apiKeyEnv: "RERANKER_API_KEY" },
  replicas: { min: 1, max: 1 },
  pool: "serving-l4",
  gpus: 1,
  resources: { cpu: 4, memoryGiB: 16 },
};

export const CHAT_UI_CASES: BadCase[] = [
  ["chat UI for an unknown service", change(localWithChatUi(), (r) => (r.chatUi.service = "chatbot")), [
    'llmkit:chatUi.service: unknown service "chatbot": use one of llmkit:serving (chat)',
  ]],
  ["chat UI for a custom runtime", change(workloadsDev(), (r) => (r.serving.push(RERANKER), (r.chatUi.service = "reranker"))), [
    "llmkit:chatUi.service: \"reranker\" is a custom runtime: the UI lists models from vLLM's OpenAI API (/v1/models) and chats through /v1/chat/completions; name a runtime vllm service",
  ]],
  ["chat UI without login outside local", change(workloadsDev(), (r) => ((r.chatUi.auth = { type: "none" }), delete r.chatUi.exposure)), [
    'llmkit:chatUi.auth: is "none" but env is "dev": only a local cluster may run the UI without a login; use type: oidc with issuer, clientId, clientSecret and jwksUri, behind an exposure',
  ]],
  ["chat UI without login on a gateway listener", change(localWithChatUi(), (r) => (r.chatUi.exposure = { hostname: "chat-ui.localtest.me" })), [
    'llmkit:chatUi.exposure: is refused with auth none: anyone reaching the gateway would chat without logging in; remove exposure (use kubectl port-forward) or use auth oidc',
  ]],
  ["chat UI with OIDC but no exposure", change(workloadsDev(), (r) => delete r.chatUi.exposure), [
    'llmkit:chatUi.exposure: is required with auth oidc: the login happens at the gateway; set exposure.hostname (and tls)',
  ]],
  ["chat UI OIDC client secret as a plain value", change(workloadsDev(), (r) => (r.chatUi.auth.clientSecret = "s3cr3t-value")), [
    'llmkit:chatUi.auth.clientSecret: must be {secretName: <Secret>}: put the client secret in a Secret under the key client-secret, never in the stack file',
  ]],
  ["chat UI OIDC client secret under another key", change(workloadsDev(), (r) => (r.chatUi.auth.clientSecret = { secretName: "chat-ui-oidc", key: "secret" })), [
    'llmkit:chatUi.auth.clientSecret: must be {secretName: <Secret>}: put the client secret in a Secret under the key client-secret, never in the stack file',
  ]],
  ["chat UI issuer over plain http", change(workloadsDev(), (r) => (r.chatUi.auth.issuer = "http://login.example.com/")), [
    'llmkit:chatUi.auth.issuer: must be an https:// URL of the OIDC issuer (its /.well-known/openid-configuration is read by the gateway)',
  ]],
  ["chat UI JWKS URI not a URL", change(workloadsDev(), (r) => (r.chatUi.auth.jwksUri = "login.example.com/jwks")), [
    "llmkit:chatUi.auth.jwksUri: must be an https:// URL of the issuer's JWKS (jwks_uri of its discovery document)",
  ]],
  ["chat UI without TLS outside local", change(workloadsDev(), (r) => delete r.chatUi.exposure.tls), [
    'llmkit:chatUi.exposure.tls: is required in env "dev": the session cookies and the OIDC code must not cross the network in clear text; set tls.secretName',
  ]],
  ["chat UI callback on another host", change(workloadsDev(), (r) => (r.chatUi.auth.redirectURL = "https://chat.dev.llmkit.example.com/oauth2/callback")), [
    'llmkit:chatUi.auth.redirectURL: is on "chat.dev.llmkit.example.com" but the UI is exposed on "chat-ui.dev.llmkit.example.com": the gateway only sees the callback on its own hostname',
  ]],
  ["chat UI allowed emails that are not emails", change(workloadsDev(), (r) => (r.chatUi.auth.allowedEmails = ["ana@example.com", "bo"])), [
    'llmkit:chatUi.auth.allowedEmails[1]: must be an email address such as ana@example.com',
  ]],
  ["chat UI named like a service", change(localWithChatUi(), (r) => (r.chatUi.name = "chat")), [
    'llmkit:chatUi.name: "chat" is also a serving or fine-tune name: object names would collide, rename the UI',
  ]],
  ["chat UI with an unknown auth type", change(localWithChatUi(), (r) => (r.chatUi.auth = { type: "basic" })), [
    'llmkit:chatUi.auth.type: must be {type: oidc, issuer, clientId, clientSecret, jwksUri} or, on env local only, {type: none}',
  ]],
  ["chat UI on a platform stack", change(platformDev(), (r) => (r.chatUi = { service: "chat", auth: { type: "none" } })), [
    'llmkit:chatUi: belongs to a workloads stack: a layer "platform" stack holds only platform',
  ]],
];
