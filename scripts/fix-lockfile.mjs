// Run after any change to package-lock.json made on a machine whose registry mirror lacks some
// platform-specific optional packages (e.g. @next/swc-win32-*): `npm install` leaves them out of
// the lock, and `npm ci` then fails with "Missing: … from lock file". Adding them back as
// optional placeholder entries is what a lock made against the public registry would hold.
import fs from "node:fs";

const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const pkgs = lock.packages;
let added = 0;
for (const [where, meta] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${where ? `${where}/` : ""}node_modules/${name}`;
    if (pkgs[nested] || pkgs[`node_modules/${name}`]) continue;
    pkgs[`node_modules/${name}`] = { version: String(range).replace(/^[\^~=]/, ""), optional: true };
    added++;
  }
}
fs.writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`fix-lockfile: added ${added} optional placeholder entries`);
