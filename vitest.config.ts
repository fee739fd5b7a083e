import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "out/**"],
    // Pulumi mocks are process-global state: each test file gets its own fork.
    pool: "forks",
    testTimeout: 30_000,
    reporters: ["default"],
  },
});
