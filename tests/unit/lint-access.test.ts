/**
 * The lint rule that keeps the visibility rule in lib/access (eslint.config.mjs, ADR 0015): the
 * fixtures in tests/lint/fixtures, linted as if they lived where the comment says, must be
 * refused — and the gateway's own way must pass.
 */
import fs from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const FIXTURES = path.resolve("tests/lint/fixtures");
let eslint: ESLint;

beforeAll(async () => {
  // `ignore: false`: the fixtures folder is ignored by `npm run lint` (they are meant to fail)
  eslint = new ESLint({ cwd: process.cwd(), ignore: false });
  // the first lint loads the configuration and its plugins (seconds on a busy machine)
  await eslint.lintText("export {};\n", { filePath: path.resolve("lib/warm-up.ts") });
}, 60_000);

async function lintAs(fixture: string, asPath: string) {
  const [result] = await eslint.lintText(fs.readFileSync(path.join(FIXTURES, fixture), "utf8"), { filePath: path.resolve(asPath) });
  return result!.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

describe("only lib/access may hold the rule's parts", () => {
  it.each([
    ["imports-rule-part.ts", "lib/patients/queries.ts"],
    ["imports-rule-part.ts", "lib/notes/mutations.ts"],
    ["imports-rule-part.ts", "app/(portal)/patients/page.tsx"],
    ["imports-rule-part.ts", "scripts/bench/some-bench.mts"],
    ["imports-rule-part.ts", "tests/integration/some.test.ts"],
    ["imports-oracle.ts", "lib/patients/queries.ts"],
    ["imports-oracle.ts", "components/patients/list.tsx"],
  ])("%s is refused as %s", async (fixture, asPath) => {
    const messages = await lintAs(fixture, asPath);
    expect(messages.filter((m) => m.rule === "no-restricted-imports").length, JSON.stringify(messages)).toBeGreaterThan(0);
    expect(messages.some((m) => m.message.includes("@/lib/access/gateway"))).toBe(true);
  });

  it("SQL naming the rule's functions or the consent periods, and Prisma's consent filter, are refused outside lib/access", async () => {
    const messages = await lintAs("restates-rule.ts", "lib/patients/queries.ts");
    expect(messages.filter((m) => m.rule === "no-restricted-syntax")).toHaveLength(3);
  });

  it("the same is allowed inside lib/access, and the oracle in tests", async () => {
    expect(await lintAs("imports-rule-part.ts", "lib/access/gateway.ts")).toEqual([]);
    expect(await lintAs("restates-rule.ts", "lib/access/rule.ts")).toEqual([]);
    expect(await lintAs("imports-oracle.ts", "tests/integration/some.test.ts")).toEqual([]);
  });

  it("reading through the gateway passes everywhere", async () => {
    for (const asPath of ["lib/patients/queries.ts", "app/(portal)/patients/page.tsx", "components/patients/list.tsx"]) {
      expect(await lintAs("reads-through-gateway.ts", asPath)).toEqual([]);
    }
  });
});
