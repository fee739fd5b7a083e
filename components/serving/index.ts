/**
 * Public entry point of the serving area (`llmkit/serving`): the components, their args and the
 * input schema a service is validated against.
 */
export { VllmService, type VllmServiceArgs } from "./vllm-service.ts";
export { CustomService, type CustomServiceArgs } from "./custom.ts";
export type { AdapterRef } from "./defaults.ts";
export { servingSchema, type ServingConfig } from "./inputs.ts";
export { modelSchema, type ModelConfig } from "../lib/inputs.ts";
