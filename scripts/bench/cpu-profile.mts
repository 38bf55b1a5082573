/**
 * Where a server's CPU goes, from the V8 CPU profiles `node --cpu-prof` writes (one per process:
 * server.ts, or its primary and each worker). Each sample's own frame (self time) is put in a
 * category by its script: rendering (React and Next's page runtime), the app's own code (the build's
 * chunks of app/, components/, lib/), Next's routing and request handling, Prisma, the pg driver,
 * socket writes (the kernel's send, for the database and the client alike), compression, TLS,
 * crypto, buffers and streams (text encoding and decoding, web streams: the RSC payload's way to
 * the HTML), garbage collection, other Node internals. Only the samples inside the given windows
 * count: the profiles' clock and process.hrtime are the same monotonic clock on one machine.
 */
import fs from "node:fs";
import path from "node:path";

type TNode = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
type TProfile = { nodes: TNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

export const CATEGORIES = [
  "React/Next rendering",
  "app code",
  "Next request handling",
  "Prisma",
  "pg driver",
  "socket writes",
  "compression",
  "TLS",
  "crypto",
  "buffers and streams",
  "GC",
  "other Node",
  "other",
] as const;
export type TCategory = (typeof CATEGORIES)[number];

function categoryOf(frame: TNode["callFrame"]): TCategory | "idle" {
  const { functionName: f, url: u } = frame;
  if (f === "(idle)") return "idle";
  if (f === "(garbage collector)") return "GC";
  if (!u) {
    if (/^(writev|writeUtf8String|writeLatin1String|writeBuffer|writeAsciiString|writeUcs2String)$/.test(f)) return "socket writes";
    return "other";
  }
  if (/node_modules\/next\/dist\/compiled\/next-server\/app-(page|route)/.test(u) || /node_modules\/(react|react-dom|scheduler)\//.test(u)) return "React/Next rendering";
  if (/\/\.next\/server\//.test(u)) return "app code";
  if (/node_modules\/next\//.test(u)) return "Next request handling";
  if (/node_modules\/@prisma\//.test(u)) return "Prisma";
  if (/node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-array|postgres-date)\//.test(u)) return "pg driver";
  if (/^node:zlib/.test(u) || /compiled\/compression/.test(u)) return "compression";
  if (/^node:_tls|^node:tls/.test(u)) return "TLS";
  if (/^node:internal\/crypto|^node:crypto/.test(u)) return "crypto";
  if (/^node:(buffer|internal\/buffer|internal\/encoding|internal\/webstreams|internal\/streams|stream)/.test(u)) return "buffers and streams";
  if (/^node:/.test(u)) return "other Node";
  return "other";
}

export type TWindow = { key: string; fromUs: number; toUs: number };
export type TCpuByCategory = { busyMs: number; idleMs: number; byCategory: Map<TCategory, number> };

/** The profiles (*.cpuprofile) in `dir`, each window's CPU by category summed over them (ms). */
export function cpuByCategory(dir: string, windows: TWindow[]): Map<string, TCpuByCategory> {
  const out = new Map<string, TCpuByCategory>(windows.map((w) => [w.key, { busyMs: 0, idleMs: 0, byCategory: new Map() }]));
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")) : [];
  for (const file of files) {
    const p = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as TProfile;
    const cat = new Map<number, TCategory | "idle">(p.nodes.map((n) => [n.id, categoryOf(n.callFrame)]));
    let t = p.startTime;
    for (let i = 0; i < p.samples.length; i++) {
      t += p.timeDeltas[i] ?? 0;
      const w = windows.find((x) => t >= x.fromUs && t < x.toUs);
      if (!w) continue;
      // a sample stands for the time until the next one
      const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
      const c = cat.get(p.samples[i]!) ?? "other";
      const acc = out.get(w.key)!;
      if (c === "idle") acc.idleMs += dt;
      else {
        acc.busyMs += dt;
        acc.byCategory.set(c, (acc.byCategory.get(c) ?? 0) + dt);
      }
    }
  }
  return out;
}

/** Now on the profiles' clock (µs). */
export const nowUs = () => Number(process.hrtime.bigint() / 1000n);
