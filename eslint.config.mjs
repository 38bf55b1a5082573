import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const dbClient = {
  patterns: [
    {
      group: ["@/lib/db/client", "@/lib/db/client.ts", "**/lib/db/client", "@/generated/prisma/client", "**/generated/prisma/client*"],
      message: "Only the data layer (lib/**/queries.ts, lib/**/mutations.ts, lib/db/) may use the database client (design.md rule 1).",
      // Types (the visibility rule's `where` builders are typed by Prisma) never reach the database.
      allowTypeImports: true,
    },
  ],
};

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "generated/**", "node_modules/**", ".data/**", ".test-data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
  {
    rules: {
      "no-restricted-imports": ["error", dbClient],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Routes and components get enum values from lib/enums.ts, nothing at all from the generated client.
    files: ["app/**", "components/**", "proxy.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [...dbClient.patterns, { group: ["@/generated/**", "**/generated/prisma/**"], message: "Import enum values from @/lib/enums." }] },
      ],
    },
  },
  {
    // The data layer, and the tooling that sets up data (seed, factories, tests, scripts).
    files: ["lib/**/queries.ts", "lib/**/mutations.ts", "lib/db/**", "prisma/**", "tests/**", "scripts/**", "server.ts"],
    rules: { "no-restricted-imports": "off" },
  },
]);
