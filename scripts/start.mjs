// `npm start`: builds the app when there is no build yet (or it is older than the sources),
// then starts server.ts in production mode: embedded PostgreSQL, migrations, demo seed, HTTPS.
import { spawnSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const buildId = ".next/BUILD_ID";
const newestSource = (dir) => {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
};
const sourcesChanged = () =>
  ["app", "components", "lib", "prisma"].some((d) => fs.existsSync(d) && newestSource(d) > fs.statSync(buildId).mtimeMs);

const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
if (process.env.SKIP_BUILD !== "1" && (!fs.existsSync(buildId) || sourcesChanged())) {
  console.log("[chiikilink] building the app (next build)…");
  const r = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const child = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "server.ts"], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
