import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { convertToPdf, officeConverter } from "@/lib/files/converter";
import { detectUploadType } from "@/lib/files/upload-type";

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/** A minimal Word document as Word writes it: the content types, the package relation, the body. */
function buildDocx(text: string): Uint8Array {
  return zipSync({
    "[Content_Types].xml": strToU8(`${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`),
    "_rels/.rels": strToU8(`${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="${RELS}/officeDocument" Target="word/document.xml"/>
</Relationships>`),
    "word/document.xml": strToU8(`${XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>${text}</w:t></w:r></w:p>
<w:p><w:r><w:t>ChiikiLink conversion test</w:t></w:r></w:p>
</w:body></w:document>`),
  });
}

/** A minimal Excel workbook: one sheet of inline strings and numbers. */
function buildXlsx(rows: (string | number)[][]): Uint8Array {
  const cell = (v: string | number, ref: string) =>
    typeof v === "number" ? `<c r="${ref}"><v>${v}</v></c>` : `<c r="${ref}" t="inlineStr"><is><t>${v}</t></is></c>`;
  const sheetRows = rows.map((r, i) => `<row r="${i + 1}">${r.map((v, j) => cell(v, `${String.fromCharCode(65 + j)}${i + 1}`)).join("")}</row>`).join("");
  return zipSync({
    "[Content_Types].xml": strToU8(`${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>`),
    "_rels/.rels": strToU8(`${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>`),
    "xl/workbook.xml": strToU8(`${XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${RELS}">
<sheets><sheet name="検査" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    "xl/_rels/workbook.xml.rels": strToU8(`${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="${RELS}/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>`),
    "xl/worksheets/sheet1.xml": strToU8(`${XML}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`),
  });
}

const setConverter = (value: string | undefined) => {
  if (value === undefined) delete process.env.OFFICE_CONVERTER;
  else process.env.OFFICE_CONVERTER = value;
  resetEnvCache();
};

/** Alive and not a zombie waiting for its reaper. */
const isRunning = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

const conversionDirs = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("chiikilink-convert-"));

const isPdf = (pdf: Buffer) => pdf.subarray(0, 5).toString("latin1") === "%PDF-" && pdf.subarray(-1024).toString("latin1").includes("%%EOF");

// Decided when the file is collected (OFFICE_CONVERTER as the machine has it), so that a skip
// says why in the test's name.
const CONFIGURED = process.env.OFFICE_CONVERTER;
resetEnvCache();
const soffice = await officeConverter();
const noLibreOffice = soffice ? "" : " (skipped: no LibreOffice on this machine)";
if (!soffice) console.warn("files-converter: no LibreOffice on this machine (soffice/libreoffice, OFFICE_CONVERTER); the conversions are skipped");

afterEach(() => setConverter(CONFIGURED));

describe("convertToPdf with LibreOffice", () => {
  it.skipIf(!soffice)(`finds LibreOffice${noLibreOffice}`, async () => {
    expect(soffice).toMatch(/^\//);
    if (!CONFIGURED) expect(soffice).toMatch(/\/(soffice|libreoffice)$/);
  });

  it.skipIf(!soffice)(
    `converts a real .docx and a real .xlsx to PDF${noLibreOffice}`,
    async () => {
      const docx = buildDocx("診療情報提供書 地域連携");
      const xlsx = buildXlsx([
        ["項目", "値"],
        ["血圧", 120],
        ["体温", 36.5],
      ]);
      // They are what the upload check accepts as Office documents.
      expect(detectUploadType(docx, "letter.docx")).toMatchObject({ ok: true, type: { extension: "docx" } });
      expect(detectUploadType(xlsx, "labs.xlsx")).toMatchObject({ ok: true, type: { extension: "xlsx" } });

      const before = conversionDirs().length;
      const started = Date.now();
      const [fromDocx, fromXlsx] = await Promise.all([convertToPdf(docx, "docx"), convertToPdf(xlsx, ".xlsx")]);
      expect(fromDocx.state, JSON.stringify(fromDocx.state === "FAILED" ? fromDocx.error : "")).toBe("CONVERTED");
      expect(fromXlsx.state, JSON.stringify(fromXlsx.state === "FAILED" ? fromXlsx.error : "")).toBe("CONVERTED");
      if (fromDocx.state !== "CONVERTED" || fromXlsx.state !== "CONVERTED") return;
      expect(isPdf(fromDocx.pdf)).toBe(true);
      expect(isPdf(fromXlsx.pdf)).toBe(true);
      expect(detectUploadType(fromDocx.pdf, "x.pdf")).toMatchObject({ ok: true, type: { kind: "pdf" } });
      // the temporary work dirs (profile included) are gone
      expect(conversionDirs().length).toBe(before);
      expect(Date.now() - started).toBeLessThan(30_000);
    },
    60_000,
  );

  it.skipIf(!soffice)(
    `converts the LibreOffice-written legacy .doc fixture${noLibreOffice}`,
    async () => {
      const doc = new Uint8Array(fs.readFileSync(path.resolve(import.meta.dirname, "../fixtures/office/sample.doc")));
      const result = await convertToPdf(doc, "doc");
      expect(result.state).toBe("CONVERTED");
      if (result.state === "CONVERTED") expect(isPdf(result.pdf)).toBe(true);
    },
    60_000,
  );
});

describe("convertToPdf: finding and running the converter", () => {
  const scripts = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-fake-converter-"));
  afterAll(() => fs.rmSync(scripts, { recursive: true, force: true }));

  /** A stand-in converter: a shell script given LibreOffice's arguments. */
  const script = (name: string, body: string) => {
    const file = path.join(scripts, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };
  // LibreOffice's command line ends with: --convert-to pdf --outdir DIR INPUT
  const ARGS = 'for a in "$@"; do prev="$out"; out="$a"; done; outdir="$prev"; input="$out"; base=$(basename "$input"); base="${base%.*}"';

  it('"off" disables conversion', async () => {
    setConverter("off");
    expect(await officeConverter()).toBeNull();
    expect(await convertToPdf(new Uint8Array([1]), "docx")).toEqual({ state: "NO_CONVERTER" });
  });

  it("a configured converter that does not exist is no converter", async () => {
    setConverter(path.join(scripts, "missing-soffice"));
    expect(await officeConverter()).toBeNull();
    expect(await convertToPdf(new Uint8Array([1]), "docx")).toEqual({ state: "NO_CONVERTER" });
    setConverter("no-such-office-command");
    expect(await officeConverter()).toBeNull();
  });

  it("runs the configured command with its own profile and work dir, a clean environment, and returns the PDF", async () => {
    const record = path.join(scripts, "record");
    setConverter(
      script(
        "fake-ok",
        `${ARGS}\nprintf '%s\\n' "$@" > ${record}.args\nenv > ${record}.env\ncp "$input" ${record}.input\nprintf '%%PDF-1.4 fake\\n%%%%EOF\\n' > "$outdir/$base.pdf"`,
      ),
    );
    const before = conversionDirs().length;
    const result = await convertToPdf(new TextEncoder().encode("document bytes"), "DOCX");
    expect(result).toEqual({ state: "CONVERTED", pdf: Buffer.from("%PDF-1.4 fake\n%%EOF\n") });
    const args = fs.readFileSync(`${record}.args`, "utf8").trim().split("\n");
    expect(args.find((a) => a.startsWith("-env:UserInstallation=file:///"))).toMatch(/chiikilink-convert-[^/]+\/profile$/);
    expect(args).toEqual(expect.arrayContaining(["--headless", "--convert-to", "pdf", "--outdir"]));
    expect(args.at(-1)).toMatch(/chiikilink-convert-[^/]+\/in\/document\.docx$/);
    expect(fs.readFileSync(`${record}.input`, "utf8")).toBe("document bytes");
    // The server's secrets (set for this run by the integration setup) stay with the server.
    const childEnv = fs.readFileSync(`${record}.env`, "utf8");
    expect(process.env.AUTH_SECRET).toBeTruthy();
    expect(childEnv).not.toContain(process.env.AUTH_SECRET!);
    expect(childEnv).not.toContain("DATABASE_URL");
    expect(childEnv).toMatch(/^HOME=.*chiikilink-convert-/m);
    expect(conversionDirs().length).toBe(before);
  });

  it("a converter that fails: FAILED with its last words", async () => {
    setConverter(script("fake-fail", 'echo "Error: source file could not be loaded" >&2; exit 3'));
    const result = await convertToPdf(new Uint8Array([1]), "xlsx");
    expect(result).toEqual({ state: "FAILED", error: "fake-fail exited with 3: Error: source file could not be loaded" });
  });

  it("a converter that exits 0 without a PDF, or writes something else: FAILED", async () => {
    setConverter(script("fake-nothing", "exit 0"));
    expect(await convertToPdf(new Uint8Array([1]), "docx")).toMatchObject({ state: "FAILED", error: /no PDF produced/ });
    setConverter(script("fake-html", `${ARGS}\necho '<html>' > "$outdir/$base.pdf"`));
    expect(await convertToPdf(new Uint8Array([1]), "docx")).toEqual({ state: "FAILED", error: "the converter's output is not a PDF" });
  });

  it("a converter that hangs is killed with everything it started, and its work dir removed", async () => {
    const pidFile = path.join(scripts, "grandchild.pid");
    setConverter(script("fake-hang", `sleep 60 &\necho $! > ${pidFile}\nwait`));
    const before = conversionDirs().length;
    const started = Date.now();
    const result = await convertToPdf(new Uint8Array([1]), "docx", { timeoutMs: 500 });
    expect(result).toMatchObject({ state: "FAILED", error: "timed out after 0.5 s" });
    expect(Date.now() - started).toBeLessThan(10_000);
    const grandchild = Number(fs.readFileSync(pidFile, "utf8"));
    await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(grandchild)).toBe(false);
    expect(conversionDirs().length).toBe(before);
  });

  it("refuses an extension that is not one", async () => {
    setConverter(script("fake-unused", "exit 0"));
    expect(await convertToPdf(new Uint8Array([1]), "../../x")).toMatchObject({ state: "FAILED", error: /unusable extension/ });
  });
});
