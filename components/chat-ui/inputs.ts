/**
 * The chat UI's input: one Open WebUI in front of one vLLM service, reached in the browser through
 * the gateway behind OIDC (or, on a local cluster only, through a port-forward without login).
 * Exported for users' own programs; the kit's stack schema composes it as llmkit:chatUi.
 */
import { z } from "zod";
import { positiveInt, resourceName } from "../lib/inputs.ts";

const https = (what: string) => z.url({ protocol: /^https$/, error: `must be an https:// URL of ${what}` });
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Envoy Gateway reads the client secret from the key `client-secret` of an Opaque Secret
 * (SecurityPolicy CRD v1.9.0, `oidc.clientSecret`): only the Secret's name is configurable, and
 * the secret itself never appears in a stack file.
 */
const clientSecretRef = z.strictObject(
  {
    secretName: resourceName.describe("Opaque Secret in the workloads namespace holding the client secret under the key client-secret"),
  },
  { error: "must be {secretName: <Secret>}: put the client secret in a Secret under the key client-secret, never in the stack file" },
);

const oidcAuth = z.strictObject({
  type: z.literal("oidc"),
  // OIDC Discovery 1.0 §3: the issuer is an https URL; Envoy Gateway discovers the endpoints from it
  issuer: https("the OIDC issuer (its /.well-known/openid-configuration is read by the gateway)").describe("OIDC issuer; must equal the ID tokens' iss claim"),
  clientId: z.string().min(1).describe("the OIDC client registered for this UI; the ID tokens' aud"),
  clientSecret: clientSecretRef.describe("the OIDC client's secret, by Secret name only"),
  jwksUri: https("the issuer's JWKS (jwks_uri of its discovery document)").describe("the issuer's jwks_uri: the gateway verifies the ID token with it before passing the user's email on"),
  redirectURL: z
    .url({ protocol: /^https?$/, error: "must be an http(s):// URL ending in /oauth2/callback on the UI's hostname" })
    .optional()
    .describe("default https://<exposure.hostname>/oauth2/callback (http without tls); register it at the issuer"),
  allowedEmails: z
    .array(z.string().regex(EMAIL, "must be an email address such as ana@example.com"))
    .min(1)
    .optional()
    .describe("admit only these users (the ID token's email claim); every user the issuer authenticates when absent"),
});

const authSchema = z.discriminatedUnion("type", [oidcAuth, z.strictObject({ type: z.literal("none") })], {
  error: 'must be {type: oidc, issuer, clientId, clientSecret, jwksUri} or, on env local only, {type: none}',
});

const chatUiFields = z.strictObject({
  name: resourceName.default("chat-ui").describe("Deployment, Service and PVC name"),
  service: resourceName.describe("the llmkit:serving service (runtime vllm) whose models the UI lists"),
  auth: authSchema.describe("oidc: login at the gateway; none: no login at all (env local only, reached with kubectl port-forward)"),
  exposure: z
    .strictObject({
      hostname: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, "must be a DNS name such as chat.example.com")
        .describe("the listener's and route's hostname"),
      tls: z
        .strictObject({ secretName: resourceName.describe("kubernetes.io/tls Secret in the workloads namespace") })
        .optional()
        .describe("HTTPS listener terminating TLS with this certificate; required outside env local"),
    })
    .optional()
    .describe("the gateway listener the UI is reached on; required with auth oidc, refused with auth none"),
  storage: z
    .strictObject({
      sizeGiB: positiveInt.default(2).describe("PersistentVolumeClaim for Open WebUI's DATA_DIR (users, chats, its SQLite database)"),
      storageClass: resourceName.optional().describe("the cluster's default StorageClass when absent"),
    })
    .prefault({})
    .describe("where Open WebUI keeps its database, uploads and caches"),
});

export const chatUiSchema = chatUiFields.superRefine((ui, ctx) => {
  const add = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if (ui.auth.type === "oidc" && ui.exposure === undefined) {
    add(["exposure"], "is required with auth oidc: the login happens at the gateway; set exposure.hostname (and tls)");
  }
  // no public listener without a login in front of it, ever
  if (ui.auth.type === "none" && ui.exposure !== undefined) {
    add(["exposure"], "is refused with auth none: anyone reaching the gateway would chat without logging in; remove exposure (use kubectl port-forward) or use auth oidc");
  }
  if (ui.auth.type === "oidc" && ui.auth.redirectURL !== undefined && ui.exposure !== undefined) {
    const url = new URL(ui.auth.redirectURL);
    if (url.hostname !== ui.exposure.hostname) {
      add(["auth", "redirectURL"], `is on "${url.hostname}" but the UI is exposed on "${ui.exposure.hostname}": the gateway only sees the callback on its own hostname`);
    }
  }
});

export type ChatUiConfig = z.output<typeof chatUiSchema>;
