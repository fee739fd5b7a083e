/**
 * From a stack's `models[]` entry to the architecture the estimators use. A model is matched to the
 * catalog by its hub `repo` (case-insensitive). An unknown repo never fails: its parameter count is
 * estimated from `sizeGiB` (bf16 weights: 2 bytes per parameter) and its shape borrowed from the
 * catalog model with the nearest parameter count, and the result carries a warning saying so.
 */
import type { ModelConfig } from "../components/lib/inputs.ts";
import { MODELS, modelByRepo, paramCount, type ModelArchitecture } from "./models.ts";

export interface ResolvedModel {
  readonly arch: ModelArchitecture;
  /** Parameters the estimators use. */
  readonly params: number;
  /** The catalog id, or `null` when estimated from sizeGiB. */
  readonly catalogId: string | null;
  readonly warning?: string;
}

export function resolveModel(model: Pick<ModelConfig, "repo" | "sizeGiB">): ResolvedModel {
  const known = modelByRepo(model.repo);
  if (known !== undefined) return { arch: known, params: paramCount(known), catalogId: known.id };
  const params = (model.sizeGiB * 2 ** 30) / 2;
  const proxy = [...MODELS].sort((a, b) => Math.abs(paramCount(a) - params) - Math.abs(paramCount(b) - params))[0]!;
  return {
    arch: proxy,
    params,
    catalogId: null,
    warning: `model repo "${model.repo}" is not in the planner catalog (planner/models.ts): memory estimated from sizeGiB ${model.sizeGiB} (~${(params / 1e9).toFixed(1)}B parameters) with the shape of ${proxy.id}; add it to the catalog for exact figures`,
  };
}
