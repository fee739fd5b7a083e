#!/usr/bin/env node
// The `llmkit` command: registers tsx (a runtime dependency) so the TypeScript CLI in cli/ runs
// as shipped, without a build step, then hands over to cli/llmkit.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/llmkit.ts");
process.exitCode = await main(process.argv.slice(2));
