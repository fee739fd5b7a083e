/**
 * Cross-field rules of llmkit:chatUi that read the serving list or the environment: the UI's
 * service must be a vLLM service of this stack, and only env local may skip the login.
 */
import type { Problem } from "./rules.ts";
import type { ParsedStackConfig } from "./schema.ts";

export function chatUiRuleProblems(cfg: ParsedStackConfig): Problem[] {
  const ui = cfg.chatUi;
  if (ui === undefined) return [];
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path: ["chatUi", ...path], message });
  if (cfg.layer === "platform") {
    add([], 'belongs to a workloads stack: a layer "platform" stack holds only platform');
    return problems;
  }
  const service = cfg.serving.find((s) => s.name === ui.service);
  if (service === undefined) {
    add(["service"], `unknown service "${ui.service}": use one of llmkit:serving (${cfg.serving.map((s) => s.name).join(", ") || "none defined"})`);
  } else if (service.runtime !== "vllm") {
    add(["service"], `"${ui.service}" is a custom runtime: the UI lists models from vLLM's OpenAI API (/v1/models) and chats through /v1/chat/completions; name a runtime vllm service`);
  }
  // its objects are named like the UI: a service or fine-tune of the same name would collide
  if (cfg.serving.some((s) => s.name === ui.name) || cfg.fineTunes.some((f) => f.name === ui.name)) {
    add(["name"], `"${ui.name}" is also a serving or fine-tune name: object names would collide, rename the UI`);
  }
  if (ui.auth.type === "none" && cfg.env !== "local") {
    add(["auth"], `is "none" but env is "${cfg.env}": only a local cluster may run the UI without a login; use type: oidc with issuer, clientId, clientSecret and jwksUri, behind an exposure`);
  }
  if (ui.auth.type === "oidc" && cfg.env !== "local" && ui.exposure !== undefined && ui.exposure.tls === undefined) {
    add(["exposure", "tls"], `is required in env "${cfg.env}": the session cookies and the OIDC code must not cross the network in clear text; set tls.secretName`);
  }
  return problems;
}
