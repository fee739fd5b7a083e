/**
 * Smoke prompts: rendered into the run's ConfigMap as /config/smoke-prompts.json (a JSON array of
 * strings) for the publish step to try against the new adapter. Only rendered and validated here.
 */
import type { EffectiveFineTune } from "./defaults.ts";

export const SMOKE_PROMPTS_FILE = "smoke-prompts.json";

export function smokePromptsData(ft: EffectiveFineTune): Record<string, string> {
  return ft.smokePrompts === undefined ? {} : { [SMOKE_PROMPTS_FILE]: `${JSON.stringify(ft.smokePrompts, null, 2)}\n` };
}
