import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "out/**"],
    // Pulumi mocks are process-global state: each test file gets its own fork.
    pool: "forks",
    // Vitest's default is cores − 1 (one worker on 2 cores); the store-script tests partly wait on
    // child processes (bash, the AWS CLI, poll sleeps), so at least 4 forks keep 2 cores busy.
    maxWorkers: Math.max(4, availableParallelism() - 1),
    testTimeout: 30_000,
    reporters: ["default"],
  },
});
