import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  {
    ignores: ["node_modules/**", "build/**", "public/build/**", ".data/**", "test-artifacts/**", "bench/out/**", "tmp/**", "**/*.d.ts", ".cache/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/*.server", "**/*.server.ts"], message: "Components and the domain never import server modules." }] },
      ],
    },
  },
  {
    // Only components and the pure domain are barred from server modules.
    files: ["app/routes/**", "app/services/**", "app/models/**", "app/jobs/**", "app/shopify/**", "app/*.ts", "app/*.tsx", "tests/**", "scripts/**", "bench/**", "prisma/**", "*.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", fetch: "readonly" } },
  },
);
