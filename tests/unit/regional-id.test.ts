import { describe, expect, it } from "vitest";
import { dammCheckDigit, isValidRegionalId, regionalIdFromSequence } from "@/lib/patients/regional-id";

describe("dammCheckDigit", () => {
  it.each([
    // the worked example of Damm's algorithm
    { digits: "572", check: 4 },
    { digits: "5724", check: 0 },
    { digits: "11294", check: 6 },
    { digits: "112946", check: 0 },
    // one digit: the first row of the quasigroup table
    { digits: "0", check: 0 },
    { digits: "1", check: 3 },
    { digits: "2", check: 1 },
    { digits: "3", check: 7 },
    { digits: "4", check: 5 },
    { digits: "5", check: 9 },
    { digits: "6", check: 8 },
    { digits: "7", check: 6 },
    { digits: "8", check: 4 },
    { digits: "9", check: 2 },
    // leading zeros do not change the check digit
    { digits: "000572", check: 4 },
  ])("$digits → $check", ({ digits, check }) => {
    expect(dammCheckDigit(digits)).toBe(check);
  });

  it("appending the check digit always gives 0", () => {
    for (const digits of ["572", "1", "99", "123456789", "100000001", "987654321", "000000000"]) {
      expect(dammCheckDigit(digits + String(dammCheckDigit(digits)))).toBe(0);
    }
  });

  it.each(["", "57a", "５７２", " 572", "57-2", "+572", "5.72"])("refuses %j", (digits) => {
    expect(() => dammCheckDigit(digits)).toThrow();
  });
});

describe("regionalIdFromSequence", () => {
  // worked by hand through the table: "1" → 3, then seven zeros 3 → 1 → 7 → 8 → 9 → 2 → 4 → 6, then "1" → 8;
  // "572" → 4, then six zeros 4 → 6 → 5 → 3 → 1 → 7 → 8
  it.each([
    { n: 100000001, id: "1000000018" },
    { n: 572000000n, id: "5720000008" },
  ])("$n → $id", ({ n, id }) => {
    expect(regionalIdFromSequence(n)).toBe(id);
  });

  it("is the nine digits of the sequence number and their check digit", () => {
    for (const n of [100000001, 123456789, 555555555, 909090909, 999999999]) {
      const id = regionalIdFromSequence(n);
      expect(id).toHaveLength(10);
      expect(id.slice(0, 9)).toBe(String(n));
      expect(Number(id[9])).toBe(dammCheckDigit(String(n)));
      expect(regionalIdFromSequence(BigInt(n))).toBe(id);
    }
  });

  it.each([0, 1, 99999999, 1000000000, 9999999999, -100000001, 123456789.5, Number.NaN, Number.POSITIVE_INFINITY, 1e21, -1n, 1000000000n])(
    "refuses %s (out of range)",
    (n) => {
      expect(() => regionalIdFromSequence(n)).toThrow(/out of range/);
    },
  );
});

/** a small deterministic pseudo-random generator (mulberry32) */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe("isValidRegionalId", () => {
  const rnd = random(572);
  const sequenceNumbers = [
    100000001, 100000002, 100000009, 100000010, 111111111, 123456789, 909090909, 900000009, 999999998, 999999999,
    ...Array.from({ length: 190 }, () => 100000001 + Math.floor(rnd() * 899999999)),
  ];
  const ids = sequenceNumbers.map((n) => regionalIdFromSequence(n));

  it("accepts every generated ID", () => {
    expect(ids).toHaveLength(200);
    for (const id of ids) expect(isValidRegionalId(id), id).toBe(true);
  });

  it("of the ten possible last digits, only the generated one is valid", () => {
    for (const id of ids) {
      const valid = "0123456789".split("").filter((d) => isValidRegionalId(id.slice(0, 9) + d));
      expect(valid, id).toEqual([id[9]]);
    }
  });

  it("rejects every single-digit substitution", () => {
    let checked = 0;
    for (const id of ids)
      for (let i = 0; i < 10; i++)
        for (const d of "0123456789") {
          if (d === id[i]) continue;
          const wrong = id.slice(0, i) + d + id.slice(i + 1);
          expect(isValidRegionalId(wrong), `${id} → ${wrong}`).toBe(false);
          checked++;
        }
    expect(checked).toBe(ids.length * 10 * 9);
  });

  it("rejects every swap of two adjacent different digits (the check digit included)", () => {
    let checked = 0;
    for (const id of ids)
      for (let i = 0; i < 9; i++) {
        if (id[i] === id[i + 1]) continue;
        const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2);
        expect(isValidRegionalId(swapped), `${id} → ${swapped}`).toBe(false);
        checked++;
      }
    expect(checked).toBeGreaterThan(ids.length * 7);
  });

  it("catches the 09 ↔ 90 swap that Luhn misses", () => {
    const id = regionalIdFromSequence(123409567);
    expect(isValidRegionalId(id)).toBe(true);
    expect(isValidRegionalId(id.replace("09", "90"))).toBe(false);
  });

  it.each([
    { name: "empty", s: "" },
    { name: "nine digits (no check digit)", s: "100000001" },
    { name: "eleven digits", s: "10000000180" },
    { name: "the check digit repeated", s: "10000000188" },
    { name: "a leading zero (a valid Damm check)", s: "0" + "12345678" + String(dammCheckDigit("012345678")) },
    { name: "all zeros", s: "0000000000" },
    { name: "a letter", s: "100000001A" },
    { name: "full-width digits", s: "１０００００００１８" },
    { name: "a space inside", s: "10000 00018" },
    { name: "surrounding spaces", s: " 1000000018 " },
    { name: "a hyphen", s: "100000-0018" },
    { name: "a trailing newline", s: "1000000018\n" },
  ])("rejects $name", ({ s }) => {
    expect(isValidRegionalId(s)).toBe(false);
  });

  it("the leading-zero case would otherwise pass the Damm check", () => {
    const s = "012345678" + String(dammCheckDigit("012345678"));
    expect(dammCheckDigit(s)).toBe(0);
    expect(isValidRegionalId(s)).toBe(false);
  });
});
