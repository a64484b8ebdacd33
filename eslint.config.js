// ESLint for the front end's TypeScript (flat config): @eslint/js and typescript-eslint's
// recommended rules, browser globals. Formatting is Prettier's (`prettier --check`), not ESLint's.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "frontend/static/frontend/build/",
      "node_modules/",
      "frontend/ts/.vitest/",
      ".venv/",
      "var/",
      "test-results/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["frontend/ts/**/*.ts", "*.config.ts", "*.config.js"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // `_name` marks a parameter kept for its position in a callback's signature.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["frontend/static/frontend/*.js"],
    languageOptions: { sourceType: "script", globals: globals.browser },
  },
);
