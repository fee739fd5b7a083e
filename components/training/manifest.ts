/**
 * manifest.json, written under adapters/<name>/<runId>/ just before `_SUCCESS`: what the adapter
 * is and how it was made, so serving and people can trust it without the stack file.
 */
import type { ModelConfig } from "../../stacks/schema.ts";
import type { EffectiveDataset, EffectiveFineTune, EffectiveLora } from "./defaults.ts";

/** Replaced by the publish step with the UTC time the adapter was published (scripts/publish.sh). */
export const CREATED_AT_PLACEHOLDER = "@CREATED_AT@";

export interface AdapterManifest {
  readonly name: string;
  readonly runId: string;
  readonly engine: EffectiveFineTune["engine"];
  readonly engineImage: string;
  readonly baseModel: { readonly name: string; readonly hub: ModelConfig["hub"]; readonly repo: string; readonly revision: string };
  readonly datasets: readonly EffectiveDataset[];
  readonly lora: EffectiveLora;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
}

export function renderManifest(ft: EffectiveFineTune, model: ModelConfig, runId: string, engineImage: string): AdapterManifest {
  return {
    name: ft.name,
    runId,
    engine: ft.engine,
    engineImage,
    baseModel: { name: model.name, hub: model.hub, repo: model.repo, revision: model.revision },
    datasets: ft.datasets,
    lora: ft.lora,
    createdAt: CREATED_AT_PLACEHOLDER,
  };
}
