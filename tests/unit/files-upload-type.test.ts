import { readFileSync } from "node:fs";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { sniffFileType } from "@/lib/files/store";
import {
  checkUploadSize,
  detectUploadType,
  isInlineSafe,
  readCompoundFileNames,
  readZipEntryNames,
  UPLOAD_ACCEPT,
  type TUploadRefusal,
  type TUploadType,
} from "@/lib/files/upload-type";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)));
const utf8 = (text: string) => new TextEncoder().encode(text);
const bytesOf = (...parts: (number[] | string)[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...utf8(p)] : p)));

const PNG = bytesOf([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
const PDF = utf8("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
const CONTENT_TYPES = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';

/** A ZIP with the given entries, deflated like an Office package. */
const zipOf = (entries: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(entries).map(([n, t]) => [n, strToU8(t)])));

/**
 * A compound file (OLE2, version 3, 512-byte sectors) whose directory holds the given stream
 * names: sector 0 is the FAT, the directory follows, chained.
 */
function compoundFileOf(names: string[]): Uint8Array {
  const entries = ["Root Entry", ...names];
  const dirSectors = Math.ceil(entries.length / 4);
  const out = new Uint8Array(512 * (2 + dirSectors));
  const view = new DataView(out.buffer);
  out.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  view.setUint16(0x18, 0x3e, true);
  view.setUint16(0x1a, 3, true);
  view.setUint16(0x1c, 0xfffe, true);
  view.setUint16(0x1e, 9, true);
  view.setUint16(0x20, 6, true);
  view.setUint32(0x2c, 1, true); // one FAT sector
  view.setUint32(0x30, 1, true); // the directory starts at sector 1
  view.setUint32(0x38, 4096, true);
  view.setUint32(0x3c, 0xfffffffe, true);
  view.setUint32(0x44, 0xfffffffe, true);
  for (let i = 0; i < 109; i++) view.setUint32(0x4c + 4 * i, i === 0 ? 0 : 0xffffffff, true);
  const fat = 512;
  for (let i = 0; i < 128; i++) view.setUint32(fat + 4 * i, 0xffffffff, true);
  view.setUint32(fat, 0xfffffffd, true);
  for (let s = 1; s <= dirSectors; s++) view.setUint32(fat + 4 * s, s === dirSectors ? 0xfffffffe : s + 1, true);
  entries.forEach((name, i) => {
    const at = 1024 + i * 128;
    for (let c = 0; c < name.length; c++) view.setUint16(at + 2 * c, name.charCodeAt(c), true);
    view.setUint16(at + 0x40, (name.length + 1) * 2, true);
    out[at + 0x42] = i === 0 ? 5 : 2;
    view.setUint32(at + 0x44, 0xffffffff, true);
    view.setUint32(at + 0x48, 0xffffffff, true);
    view.setUint32(at + 0x4c, i === 0 && entries.length > 1 ? 1 : 0xffffffff, true);
    view.setUint32(at + 0x74, 0xfffffffe, true);
  });
  return out;
}

function expectType(bytes: Uint8Array, fileName: string, expected: Partial<TUploadType>) {
  const result = detectUploadType(bytes, fileName);
  expect(result).toMatchObject({ ok: true, type: expected });
}

function expectRefusal(bytes: Uint8Array, fileName: string, code: TUploadRefusal["code"], detail?: string | RegExp) {
  const result = detectUploadType(bytes, fileName);
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.refusal.code).toBe(code);
  if (detail) expect(result.refusal.detail).toMatch(detail);
}

describe("detectUploadType: the whitelist", () => {
  it("a JPEG photograph", () => {
    expectType(fixture("images/chest-xray.jpg"), "IMG_0001.JPG", { contentType: "image/jpeg", extension: "jpg", kind: "image", label: "JPEG" });
  });

  it("a PNG image", () => {
    expectType(PNG, "scan.png", { contentType: "image/png", extension: "png", kind: "image", label: "PNG" });
  });

  it("a PDF", () => {
    expectType(PDF, "紹介状.pdf", { contentType: "application/pdf", extension: "pdf", kind: "pdf", label: "PDF" });
  });

  it("the type comes from the bytes, not the name: a JPEG named .pdf is a JPEG", () => {
    expectType(fixture("images/head-mri.jpg"), "report.pdf", { contentType: "image/jpeg", extension: "jpg" });
  });

  it("docx, xlsx and pptx written by LibreOffice ([Content_Types].xml last in the archive)", () => {
    expectType(fixture("office/sample.docx"), "sample.docx", { extension: "docx", kind: "office", label: "Word (docx)" });
    expectType(fixture("office/sample.xlsx"), "sample.xlsx", { extension: "xlsx", kind: "office", label: "Excel (xlsx)" });
    expectType(fixture("office/sample.pptx"), "sample.pptx", { extension: "pptx", kind: "office", label: "PowerPoint (pptx)" });
  });

  it("OOXML is told by its parts whatever the name says", () => {
    const xlsx = zipOf({ "[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>", "xl/worksheets/sheet1.xml": "<worksheet/>" });
    expectType(xlsx, "data.docx", { contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extension: "xlsx" });
    const docx = zipOf({ "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": "<Relationships/>", "word/document.xml": "<w:document/>" });
    expectType(docx, "letter", { contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", extension: "docx" });
  });

  it("an OOXML package with parts of two families is decided by its main part", () => {
    const docx = zipOf({ "[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w:document/>", "xl/embeddings/chart.xml": "<c/>" });
    expectType(docx, "mixed.docx", { extension: "docx" });
  });

  it("doc and xls written by LibreOffice (OLE2 directory entries WordDocument, Workbook)", () => {
    expectType(fixture("office/sample.doc"), "sample.doc", { contentType: "application/msword", extension: "doc", kind: "office", label: "Word (doc)" });
    expectType(fixture("office/sample.xls"), "sample.xls", { contentType: "application/vnd.ms-excel", extension: "xls", kind: "office", label: "Excel (xls)" });
    expect(readCompoundFileNames(fixture("office/sample.doc"))).toContain("WordDocument");
    expect(readCompoundFileNames(fixture("office/sample.xls"))).toContain("Workbook");
  });

  it("legacy formats by directory entry: PowerPoint Document → ppt, Book (Excel 5) → xls, whatever the name", () => {
    expectType(compoundFileOf(["Current User", "PowerPoint Document", "Pictures"]), "slides.doc", { contentType: "application/vnd.ms-powerpoint", extension: "ppt" });
    expectType(compoundFileOf(["Book"]), "old.bin", { extension: "xls" });
    expectType(compoundFileOf(["\u0005SummaryInformation", "1Table", "Data", "WordDocument", "\u0005DocumentSummaryInformation"]), "x.doc", { extension: "doc" });
  });

  it("an OLE2 file whose directory cannot be walked falls back to the name, among doc/xls/ppt only", () => {
    const broken = compoundFileOf(["Workbook"]);
    new DataView(broken.buffer).setUint32(0x30, 4000, true); // the directory points past the end
    expect(readCompoundFileNames(broken)).toBeNull();
    expectType(broken, "old.ppt", { extension: "ppt" });
    expectType(broken, "old.XLS", { extension: "xls" });
    expectRefusal(broken, "old.jpg", "type", /OLE2/);
  });

  it("a UTF-8 CSV", () => {
    expectType(utf8("氏名,生年月日\r\n山田 太郎,1950-01-01\r\n"), "patients.csv", { contentType: "text/csv; charset=utf-8", extension: "csv", kind: "csv", label: "CSV" });
  });

  it("a Shift_JIS (CP932) CSV, NEC and IBM extensions included", () => {
    const sjis = new Uint8Array(iconv.encode("氏名,検査,値\r\n髙橋 﨑子,①血圧,120/80\r\nｶﾀｶﾅ,体温,36.5\r\n", "cp932"));
    expect(new TextDecoder("utf-8", { fatal: false }).decode(sjis)).toContain("\ufffd"); // not UTF-8
    expectType(sjis, "検査結果.CSV", { contentType: "text/csv; charset=shift_jis", extension: "csv", kind: "csv" });
  });

  it("Shift_JIS plain text", () => {
    expectType(new Uint8Array(iconv.encode("申し送り事項：\r\n夜間の様子に変わりなし。\r\n", "cp932")), "memo.txt", { contentType: "text/plain; charset=shift_jis", kind: "text" });
  });

  it("a UTF-8 text with a BOM", () => {
    expectType(bytesOf([0xef, 0xbb, 0xbf], "経過記録\n血圧 120/80\n"), "note.txt", { contentType: "text/plain; charset=utf-8", extension: "txt", kind: "text", label: "Text" });
  });

  it("CSV only by the .csv name; the same bytes named otherwise are text", () => {
    const csv = utf8("a,b\n1,2\n");
    expectType(csv, "a.csv", { kind: "csv" });
    expectType(csv, "a.txt", { kind: "text" });
    expectType(csv, "a.tsv", { kind: "text" });
    expectType(csv, "no-extension", { kind: "text" });
  });

  it("a text ending with Ctrl-Z (old Windows tools) and tabs", () => {
    expectType(bytesOf("col1\tcol2\r\n1\t2\r\n", [0x1a]), "export.csv", { kind: "csv" });
  });

  it("a text that mentions markup in passing later on is still text", () => {
    expectType(utf8(`${"経過良好。".repeat(200)}\n<html> と書かれた紙を持参\n`), "note.txt", { kind: "text" });
    expectType(utf8("値 < 5 かつ > 2\n"), "note.txt", { kind: "text" });
  });
});

describe("detectUploadType: refusals", () => {
  it("an empty file", () => {
    expectRefusal(new Uint8Array(0), "empty.pdf", "empty");
    expectRefusal(bytesOf([0xef, 0xbb, 0xbf]), "bom-only.txt", "empty");
  });

  it("a Windows executable renamed .jpg", () => {
    const exe = bytesOf("MZ", [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff], new Array(50).fill(0), "PE");
    expectRefusal(exe, "photo.jpg", "executable", "Windows executable (MZ)");
  });

  it("ELF and Mach-O executables", () => {
    expectRefusal(bytesOf([0x7f], "ELF", [2, 1, 1, 0, 0, 0]), "scan.png", "executable", "ELF executable");
    expectRefusal(bytesOf([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), "report.pdf", "executable", /Mach-O/);
    expectRefusal(bytesOf([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]), "a.txt", "executable", /Mach-O|Java/);
  });

  it("a script with a shebang, with or without a BOM", () => {
    expectRefusal(utf8("#!/bin/sh\nrm -rf /\n"), "notes.txt", "executable", "script (#!)");
    expectRefusal(bytesOf([0xef, 0xbb, 0xbf], "#!/usr/bin/env python3\n"), "data.csv", "executable", "script (#!)");
  });

  it("HTML with a doctype", () => {
    expectRefusal(utf8("<!DOCTYPE html>\n<html><body>hi</body></html>"), "report.txt", "html", /doctype/i);
  });

  it("HTML without a doctype, in any case, after a BOM and white space", () => {
    expectRefusal(utf8("<html><body onload=alert(1)>"), "a.txt", "html");
    expectRefusal(bytesOf([0xef, 0xbb, 0xbf], "\r\n  \t<HTML>\n<BODY>"), "a.csv", "html");
    expectRefusal(utf8("<script>alert(document.cookie)</script>"), "a.txt", "html", /script/);
    expectRefusal(utf8("<body>"), "a.txt", "html");
    expectRefusal(utf8("<iframe src=//example.invalid>"), "a.txt", "html");
    expectRefusal(utf8("<!-- comment -->\n<p>x</p>"), "a.txt", "html");
  });

  it("HTML in Shift_JIS", () => {
    expectRefusal(new Uint8Array(iconv.encode("<html><head><title>検査結果</title></head></html>", "cp932")), "result.txt", "html");
  });

  it("a page's tags early in an otherwise plain text", () => {
    expectRefusal(utf8("注意事項\n<script>fetch('/api')</script>\n"), "a.txt", "html", /script/);
    expectRefusal(utf8("名前,値\n<svg onload=alert(1)>\n"), "a.csv", "svg");
  });

  it("SVG, bare or behind an XML prolog or doctype", () => {
    expectRefusal(utf8('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "image.png", "svg", "SVG image");
    expectRefusal(utf8('<?xml version="1.0"?>\n<!-- drawn -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'), "a.txt", "svg");
    expectRefusal(utf8('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg/>'), "a.txt", "svg");
  });

  it("XML", () => {
    expectRefusal(utf8('<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument/>'), "cda.txt", "html", "XML document");
  });

  it("a plain zip and zips that are not Office documents", () => {
    expectRefusal(zipOf({ "a.txt": "hello", "b/c.txt": "world" }), "archive.docx", "type", "ZIP archive");
    expectRefusal(zipOf({ "[Content_Types].xml": CONTENT_TYPES, "visio/document.xml": "<x/>" }), "a.xlsx", "type", /not Word, Excel or PowerPoint/);
    expectRefusal(zipOf({ mimetype: "application/vnd.oasis.opendocument.text", "content.xml": "<x/>" }), "a.odt", "type", "OpenDocument file");
    expectRefusal(bytesOf([0x50, 0x4b, 0x05, 0x06], new Array(18).fill(0)), "empty.zip", "type", "ZIP archive");
  });

  it("Office documents with macros and Java archives are executables", () => {
    const docm = zipOf({ "[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w:document/>", "word/vbaProject.bin": "VBA" });
    expectRefusal(docm, "letter.docx", "executable", /macros/);
    expectRefusal(compoundFileOf(["WordDocument", "Macros", "1Table"]), "letter.doc", "executable", /macros/);
    expectRefusal(compoundFileOf(["Workbook", "_VBA_PROJECT_CUR"]), "book.xls", "executable", /macros/);
    expectRefusal(zipOf({ "META-INF/MANIFEST.MF": "Main-Class: X", "X.class": "\u00ca" }), "tool.docx", "executable", /jar/);
  });

  it("password-protected Office files (an encrypted package cannot be scanned) and other compound files", () => {
    expectRefusal(compoundFileOf(["EncryptionInfo", "EncryptedPackage"]), "secret.xlsx", "type", /password-protected/);
    expectRefusal(compoundFileOf(["\u4840\u3f3f\u4577", "\u0005SummaryInformation"]), "setup.doc", "type", /not Word, Excel or PowerPoint/);
  });

  it("a damaged zip", () => {
    const docx = fixture("office/sample.docx");
    expectRefusal(docx.subarray(0, docx.length - 30), "cut.docx", "type", /damaged ZIP/);
  });

  it("GIF and other images and archives off the whitelist", () => {
    expectRefusal(bytesOf("GIF89a", [1, 0, 1, 0, 0x80, 0, 0]), "anim.gif", "type", "GIF image");
    expectRefusal(bytesOf("GIF87a", [1, 0, 1, 0]), "photo.jpg", "type", "GIF image");
    expectRefusal(bytesOf("RIFF", [0, 0, 0, 0], "WEBPVP8 "), "a.png", "type", "WebP image");
    expectRefusal(bytesOf([0, 0, 0, 0x18], "ftypheic"), "IMG.HEIC", "type", /HEIF/);
    expectRefusal(bytesOf([0x1f, 0x8b, 8, 0]), "a.csv", "type", /gzip/);
    expectRefusal(utf8("{\\rtf1\\ansi hello}"), "a.txt", "type", /RTF/);
  });

  it("a .html (or .htm, .svg, .xml, .js) name with innocent text", () => {
    const innocent = utf8("血圧 120/80\n");
    expectRefusal(innocent, "memo.html", "html", "file name ending .html");
    expectRefusal(innocent, "memo.HTM", "html");
    expectRefusal(innocent, "memo.xml", "html");
    expectRefusal(innocent, "memo.svg", "svg");
    expectRefusal(innocent, "memo.js", "executable");
    // Windows drops trailing dots and spaces; an NTFS stream suffix still opens the .html
    expectRefusal(innocent, "memo.html. . ", "html");
    expectRefusal(innocent, "memo.html:$DATA", "html");
    expectRefusal(innocent, "C:\\Users\\x\\memo.hta", "executable");
  });

  it("a dangerous name refuses even whitelisted bytes", () => {
    expectRefusal(PDF, "report.pdf.exe", "executable", "file name ending .exe");
    expectRefusal(fixture("images/abdomen-ct.jpg"), "ct.svg", "svg");
  });

  it("text with NUL bytes or other control bytes", () => {
    expectRefusal(bytesOf("abc", [0], "def"), "a.txt", "type", /NUL/);
    expectRefusal(bytesOf("a,b\n", [0x1b], "[31mred\n"), "a.csv", "type", /control byte 0x1b/);
    expectRefusal(bytesOf("abc", [0x1a], "def"), "a.txt", "type", /control byte 0x1a/);
    expectRefusal(utf8("abc\u0085def"), "a.txt", "type", /control characters/);
  });

  it("text in neither UTF-8 nor Shift_JIS, and UTF-16", () => {
    expectRefusal(bytesOf("abc", [0x80, 0xff, 0xfe], "def"), "a.txt", "type", /unknown encoding/);
    expectRefusal(bytesOf([0xef, 0xbb, 0xbf], "abc", [0x82, 0xa0]), "a.txt", "type", /invalid UTF-8/);
    expectRefusal(new Uint8Array(Buffer.from("\ufeffhello", "utf16le")), "a.txt", "type", /UTF-16/);
  });
});

describe("the readers behind the detection", () => {
  it("reads a ZIP central directory, not the bytes of its contents", () => {
    const names = readZipEntryNames(fixture("office/sample.xlsx"));
    expect(names).toContain("[Content_Types].xml");
    expect(names).toContain("xl/workbook.xml");
    // "[Content_Types].xml" inside a stored text does not make the archive an Office package
    const fooled = zipSync({ "readme.txt": [strToU8("[Content_Types].xml word/document.xml"), { level: 0 }] });
    expect(readZipEntryNames(fooled)).toEqual(["readme.txt"]);
    expectRefusal(fooled, "fooled.docx", "type", "ZIP archive");
  });

  it("finds the end record behind an archive comment", () => {
    const plain = zipSync({ "[Content_Types].xml": strToU8(CONTENT_TYPES), "ppt/presentation.xml": strToU8("<p/>") });
    const comment = utf8(`PK\u0005\u0006 looks like an end record ${"x".repeat(1000)}`);
    const zip = new Uint8Array([...plain, ...comment]);
    new DataView(zip.buffer).setUint16(plain.length - 2, comment.length, true);
    expect(readZipEntryNames(zip)).toEqual(["[Content_Types].xml", "ppt/presentation.xml"]);
    expectType(zip, "deck.pptx", { extension: "pptx" });
  });

  it("a compound file with more directory sectors than one", () => {
    const names = Array.from({ length: 10 }, (_, i) => `Stream${i}`);
    expect(readCompoundFileNames(compoundFileOf([...names, "WordDocument"]))).toEqual(["Root Entry", ...names, "WordDocument"]);
  });

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

  it("never throws on damaged files (truncations and byte flips of every sample)", () => {
    const seeds = [
      fixture("office/sample.docx"),
      fixture("office/sample.xlsx"),
      fixture("office/sample.doc"),
      fixture("office/sample.xls"),
      compoundFileOf(["PowerPoint Document"]),
      fixture("images/abdomen-ct.jpg"),
      new Uint8Array(iconv.encode("氏名,値\r\n髙橋,①\r\n", "cp932")),
    ];
    const rand = prng(12);
    for (const seed of seeds) {
      for (let i = 0; i < 300; i++) {
        const b = seed.slice(0, 1 + Math.floor(rand() * seed.length));
        for (let k = Math.floor(rand() * 8); k > 0; k--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
        const result = detectUploadType(b, ["x.docx", "x.xls", "x.csv", "x"][i % 4]!);
        expect(typeof result.ok).toBe("boolean");
      }
    }
  });
});

describe("constants and helpers for the form and the download route", () => {
  it("UPLOAD_ACCEPT lists the whitelist's extensions and types", () => {
    const accepted = UPLOAD_ACCEPT.split(",");
    for (const ext of [".jpg", ".jpeg", ".png", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".csv", ".txt"]) expect(accepted).toContain(ext);
    for (const type of ["image/jpeg", "image/png", "application/pdf", "application/msword", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv", "text/plain"]) {
      expect(accepted).toContain(type);
    }
    expect(UPLOAD_ACCEPT).not.toMatch(/gif|svg|html|zip/);
    expect(UPLOAD_ACCEPT.startsWith(".jpg,.jpeg,.png,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.csv,.txt,image/jpeg,image/png,application/pdf,")).toBe(true);
  });

  it("isInlineSafe: JPEG, PNG and PDF only", () => {
    expect(isInlineSafe("image/jpeg")).toBe(true);
    expect(isInlineSafe("image/png")).toBe(true);
    expect(isInlineSafe("Application/PDF")).toBe(true);
    expect(isInlineSafe("application/pdf; name=x")).toBe(true);
    for (const t of ["text/plain; charset=utf-8", "text/csv", "text/html", "image/svg+xml", "image/gif", "application/msword", "application/octet-stream", ""]) {
      expect(isInlineSafe(t), t).toBe(false);
    }
  });

  it("checkUploadSize", () => {
    expect(checkUploadSize(30 * 1024 * 1024, 30)).toBeNull();
    expect(checkUploadSize(30 * 1024 * 1024 + 1, 30)).toMatchObject({ code: "too-large", detail: "30.0 MB, limit 30 MB" });
  });

  it("sniffFileType keeps its answers for consent scans and the data feed", () => {
    expect(sniffFileType(PDF)).toEqual({ contentType: "application/pdf", extension: "pdf" });
    expect(sniffFileType(fixture("images/chest-xray.jpg"))).toEqual({ contentType: "image/jpeg", extension: "jpg" });
    expect(sniffFileType(PNG)).toEqual({ contentType: "image/png", extension: "png" });
    expect(sniffFileType(fixture("office/sample.docx"))).toBeNull();
    expect(sniffFileType(utf8("<html>"))).toBeNull();
    expect(sniffFileType(new Uint8Array(0))).toBeNull();
  });
});
