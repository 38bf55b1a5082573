import { Transform } from "node:stream";

/*
 * CSV-safe cells (OWASP "CSV Injection"). A spreadsheet opening a CSV takes a cell that begins
 * with = + - @, a tab or a carriage return as a formula; the access-log exports carry text that
 * others chose (staff and facility names, file names, what a refused request asked for), so each
 * such cell gets a single quote before it and is quoted. The exports apply the rule in their COPY
 * (the SQL function "chiikilink_csv_cell", migration 20261207130000_csv_safe_cells); this is the
 * same rule for the tests, which check that the two agree, and for readers of the files
 * (restoreCsvCell). ADR 0010 says why each character is in it.
 */

/** Characters a cell may begin with before the formula character: blanks (a reader may trim them) and quotes. */
const LEADING = " \\t\\n\\v\\f\\r\\u00a0\\u3000\"'";
/** The formula characters (= + - @ TAB CR) and the full-width = + - @, which Excel in Japanese may read as ASCII. */
const FORMULA = "\\-=+@\\t\\r\\uff1d\\uff0b\\uff0d\\uff20";

/** A cell a spreadsheet could take for a formula. */
export const FORMULA_START = new RegExp(`^[${LEADING}]*[${FORMULA}]`);

/** Whether `value` needs the quote before it. */
export const isFormulaLike = (value: string): boolean => FORMULA_START.test(value);

/** The cell as the exports write it: a ' before a formula-like value, anything else unchanged. */
export const neutraliseCsvCell = (value: string): string => (isFormulaLike(value) ? `'${value}` : value);

/**
 * The stored value of an exported cell: one leading ' removed when what follows is formula-like.
 * Exact: a value the rule leaves alone never begins with ' followed by a formula-like rest (the
 * quote is one of the leading characters, so such a value is formula-like itself).
 */
export const restoreCsvCell = (cell: string): string => (cell.startsWith("'") && isFormulaLike(cell.slice(1)) ? cell.slice(1) : cell);

/**
 * COPY ends rows with LF; RFC 4180 (and Excel) want CRLF. Only the LFs between fields end a row: a
 * line feed inside a quoted cell (a refused request's text can carry one) is the cell's and stays
 * as stored. Works on bytes (0x22 and 0x0A never occur inside a multi-byte UTF-8 character), keeps
 * whether it is inside quotes from one chunk to the next (a doubled "" toggles twice), and copies
 * each chunk once.
 */
export function crlfRowEnds(): Transform {
  let quoted = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const ends: number[] = [];
      const n = chunk.length;
      let i = 0;
      while (i < n) {
        if (quoted) {
          const q = chunk.indexOf(0x22, i);
          if (q === -1) break;
          quoted = false;
          i = q + 1;
        } else {
          // between quoted cells: a comma, a row end, an empty (NULL) cell
          const b = chunk[i];
          if (b === 0x22) quoted = true;
          else if (b === 0x0a) ends.push(i);
          i++;
        }
      }
      if (ends.length === 0) return done(null, chunk);
      const out = Buffer.allocUnsafe(n + ends.length);
      let from = 0;
      let to = 0;
      for (const k of ends) {
        to += chunk.copy(out, to, from, k);
        out[to++] = 0x0d;
        from = k;
      }
      chunk.copy(out, to, from);
      done(null, out);
    },
  });
}
