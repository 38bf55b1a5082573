/**
 * CSV-safe cells (ADR 0010, OWASP CSV injection): which values get the ' before them, that the
 * prefix is exact to undo, the CRLF step that leaves line feeds inside cells alone, and the tests'
 * strict CSV reader refusing broken files. The SQL function the exports use is checked against
 * this rule in tests/integration/access-log-export.test.ts.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { crlfRowEnds, isFormulaLike, neutraliseCsvCell, restoreCsvCell } from "@/lib/audit/csv";
import { parseCsvStrict } from "@/tests/fixtures/csv";

describe("the rule", () => {
  it.each([
    ["=", '=HYPERLINK("http://evil.example/","x")'],
    ["+", "+SUM(1)"],
    ["-", "-2+3+cmd|' /C calc'!A0"],
    ["@", "@SUM(1)"],
    ["TAB", "\t=1"],
    ["TAB alone", "\tabc"],
    ["CR", "\r=1"],
    ["CR alone", "\rabc"],
  ])("a value beginning with %s gets a ' before it", (_, value) => {
    expect(neutraliseCsvCell(value)).toBe(`'${value}`);
  });

  it.each([
    ["a space", " =1+1"],
    ["spaces and a tab", "  \t@SUM(1)"],
    ["a line feed", "\n=1"],
    ["an ideographic space", "\u3000=1"],
    ["a no-break space", "\u00a0+1"],
    ["a double quote", '"=1+1"'],
    ["a single quote", "'=1+1"],
    ["quotes and blanks", ` " ' -1`],
    ["a lone TAB after a space", " \tabc"],
  ])("also after leading blanks or quotes: %s", (_, value) => {
    expect(neutraliseCsvCell(value)).toBe(`'${value}`);
  });

  it.each(["＝HYPERLINK(\"x\")", "＋1", "－1", "＠SUM(1)", "\u3000＝1"])("the full-width forms too: %s", (value) => {
    expect(neutraliseCsvCell(value)).toBe(`'${value}`);
  });

  it("negative numbers are not exempt: no exported column is numeric, and a leading minus may open a formula", () => {
    expect(neutraliseCsvCell("-1")).toBe("'-1");
    expect(neutraliseCsvCell("-0.5")).toBe("'-0.5");
  });

  it.each([
    ["a JST time as exported", "2026/11/01 09:00:00"],
    ["an ISO date", "2026-11-01"],
    ["a facility patient ID", "A-1"],
    ["a regional ID", "1234567890"],
    ["a uuid", "0f8fad5b-d9cb-469f-a165-70867728950e"],
    ["a name", "髙橋 一郎"],
    ["a refusal's detail (label first)", "file +SUM(1)"],
    ["an operator inside", "a=b+c"],
    ["a quote then text", "'hello"],
    ["a quoted word", '"quoted"'],
    ["a line feed then text", "\nabc"],
    ["empty", ""],
    ["a full-width space then text", "\u3000山田"],
    ["the EMS mark", "EMS"],
  ])("leaves harmless values alone: %s", (_, value) => {
    expect(isFormulaLike(value)).toBe(false);
    expect(neutraliseCsvCell(value)).toBe(value);
  });

  it("is exact to undo: every string over the rule's characters comes back as stored (all of length ≤ 4)", () => {
    const alphabet = ["=", "+", "-", "@", "\t", "\r", "\n", " ", "'", '"', "\u3000", "＝", "a", "1"];
    let values = [""];
    let checked = 0;
    const wrong: string[] = [];
    for (let len = 0; len <= 4; len++) {
      for (const v of values) {
        const cell = neutraliseCsvCell(v);
        // back to the stored value; and what a spreadsheet sees is the prefix, or nothing a formula could start with
        if (restoreCsvCell(cell) !== v || !(cell.startsWith("'") || !isFormulaLike(cell))) wrong.push(JSON.stringify(v));
        checked++;
      }
      values = values.flatMap((v) => alphabet.map((c) => v + c));
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(1 + 14 + 14 ** 2 + 14 ** 3 + 14 ** 4);
  });

  it("is applied once: a stored value that already begins with ' and a formula keeps its own quote", () => {
    expect(neutraliseCsvCell("'=1")).toBe("''=1");
    expect(restoreCsvCell("''=1")).toBe("'=1");
    expect(restoreCsvCell("'hello")).toBe("'hello");
  });
});

async function throughCrlf(chunks: Buffer[]): Promise<Buffer> {
  const t = crlfRowEnds();
  const src = new PassThrough();
  const out: Buffer[] = [];
  t.on("data", (b: Buffer) => out.push(b));
  const done = new Promise((resolve, reject) => t.on("end", resolve).on("error", reject));
  src.pipe(t);
  for (const c of chunks) src.write(c);
  src.end();
  await done;
  return Buffer.concat(out);
}

describe("row ends", () => {
  // as COPY … (FORMAT csv, FORCE_QUOTE *, NULL '') writes it: quoted cells, NULL empty, LF rows
  const copy = Buffer.from(['"a\nb","say ""hi"", ok",,"x\r\ny"\n', '"髙橋","\'=1","",\n', '"""\n""",,"①",""\n'].join(""), "utf8");
  const expected = Buffer.from(['"a\nb","say ""hi"", ok",,"x\r\ny"\r\n', '"髙橋","\'=1","",\r\n', '"""\n""",,"①",""\r\n'].join(""), "utf8");

  it("turns only the LFs between cells into CRLF; a line feed inside a cell stays", async () => {
    expect((await throughCrlf([copy])).toString("utf8")).toBe(expected.toString("utf8"));
  });

  it("keeps track across chunks: the same bytes split at every offset, and one byte at a time", async () => {
    for (let k = 0; k <= copy.length; k++) expect((await throughCrlf([copy.subarray(0, k), copy.subarray(k)])).equals(expected)).toBe(true);
    expect((await throughCrlf([...copy].map((b) => Buffer.from([b])))).equals(expected)).toBe(true);
  });

  it("the result parses back to the cells as stored", async () => {
    expect(parseCsvStrict((await throughCrlf([copy])).toString("utf8"))).toEqual([
      ["a\nb", 'say "hi", ok', null, "x\r\ny"],
      ["髙橋", "'=1", "", null],
      ['"\n"', null, "①", ""],
    ]);
  });
});

describe("the tests' strict CSV reader", () => {
  it("reads quoted line breaks, doubled quotes, empty and NULL cells", () => {
    expect(parseCsvStrict('h1,h2\r\n"a,b","c\r\nd"\r\n,""\r\n')).toEqual([
      ["h1", "h2"],
      ["a,b", "c\r\nd"],
      [null, ""],
    ]);
    expect(parseCsvStrict('a,"b\nc"\n1,2\n', { eol: "\n" })).toEqual([
      ["a", "b\nc"],
      ["1", "2"],
    ]);
  });

  it.each([
    ["a quote inside an unquoted field", 'a,b"c\r\n'],
    ["text after a closing quote", '"a"b,c\r\n'],
    ["an unclosed quote", '"abc\r\n'],
    ["a bare LF where CRLF ends records", "a,b\nc,d\r\n"],
    ["a record of another length", "a,b\r\nc\r\n"],
  ])("refuses %s", (_, text) => {
    expect(() => parseCsvStrict(text)).toThrow(/CSV:/);
  });
});
