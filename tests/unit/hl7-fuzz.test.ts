import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
import { CONTENT_CATEGORIES, IngestError } from "@/lib/clinical/ingest/types";

const ROOT = path.resolve(import.meta.dirname, "../fixtures/ssmix2/sampleData");
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : [path.join(dir, n)]));
const SEEDS = walk(ROOT)
  .map((f) => ({ name: path.relative(ROOT, f), bytes: new Uint8Array(readFileSync(f)) }))
  .sort((a, b) => a.name.localeCompare(b.name));

/** mulberry32: a small deterministic PRNG */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ITERATIONS = 20_000;
const SEPARATORS = [0x7c, 0x5e, 0x7e, 0x5c, 0x26, 0x0d, 0x0a];
const ESCAPES = [[0x1b, 0x24, 0x42], [0x1b, 0x28, 0x42], [0x1b, 0x28, 0x4a], [0x1b, 0x24, 0x40], [0x1b]];
const SEGMENTS = ["OBX|1|NM|X^Y^JC10||abc|u|||||F", "ZZZ|1", "PID|", "ORC|NW", "RXE||^^|x", "TQ1|1||&&|||x^d|20119999", "OBR|||", "IAM|1||", "PRB|AD||^", "MSH|^~\\&|", "EVN||2011", "\\X\\", "SPM|1|||||||||||||||||2011022"];

function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const b = [...bytes];
  const pos = () => Math.floor(rand() * (b.length + 1));
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const op = Math.floor(rand() * 8);
    if (op === 0 && b.length) b[Math.min(pos(), b.length - 1)] = Math.floor(rand() * 256); // byte flip
    else if (op === 1) b.length = pos(); // truncation
    else if (op === 2) {
      // delete a separator
      const idx = b.map((x, i) => (SEPARATORS.includes(x) ? i : -1)).filter((i) => i >= 0);
      if (idx.length) b.splice(idx[Math.floor(rand() * idx.length)]!, 1);
    } else if (op === 3) b.splice(pos(), 0, SEPARATORS[Math.floor(rand() * SEPARATORS.length)]!); // duplicate / insert a separator
    else if (op === 4) b.splice(pos(), 0, ...ESCAPES[Math.floor(rand() * ESCAPES.length)]!); // insert an ESC sequence
    else if (op === 5) b.splice(pos(), 0, 0x0d, ...Buffer.from(SEGMENTS[Math.floor(rand() * SEGMENTS.length)]!, "latin1")); // random segment
    else if (op === 6 && b.length) b[Math.min(pos(), b.length - 1)] = 0x30 + Math.floor(rand() * 10); // digit change (dates, numbers)
    else if (op === 7 && b.length > 2) {
      // cut out a span
      const at = pos();
      b.splice(at, Math.floor(rand() * 40));
    }
  }
  return Uint8Array.from(b);
}

describe("fuzz: mutated SS-MIX2 files", () => {
  it(`${ITERATIONS} mutations either parse into well-formed drafts or are refused with IngestError`, () => {
    const rand = prng(20261122);
    let parsed = 0;
    let refused = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const seed = SEEDS[Math.floor(rand() * SEEDS.length)]!;
      const bytes = mutate(seed.bytes, rand);
      let result;
      try {
        result = parseSsmix2Message(bytes, seed.name);
      } catch (e) {
        if (!(e instanceof IngestError)) {
          throw new Error(`iteration ${i} (${seed.name}): ${e instanceof Error ? e.stack : String(e)}\n${Buffer.from(bytes).toString("hex")}`);
        }
        expect(e.message.length).toBeGreaterThan(0);
        refused++;
        continue;
      }
      parsed++;
      expect(result.kind).toBe("SSMIX2");
      expect(result.dataType.length).toBeGreaterThan(0);
      for (const c of result.contents) {
        if (!(c.occurredAt instanceof Date) || Number.isNaN(c.occurredAt.getTime())) throw new Error(`iteration ${i}: invalid occurredAt`);
        if (!c.sourceKey || !CONTENT_CATEGORIES.includes(c.category) || !/^\d{17}$/.test(c.sourceVersion) || !c.facilityPatientId)
          throw new Error(`iteration ${i}: malformed draft ${JSON.stringify(c)}`);
        expect(typeof c.title).toBe("string");
        JSON.stringify(c.payload);
      }
    }
    // both outcomes must actually occur
    expect(parsed).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  }, 60_000);
});
