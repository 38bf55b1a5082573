import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const dbClient = {
  group: ["@/lib/db/client", "@/lib/db/client.ts", "**/lib/db/client", "@/generated/prisma/client", "**/generated/prisma/client*"],
  message: "Only the data layer (lib/**/queries.ts, lib/**/mutations.ts, lib/access/, lib/db/) may use the database client (design.md rule 1).",
  // Types never reach the database.
  allowTypeImports: true,
};

/**
 * The visibility rule's parts, the access-log writer and the gateway's sessions are private to
 * lib/access (design.md rule 3, ADR 0015): everything else reads patient data through
 * @/lib/access/gateway (its emergency branch: @/lib/access/emergency), and finds every way of
 * reading in @/lib/access/reads.
 */
const ruleParts = {
  group: ["@/lib/access/*", "!@/lib/access/gateway", "!@/lib/access/emergency", "!@/lib/access/reads", "!@/lib/access/roles", "**/lib/access/rule*", "**/lib/access/log*", "**/lib/access/session*", "**/lib/access/oracle*"],
  message: "Only lib/access may use the rule's parts, the access-log writer and the oracle: read patient data through @/lib/access/gateway (design.md rule 3).",
};
/** Tests compare the gateway with the rule's pure form, the oracle; nothing else of lib/access's insides. */
const rulePartsForTests = {
  group: ["@/lib/access/*", "!@/lib/access/gateway", "!@/lib/access/emergency", "!@/lib/access/reads", "!@/lib/access/roles", "!@/lib/access/oracle", "**/lib/access/rule*", "**/lib/access/log*", "**/lib/access/session*"],
  message: ruleParts.message,
};

/** SQL or Prisma filters that restate the rule: its functions, the consent periods, Prisma's consent relation. */
const RULE_WORDS = "chiikilink_(patient_access|visible_patients|viewing_links|sharing_links|consented_links|content_visible|administrable_patients|reads_records|registers_patients|covers)|link_consent_periods";
const noRuleRestated = [
  "error",
  { selector: `Literal[value=/${RULE_WORDS}/]`, message: "The visibility rule lives in lib/access alone: read through @/lib/access/gateway (design.md rule 3)." },
  { selector: `TemplateElement[value.raw=/${RULE_WORDS}/]`, message: "The visibility rule lives in lib/access alone: read through @/lib/access/gateway (design.md rule 3)." },
  { selector: "Property[key.name='consentPeriods']", message: "Whether consent is in force is the rule's part: ask @/lib/access/gateway (design.md rule 3)." },
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "generated/**", "node_modules/**", ".data/**", ".test-data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "tests/lint/fixtures/**"]),
  {
    rules: {
      "no-restricted-imports": ["error", { patterns: [dbClient, ruleParts] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The application outside the gateway never restates the rule.
    files: ["lib/**", "app/**", "components/**", "proxy.ts", "server.ts"],
    ignores: ["lib/access/**"],
    rules: { "no-restricted-syntax": noRuleRestated },
  },
  {
    // Routes and components get enum values from lib/enums.ts, nothing at all from the generated client.
    files: ["app/**", "components/**", "proxy.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [dbClient, ruleParts, { group: ["@/generated/**", "**/generated/prisma/**"], message: "Import enum values from @/lib/enums." }] },
      ],
    },
  },
  {
    // The data layer, and the tooling that sets up data (seed, factories, scripts).
    files: ["lib/**/queries.ts", "lib/**/mutations.ts", "lib/db/**", "prisma/**", "scripts/**", "server.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [ruleParts] }] },
  },
  {
    files: ["tests/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [rulePartsForTests] }] },
  },
  {
    // The gateway itself.
    files: ["lib/access/**"],
    rules: { "no-restricted-imports": "off" },
  },
]);
