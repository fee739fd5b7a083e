/**
 * What only the platform contract can tell about a chat UI: an exposure needs the platform's
 * Envoy Gateway. Run by the kit's preflight before anything is registered, and by the component.
 */
import type { PlatformContract } from "../platform/contract.ts";
import type { ChatUiConfig } from "./inputs.ts";

export function chatUiProblems(ui: ChatUiConfig, contract: PlatformContract): string[] {
  if (ui.exposure !== undefined && contract.addons.gatewayClassName === null) {
    return ["exposure: the platform runs no Envoy Gateway (platform.addons.envoyGateway is off), so there is no gateway to log in at: switch it on, or on env local remove exposure and use auth none"];
  }
  return [];
}
