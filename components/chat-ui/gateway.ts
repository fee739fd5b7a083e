/**
 * The chat UI's public side (pure, stable key order): a Gateway of llmkit's Envoy Gateway class,
 * an HTTPRoute sending every path to Open WebUI, and the SecurityPolicy that logs the user in
 * (OIDC authorization-code flow at the gateway) and passes the verified email on. Every field is
 * checked against the CRDs Envoy Gateway v1.9.0 ships (gateway.test.ts, CI only).
 */
import type { PlatformContract } from "../platform/contract.ts";
import { ENVOY_GATEWAY_GROUP, GATEWAY_GROUP, listenerName, renderListenerGateway } from "../lib/gateway.ts";
import type { ChatUiConfig } from "./inputs.ts";
import { UI_PORT, USER_EMAIL_HEADER, chatUiMetadata, chatUiNames } from "./render.ts";

type Exposure = NonNullable<ChatUiConfig["exposure"]>;
type Oidc = Extract<ChatUiConfig["auth"], { type: "oidc" }>;

/**
 * Header the OIDC filter forwards the user's ID token in (SecurityPolicy `oidc.forwardIDToken`:
 * "for any other header [than Authorization], EG forwards the raw token value"), for the jwt
 * provider below to verify and read the email from.
 */
export const ID_TOKEN_HEADER = "x-llmkit-id-token";
/** JWT provider name (referenced by the allowed-emails rule). */
export const ID_TOKEN_PROVIDER = "oidc-id-token";
/** Envoy's own sign-out path; the default "/logout" could shadow a UI route. */
export const LOGOUT_PATH = "/oauth2/logout";

export function renderChatUiGateway(ui: ChatUiConfig, contract: PlatformContract, exposure: Exposure) {
  return renderListenerGateway(`chatUi "${ui.name}"`, chatUiMetadata(ui, contract, ui.name), contract.addons.gatewayClassName, exposure);
}

export function renderChatUiRoute(ui: ChatUiConfig, contract: PlatformContract, exposure: Exposure) {
  return {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: "HTTPRoute",
    metadata: chatUiMetadata(ui, contract, ui.name),
    spec: {
      parentRefs: [{ name: ui.name, sectionName: listenerName(exposure) }],
      hostnames: [exposure.hostname],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: chatUiNames(ui.name).workload, port: UI_PORT }] }],
    },
  };
}

/** Where the issuer sends the browser back: Envoy's callback on the UI's own hostname (CRD default path). */
export function redirectUrl(auth: Oidc, exposure: Exposure): string {
  return auth.redirectURL ?? `${exposure.tls === undefined ? "http" : "https"}://${exposure.hostname}/oauth2/callback`;
}

/**
 * oidc: Envoy's oauth2 filter runs the login and keeps the tokens in encrypted cookies; it
 * forwards the ID token upstream in ID_TOKEN_HEADER. jwt: jwt_authn then verifies that token
 * (issuer, audience = the client id, signature against the JWKS) and copies its `email` claim
 * into USER_EMAIL_HEADER, which Open WebUI trusts (WEBUI_AUTH_TRUSTED_EMAIL_HEADER). Envoy
 * Gateway orders the filters oauth2 (6) < jwt_authn (7) < RBAC (301) (envoyproxy/gateway
 * internal/xds/translator/httpfilters.go, newOrderedHTTPFilter), so the email header is always
 * the verified one. `allowedEmails` becomes an authorization rule on that claim.
 */
export function renderChatUiSecurityPolicy(ui: ChatUiConfig, contract: PlatformContract, auth: Oidc, exposure: Exposure) {
  const provider = {
    name: ID_TOKEN_PROVIDER,
    issuer: auth.issuer,
    audiences: [auth.clientId],
    remoteJWKS: { uri: auth.jwksUri },
    extractFrom: { headers: [{ name: ID_TOKEN_HEADER }] },
    claimToHeaders: [{ header: USER_EMAIL_HEADER, claim: "email" }],
  };
  const authorization =
    auth.allowedEmails === undefined
      ? {}
      : {
          authorization: {
            defaultAction: "Deny",
            rules: [
              {
                name: "allowed-emails",
                action: "Allow",
                principal: { jwt: { provider: ID_TOKEN_PROVIDER, claims: [{ name: "email", valueType: "String", values: [...auth.allowedEmails] }] } },
              },
            ],
          },
        };
  return {
    apiVersion: `${ENVOY_GATEWAY_GROUP}/v1alpha1`,
    kind: "SecurityPolicy",
    metadata: chatUiMetadata(ui, contract, ui.name),
    spec: {
      targetRefs: [{ group: GATEWAY_GROUP, kind: "HTTPRoute", name: ui.name }],
      oidc: {
        provider: { issuer: auth.issuer },
        clientID: auth.clientId,
        clientSecret: { group: "", kind: "Secret", name: auth.clientSecret.secretName },
        scopes: ["openid", "email", "profile"],
        redirectURL: redirectUrl(auth, exposure),
        logoutPath: LOGOUT_PATH,
        forwardIDToken: { header: ID_TOKEN_HEADER },
      },
      jwt: { providers: [provider] },
      ...authorization,
    },
  };
}

/** The gateway objects, in creation order; none without exposure (auth none on env local). */
export function renderChatUiExposure(ui: ChatUiConfig, contract: PlatformContract) {
  const exposure = ui.exposure;
  if (exposure === undefined || ui.auth.type !== "oidc") return [];
  return [
    { role: "gateway", object: renderChatUiGateway(ui, contract, exposure) },
    { role: "route", object: renderChatUiRoute(ui, contract, exposure) },
    { role: "security-policy", object: renderChatUiSecurityPolicy(ui, contract, ui.auth, exposure) },
  ];
}
