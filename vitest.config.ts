import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "out/**"],
    // Pulumi mocks are process-global state: each test file gets its own fork.
    pool: "forks",
    // Vitest's default on 2 cores is one worker; the store-script tests partly wait on child
    // processes (bash, the AWS CLI, poll sleeps), so 4 forks keep both cores busy.
    maxWorkers: 4,
    testTimeout: 30_000,
    reporters: ["default"],
  },
});
