// Flat config: typescript-eslint's recommended type-aware rules plus a few that catch real bugs
// in Pulumi programs (floating promises lose errors; unused values hide dead code).
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "out/", "coverage/", ".pulumi/", ".scratch/", ".cache/"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "no-console": "off",
    },
  },
  // Tests build broken configs on purpose; typing every mutation would only add noise.
  { files: ["test/**/*.ts", "**/*.test.ts"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  { files: ["eslint.config.js", "bin/*.js"], ...tseslint.configs.disableTypeChecked },
  // CommonJS entry points the Pulumi engine `require`s (policies/policy-pack.cjs): outside the TS project
  {
    files: ["**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, "@typescript-eslint/no-require-imports": "off" },
  },
);
