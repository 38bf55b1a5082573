// `npm run test:e2e`: fresh data folders, a production build, then Playwright (which starts the
// servers itself; see playwright.config.ts). Extra arguments go to Playwright.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
fs.rmSync(".test-data", { recursive: true, force: true });
if (process.env.SKIP_BUILD !== "1") {
  const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit", env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, ["node_modules/@playwright/test/cli.js", "test", ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(run.status ?? 1);
