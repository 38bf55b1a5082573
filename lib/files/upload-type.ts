/**
 * What a user may upload (notes, documents, files of a patient), told by the bytes alone.
 *
 * Pure and free of Node APIs, so the upload form can use the constants and the same check can
 * run in the browser before sending. The server runs it again on what it received: the browser's
 * claim and the file's name never make unknown bytes acceptable. The name only chooses between
 * CSV and plain text and refuses names a desktop would open as something dangerous.
 * See docs/decisions/0012-file-store-uploads.md.
 */

export type TUploadKind = "image" | "pdf" | "office" | "csv" | "text";

export type TUploadType = {
  /** The stored content type; CSV and text carry the detected charset (utf-8 or shift_jis). */
  contentType: string;
  extension: string;
  kind: TUploadKind;
  /** e.g. "JPEG", "PDF", "Excel (xlsx)" */
  label: string;
};

export type TUploadRefusal = {
  code: "empty" | "type" | "html" | "svg" | "executable" | "too-large";
  /** What was detected, in short English, e.g. "Windows executable (MZ)". */
  detail: string;
};

export type TUploadCheck = { ok: true; type: TUploadType } | { ok: false; refusal: TUploadRefusal };

const OFFICE = {
  docx: { contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", extension: "docx", kind: "office", label: "Word (docx)" },
  xlsx: { contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extension: "xlsx", kind: "office", label: "Excel (xlsx)" },
  pptx: { contentType: "application/vnd.openxmlformats-officedocument.presentationml.presentation", extension: "pptx", kind: "office", label: "PowerPoint (pptx)" },
  doc: { contentType: "application/msword", extension: "doc", kind: "office", label: "Word (doc)" },
  xls: { contentType: "application/vnd.ms-excel", extension: "xls", kind: "office", label: "Excel (xls)" },
  ppt: { contentType: "application/vnd.ms-powerpoint", extension: "ppt", kind: "office", label: "PowerPoint (ppt)" },
} as const satisfies Record<string, TUploadType>;

const JPEG: TUploadType = { contentType: "image/jpeg", extension: "jpg", kind: "image", label: "JPEG" };
const PNG: TUploadType = { contentType: "image/png", extension: "png", kind: "image", label: "PNG" };
const PDF: TUploadType = { contentType: "application/pdf", extension: "pdf", kind: "pdf", label: "PDF" };

type TCharset = "utf-8" | "shift_jis";

const textType = (isCsv: boolean, charset: TCharset): TUploadType =>
  isCsv
    ? { contentType: `text/csv; charset=${charset}`, extension: "csv", kind: "csv", label: "CSV" }
    : { contentType: `text/plain; charset=${charset}`, extension: "txt", kind: "text", label: "Text" };

/** Value for `<input type="file" accept=…>`: the whitelist's extensions and content types. */
export const UPLOAD_ACCEPT = [
  ".jpg",
  ".jpeg",
  ".png",
  ".pdf",
  ".doc",
  ".docx",
  ".xls",
  ".xlsx",
  ".ppt",
  ".pptx",
  ".csv",
  ".txt",
  JPEG.contentType,
  PNG.contentType,
  PDF.contentType,
  ...Object.values(OFFICE).map((t) => t.contentType),
  "text/csv",
  "text/plain",
].join(",");

const INLINE_SAFE = new Set([JPEG.contentType, PNG.contentType, PDF.contentType]);

/** Whether a stored type may ever be shown inline by the browser (JPEG, PNG, PDF only). */
export function isInlineSafe(contentType: string): boolean {
  return INLINE_SAFE.has((contentType.split(";")[0] ?? "").trim().toLowerCase());
}

/** The per-file size limit (UPLOAD_MAX_MB); kept here so the form can say it before sending. */
export function checkUploadSize(size: number, maxMb: number): TUploadRefusal | null {
  if (size <= maxMb * 1024 * 1024) return null;
  return { code: "too-large", detail: `${(size / (1024 * 1024)).toFixed(1)} MB, limit ${maxMb} MB` };
}

const refuse = (code: TUploadRefusal["code"], detail: string): TUploadCheck => ({ ok: false, refusal: { code, detail } });
const accept = (type: TUploadType): TUploadCheck => ({ ok: true, type });

export function detectUploadType(bytes: Uint8Array, fileName: string): TUploadCheck {
  if (bytes.length === 0) return refuse("empty", "empty file");

  const executable = executableSignature(bytes);
  if (executable) return refuse("executable", executable);

  const extension = extensionOf(fileName);
  const dangerous = DANGEROUS_EXTENSIONS.get(extension);
  if (dangerous) return refuse(dangerous, `file name ending .${extension}`);

  const at = (sig: readonly number[], offset = 0) => sig.every((b, i) => bytes[offset + i] === b);
  if (at([0xff, 0xd8, 0xff])) return accept(JPEG);
  if (at([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return accept(PNG);
  if (at(ascii("%PDF-"))) return accept(PDF);
  if (at([0x50, 0x4b, 0x03, 0x04])) return detectZip(bytes);
  if (at([0x50, 0x4b, 0x05, 0x06]) || at([0x50, 0x4b, 0x07, 0x08])) return refuse("type", "ZIP archive");
  if (at([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return detectCompoundFile(bytes, extension);

  const other = OTHER_BINARIES.find(([sig, offset]) => at(sig, offset));
  if (other) return refuse("type", other[2]);

  return detectText(bytes, extension === "csv");
}

// ---- names -------------------------------------------------------------------------------------

/** The extension as a desktop would read it: Windows ignores trailing dots and spaces. */
function extensionOf(fileName: string): string {
  const base = (fileName.split(/[\\/]/).pop() ?? "").replace(/[\s.]+$/u, "");
  const dot = base.lastIndexOf(".");
  if (dot < 0) return "";
  // "x.html:$DATA" (an NTFS stream name) is still x.html
  return (base.slice(dot + 1).split(":")[0] ?? "").toLowerCase();
}

/** Names that a browser or a desktop would open as a page or a program, whatever the bytes. */
const DANGEROUS_EXTENSIONS = new Map<string, "html" | "svg" | "executable">([
  ...["html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "xml", "xsl", "xslt"].map((e) => [e, "html"] as const),
  ...["svg", "svgz"].map((e) => [e, "svg"] as const),
  ...[
    "exe", "com", "dll", "scr", "msi", "msp", "cpl", "pif", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse",
    "mjs", "cjs", "wsf", "wsh", "wsc", "hta", "jar", "class", "lnk", "url", "reg", "inf", "scf", "sh", "bash", "zsh",
    "csh", "ksh", "command", "app", "dmg", "pkg", "deb", "rpm", "apk", "elf", "so", "dylib", "py", "pyw", "pl", "rb",
    "php", "asp", "aspx", "jsp", "cgi", "iso", "img", "vhd", "vhdx", "appx", "msix", "application", "gadget",
  ].map((e) => [e, "executable"] as const),
]);

// ---- binary signatures -------------------------------------------------------------------------

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function executableSignature(bytes: Uint8Array): string | null {
  const at = (sig: readonly number[], offset = 0) => sig.every((b, i) => bytes[offset + i] === b);
  if (at(ascii("MZ"))) return "Windows executable (MZ)";
  if (at([0x7f, 0x45, 0x4c, 0x46])) return "ELF executable";
  for (const sig of [[0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe], [0xcf, 0xfa, 0xed, 0xfe]]) {
    if (at(sig)) return "Mach-O executable";
  }
  if (at([0xca, 0xfe, 0xba, 0xbe])) return "Mach-O universal binary or Java class";
  if (at([0x00, 0x61, 0x73, 0x6d])) return "WebAssembly module";
  if (at(ascii("#!")) || at([0xef, 0xbb, 0xbf, 0x23, 0x21])) return "script (#!)";
  return null;
}

/** Recognised so the refusal can say what it was; none of them is on the whitelist. */
const OTHER_BINARIES: [sig: number[], offset: number, detail: string][] = [
  [ascii("GIF87a"), 0, "GIF image"],
  [ascii("GIF89a"), 0, "GIF image"],
  [ascii("WEBP"), 8, "WebP image"],
  [ascii("RIFF"), 0, "RIFF media"],
  [ascii("ftyp"), 4, "HEIF image or MP4 media"],
  [[0x49, 0x49, 0x2a, 0x00], 0, "TIFF image"],
  [[0x4d, 0x4d, 0x00, 0x2a], 0, "TIFF image"],
  [[0x1f, 0x8b], 0, "gzip archive"],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 0, "7-Zip archive"],
  [ascii("Rar!"), 0, "RAR archive"],
  [ascii("{\\rtf"), 0, "RTF document"],
  [ascii("%!PS"), 0, "PostScript"],
  [[0xff, 0xfe], 0, "UTF-16 text"],
  [[0xfe, 0xff], 0, "UTF-16 text"],
];

// ---- OOXML: a ZIP whose central directory names an Office package ------------------------------

function detectZip(bytes: Uint8Array): TUploadCheck {
  const names = readZipEntryNames(bytes);
  if (!names) return refuse("type", "damaged ZIP archive");
  const has = (name: string) => names.includes(name);
  if (names.some((n) => /(^|\/)vbaProject\.bin$/i.test(n))) return refuse("executable", "Office document with macros (vbaProject.bin)");
  if (has("META-INF/MANIFEST.MF") || names.some((n) => n.endsWith(".class"))) return refuse("executable", "Java archive (jar)");
  if (has("AndroidManifest.xml") || has("classes.dex")) return refuse("executable", "Android package (apk)");
  if (has("mimetype") && !has("[Content_Types].xml")) return refuse("type", "OpenDocument file");
  if (!has("[Content_Types].xml")) return refuse("type", "ZIP archive");

  const families = (["docx", "xlsx", "pptx"] as const).filter((t) => names.some((n) => n.startsWith(OOXML_FOLDER[t])));
  if (families.length === 1) return accept(OFFICE[families[0]!]);
  // A package with parts of several families: its main part decides.
  const main = (["docx", "xlsx", "pptx"] as const).filter((t) => has(OOXML_MAIN_PART[t]));
  if (main.length === 1) return accept(OFFICE[main[0]!]);
  return refuse("type", families.length === 0 ? "Office Open XML package (not Word, Excel or PowerPoint)" : "ZIP archive");
}

const OOXML_FOLDER = { docx: "word/", xlsx: "xl/", pptx: "ppt/" } as const;
const OOXML_MAIN_PART = { docx: "word/document.xml", xlsx: "xl/workbook.xml", pptx: "ppt/presentation.xml" } as const;

const u16 = (b: Uint8Array, at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 2 ** 32;

/** The entry names from the ZIP's central directory (ZIP64 included); null when it is not sound. */
export function readZipEntryNames(bytes: Uint8Array): string[] | null {
  const n = bytes.length;
  if (n < 22) return null;
  let eocd = -1;
  // The end record sits in the last 22 bytes plus a comment of up to 65,535 bytes; a signature
  // inside the comment is not one, since the record's comment length must reach the end exactly.
  for (let i = n - 22; i >= Math.max(0, n - 22 - 0xffff); i--) {
    if (u32(bytes, i) === 0x06054b50 && i + 22 + u16(bytes, i + 20) === n) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let count = u16(bytes, eocd + 10);
  let size = u32(bytes, eocd + 12);
  let offset = u32(bytes, eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(bytes, locator) !== 0x07064b50) return null;
    const end64 = u64(bytes, locator + 8);
    if (end64 + 56 > n || u32(bytes, end64) !== 0x06064b50) return null;
    count = u64(bytes, end64 + 32);
    size = u64(bytes, end64 + 40);
    offset = u64(bytes, end64 + 48);
  }
  if (offset + size > n || count > size / 46) return null;
  const decoder = new TextDecoder("utf-8");
  const names: string[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > offset + size || u32(bytes, p) !== 0x02014b50) return null;
    const nameLength = u16(bytes, p + 28);
    const next = p + 46 + nameLength + u16(bytes, p + 30) + u16(bytes, p + 32);
    if (next > offset + size) return null;
    names.push(decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)));
    p = next;
  }
  return names;
}

// ---- OLE2 compound files: doc, xls, ppt --------------------------------------------------------

function detectCompoundFile(bytes: Uint8Array, extension: string): TUploadCheck {
  const names = readCompoundFileNames(bytes);
  if (!names) {
    // A directory we cannot walk: the name may still choose among the three legacy formats.
    if (extension === "doc" || extension === "xls" || extension === "ppt") return accept(OFFICE[extension]);
    return refuse("type", "OLE2 compound file");
  }
  const has = (name: string) => names.includes(name);
  if (has("EncryptedPackage") || has("EncryptionInfo")) return refuse("type", "password-protected Office document");
  if (has("Macros") || has("_VBA_PROJECT_CUR") || has("VBA")) return refuse("executable", "Office document with macros (VBA)");
  if (has("WordDocument")) return accept(OFFICE.doc);
  if (has("Workbook") || has("Book")) return accept(OFFICE.xls);
  if (has("PowerPoint Document")) return accept(OFFICE.ppt);
  return refuse("type", "OLE2 compound file (not Word, Excel or PowerPoint)");
}

const END_OF_CHAIN = 0xfffffffa; // every value from here up marks the end, a FAT sector or a free one

/** Names of the storages and streams in a compound file's directory; null when it is not sound. */
export function readCompoundFileNames(bytes: Uint8Array): string[] | null {
  const n = bytes.length;
  if (n < 512) return null;
  const shift = u16(bytes, 0x1e);
  if (shift !== 9 && shift !== 12) return null;
  const sectorSize = 1 << shift;
  const sectorAt = (sector: number) => (sector + 1) * sectorSize;
  const perSector = sectorSize / 4;

  const fatCount = u32(bytes, 0x2c);
  if (fatCount > n / sectorSize + 1) return null;
  const fat: number[] = [];
  for (let i = 0; i < 109 && fat.length < fatCount; i++) {
    const s = u32(bytes, 0x4c + 4 * i);
    if (s < END_OF_CHAIN) fat.push(s);
  }
  let difat = u32(bytes, 0x44);
  for (let hops = 0; fat.length < fatCount && difat < END_OF_CHAIN; hops++) {
    if (hops > n / sectorSize || sectorAt(difat) + sectorSize > n) return null;
    for (let j = 0; j < perSector - 1 && fat.length < fatCount; j++) {
      const s = u32(bytes, sectorAt(difat) + 4 * j);
      if (s < END_OF_CHAIN) fat.push(s);
    }
    difat = u32(bytes, sectorAt(difat) + sectorSize - 4);
  }
  const nextSector = (sector: number): number | null => {
    const fatSector = fat[Math.floor(sector / perSector)];
    if (fatSector === undefined) return null;
    const at = sectorAt(fatSector) + (sector % perSector) * 4;
    return at + 4 > n ? null : u32(bytes, at);
  };

  const names: string[] = [];
  const seen = new Set<number>();
  for (let sector: number | null = u32(bytes, 0x30); sector !== null && sector < END_OF_CHAIN; sector = nextSector(sector)) {
    if (seen.has(sector) || sectorAt(sector) + sectorSize > n) return null;
    seen.add(sector);
    for (let e = 0; e < sectorSize / 128; e++) {
      const entry = sectorAt(sector) + e * 128;
      const nameBytes = u16(bytes, entry + 0x40);
      const objectType = bytes[entry + 0x42];
      // 1 storage, 2 stream, 5 root; 0 is an unused slot
      if ((objectType === 1 || objectType === 2 || objectType === 5) && nameBytes >= 2 && nameBytes <= 64) {
        let name = "";
        for (let c = 0; c < nameBytes - 2; c += 2) name += String.fromCharCode(u16(bytes, entry + c));
        names.push(name);
      }
    }
  }
  return names.length > 0 ? names : null;
}

// ---- text: UTF-8 or Shift_JIS, no control bytes, not markup -------------------------------------

function detectText(bytes: Uint8Array, isCsvName: boolean): TUploadCheck {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  if (body.length === 0) return refuse("empty", "empty text");

  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b >= 0x20 && b !== 0x7f) continue;
    if (b === 0x09 || b === 0x0a || b === 0x0d) continue;
    // Old Windows tools end a text file with Ctrl-Z.
    if (b === 0x1a && i === body.length - 1) continue;
    return refuse("type", b === 0 ? "binary data (NUL bytes)" : `binary data (control byte 0x${b.toString(16).padStart(2, "0")})`);
  }

  const markup = markupIn(body);
  if (markup) return refuse(markup.code, markup.detail);

  let charset: TCharset;
  const utf8 = decodeUtf8(body);
  if (utf8 !== null) {
    // C1 controls are as binary as C0 ones.
    if (/[\u0080-\u009f]/u.test(utf8)) return refuse("type", "binary data (control characters)");
    charset = "utf-8";
  } else if (!hasBom && isShiftJis(body)) {
    charset = "shift_jis";
  } else {
    return refuse("type", hasBom ? "invalid UTF-8 text" : "text in an unknown encoding");
  }
  return accept(textType(isCsvName, charset));
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Shift_JIS as Windows writes it (CP932, with the NEC and IBM extensions); controls were refused before. */
function isShiftJis(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80 || (b >= 0xa1 && b <= 0xdf)) {
      i++;
      continue;
    }
    if ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) {
      const trail = bytes[i + 1];
      if (trail === undefined || trail < 0x40 || trail === 0x7f || trail > 0xfc) return false;
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

/** Tags a browser's sniffer (WHATWG MIME Sniffing) would take for a page. */
const HTML_TAGS = ["html", "head", "body", "script", "iframe", "h1", "div", "font", "table", "a", "style", "title", "b", "br", "p", "object", "embed", "meta", "link", "form"];

/**
 * Markup at the start of the text (after a BOM and white space), or a page's tell-tale tags
 * anywhere in the first 512 bytes, where older sniffers looked. ASCII-only, so it reads the same
 * in UTF-8 and Shift_JIS.
 */
function markupIn(body: Uint8Array): TUploadRefusal | null {
  let start = 0;
  while (start < body.length && (body[start] === 0x20 || body[start] === 0x09 || body[start] === 0x0a || body[start] === 0x0d)) start++;
  const head = asciiLower(body.subarray(start, start + 1024));
  const tagAt = (tag: string) => head.startsWith(`<${tag}`) && /^[\s>/]?$/.test(head.charAt(tag.length + 1));

  if (head.startsWith("<svg") || ((head.startsWith("<?xml") || head.startsWith("<!doctype")) && head.includes("<svg"))) {
    return { code: "svg", detail: "SVG image" };
  }
  if (head.startsWith("<?xml")) return { code: "html", detail: "XML document" };
  if (head.startsWith("<!doctype")) return { code: "html", detail: "HTML document (<!doctype)" };
  if (head.startsWith("<!--")) return { code: "html", detail: "HTML or XML (starts with a comment)" };
  const tag = HTML_TAGS.find(tagAt);
  if (tag) return { code: "html", detail: `HTML document (<${tag}>)` };

  const early = head.slice(0, 512);
  if (/<svg[\s>/]/.test(early)) return { code: "svg", detail: "SVG markup" };
  const inner = /<(html|script|iframe|body)[\s>/]/.exec(early);
  if (inner) return { code: "html", detail: `HTML markup (<${inner[1]}>)` };
  return null;
}

function asciiLower(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b >= 0x41 && b <= 0x5a ? String.fromCharCode(b + 0x20) : b < 0x80 ? String.fromCharCode(b) : "\u0000";
  return s;
}
