/**
 * Public entry point of the chat UI (`llmkit/chat-ui`): the component, its args and the input
 * schema it is validated against.
 */
export { ChatUi, type ChatUiArgs } from "./chat-ui.ts";
export { chatUiSchema, type ChatUiConfig } from "./inputs.ts";
export type { ChatUiBackend } from "./render.ts";
