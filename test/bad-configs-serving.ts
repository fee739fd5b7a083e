/** Bad serving configs (see bad-configs.ts): each a shipped stack with one thing changed. */
import { type BadCase } from "./stack-edits.ts";

export const SERVING_CASES: BadCase[] = [];
