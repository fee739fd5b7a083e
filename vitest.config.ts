import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "out/**", "e2e/**", ".cache/**"],
    // Pulumi mocks are process-global state: each test file gets its own fork.
    pool: "forks",
    // One fork per core: more forks than cores made process-heavy tests (the store scripts, the
    // render CLI) miss their budgets on a 2-core machine under load.
    maxWorkers: availableParallelism(),
    // Budgets, not assertions: a slow machine must make a test slow, never red. A hung test still
    // fails, after 5 minutes.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});
