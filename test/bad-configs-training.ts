/** Bad training configs (see bad-configs.ts): each a shipped stack with one thing changed. */
import { type BadCase } from "./stack-edits.ts";

export const TRAINING_CASES: BadCase[] = [];
