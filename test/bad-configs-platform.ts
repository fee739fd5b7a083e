/** Bad platform configs (see bad-configs.ts): each a shipped stack with one thing changed. */
import { type BadCase } from "./stack-edits.ts";

export const PLATFORM_CASES: BadCase[] = [];
