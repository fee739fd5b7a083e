/**
 * Public entry point of the stack configuration (`llmkit/config`): the composed stack schema and
 * its types, and the loader that reads and checks a stack file.
 */
export { stackConfigSchema, releaseSchema, CONFIG_KEYS, type StackConfig, type StackConfigInput, type ReleaseConfig } from "./schema.ts";
export { ConfigError, loadStackFile, parseStackConfig, readStackFile, stackFilePath, STACKS_DIR, type LoadedStack } from "./load.ts";
