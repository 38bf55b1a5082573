/**
 * 地域患者ID: 10 digits, the last a Damm check digit over the first nine. Damm catches every
 * single-digit error and every swap of two adjacent digits (Luhn misses 09 ↔ 90), which are the
 * mistakes people make copying a number from a form.
 */
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/** The Damm check digit of a string of digits. */
export function dammCheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new Error("digits only");
  let interim = 0;
  for (const c of digits) interim = DAMM[interim]![c.charCodeAt(0) - 48]!;
  return interim;
}

/** The regional ID for the nth number of the sequence (nine digits, 100000001–999999999). */
export function regionalIdFromSequence(n: bigint | number): string {
  const body = String(n);
  if (!/^[1-9]\d{8}$/.test(body)) throw new Error(`regional ID sequence out of range: ${body}`);
  return body + String(dammCheckDigit(body));
}

/** Ten digits whose check digit is right (a Damm check over all ten digits gives 0). */
export const isValidRegionalId = (s: string) => /^[1-9]\d{9}$/.test(s) && dammCheckDigit(s) === 0;
