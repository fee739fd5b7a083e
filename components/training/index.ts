/**
 * Public entry point of the training area (`llmkit/training`): the components, their args and
 * the input schemas a fine-tune and a hub dataset are validated against.
 */
export { FineTune, type FineTuneArgs, planFineTune } from "./fine-tune.ts";
export { ModelMirror, type ModelMirrorArgs } from "./mirror.ts";
export { fineTuneSchema, hubDatasetSchema, type FineTuneConfig, type FineTuneInput, type HubDatasetConfig } from "./inputs.ts";
export { modelSchema, type ModelConfig } from "../lib/inputs.ts";
