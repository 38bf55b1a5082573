import crypto from "node:crypto";
import forge from "node-forge";
import { CSR_MAX_CHARS } from "@/lib/pki/schema";

/**
 * Reading a terminal's certificate signing request (PKCS#10, PEM), with no database and no files.
 * The terminal keeps its private key; the network CA only needs the public key and proof that the
 * sender holds the matching private key (the request's signature). Everything else the request
 * says (its subject, requested extensions) is ignored: the CA writes the network's own subject.
 * Keys and signatures are checked with Node's crypto, which reads RSA and EC alike (node-forge
 * reads only RSA). See docs/decisions/0017-terminal-keys-not-kept.md.
 */

/** What was wrong with a request; each has a message under `v.csr.<problem>` that says what to do. */
export type TCsrProblem =
  | "required"
  | "tooLong"
  | "privateKey"
  | "notPem"
  | "malformed"
  | "badSignature"
  | "weakSignature"
  | "unsupportedSignature"
  | "weakKey"
  | "unsupportedKey";

export class CsrError extends Error {
  constructor(
    readonly problem: TCsrProblem,
    readonly vars: Record<string, string | number> = {},
  ) {
    super(`CSR refused: ${problem}${Object.keys(vars).length ? ` ${JSON.stringify(vars)}` : ""}`);
    this.name = "CsrError";
  }
}

export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 8192;
/** Node's names of the curves accepted, with the names people know them by. */
const EC_CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384" };

const SIGNATURES: Record<string, { hash: string; key: "rsa" | "ec" } | { weak: string } | { unsupported: string }> = {
  "1.2.840.113549.1.1.11": { hash: "sha256", key: "rsa" },
  "1.2.840.113549.1.1.12": { hash: "sha384", key: "rsa" },
  "1.2.840.113549.1.1.13": { hash: "sha512", key: "rsa" },
  "1.2.840.10045.4.3.2": { hash: "sha256", key: "ec" },
  "1.2.840.10045.4.3.3": { hash: "sha384", key: "ec" },
  "1.2.840.10045.4.3.4": { hash: "sha512", key: "ec" },
  "1.2.840.113549.1.1.4": { weak: "MD5 with RSA" },
  "1.2.840.113549.1.1.5": { weak: "SHA-1 with RSA" },
  "1.2.840.10045.4.1": { weak: "SHA-1 with ECDSA" },
  "1.2.840.113549.1.1.10": { unsupported: "RSASSA-PSS" },
  "1.3.101.112": { unsupported: "Ed25519" },
};

export type TCheckedCsr = {
  /** the request's SubjectPublicKeyInfo, DER, byte for byte as the terminal sent it */
  spkiDer: Buffer;
  keyType: "rsa" | "ec";
  /** e.g. "RSA 2048", "EC P-256" */
  keyLabel: string;
  /** SHA-256 (hex) of spkiDer: the same key presented again is recognised */
  publicKeySha256: string;
  /** SHA-1 of the BIT STRING subjectPublicKey (RFC 5280 4.2.1.2 method 1), the subject key identifier */
  keyIdentifier: Buffer;
};

type TTlv = { tag: number; start: number; contentStart: number; end: number };

/** One DER element at `at` inside `buf` (definite lengths only, as DER requires). */
function tlv(buf: Buffer, at: number, limit = buf.length): TTlv {
  if (at + 2 > limit) throw new CsrError("malformed");
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new CsrError("malformed");
  let length = buf[at + 1]!;
  let p = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 3 || p + n > limit) throw new CsrError("malformed");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  if (p + length > limit) throw new CsrError("malformed");
  return { tag, start: at, contentStart: p, end: p + length };
}

/** The elements inside a constructed element. */
function children(buf: Buffer, parent: TTlv): TTlv[] {
  const out: TTlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const child = tlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const raw = (buf: Buffer, t: TTlv) => buf.subarray(t.start, t.end);
const content = (buf: Buffer, t: TTlv) => buf.subarray(t.contentStart, t.end);

function expectTag(t: TTlv | undefined, tag: number): TTlv {
  if (!t || t.tag !== tag) throw new CsrError("malformed");
  return t;
}

/** The DER bytes of the one PEM request in `text`; a private key or anything else is refused. */
export function csrDerFromPem(text: string): Buffer {
  const pem = text.replace(/\r\n?/g, "\n").trim();
  if (!pem) throw new CsrError("required");
  if (pem.length > CSR_MAX_CHARS) throw new CsrError("tooLong", { max: CSR_MAX_CHARS });
  // A private key pasted by mistake is refused before anything reads it; it is never stored.
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) throw new CsrError("privateKey");
  const blocks = [...pem.matchAll(/-----BEGIN (NEW )?CERTIFICATE REQUEST-----\n([\s\S]*?)-----END (NEW )?CERTIFICATE REQUEST-----/g)];
  if (blocks.length !== 1 || (pem.match(/-----BEGIN /g) ?? []).length !== 1) throw new CsrError("notPem");
  const body = blocks[0]![2]!.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new CsrError("malformed");
  return Buffer.from(body, "base64");
}

function signatureAlgorithm(der: Buffer, algorithm: TTlv): { hash: string; key: "rsa" | "ec" } {
  const oidTlv = expectTag(children(der, algorithm)[0], 0x06);
  let oid: string;
  try {
    oid = forge.asn1.derToOid(forge.util.createBuffer(content(der, oidTlv).toString("binary")));
  } catch {
    throw new CsrError("malformed");
  }
  const known = SIGNATURES[oid];
  if (!known) throw new CsrError("unsupportedSignature", { algorithm: oid });
  if ("weak" in known) throw new CsrError("weakSignature", { algorithm: known.weak });
  if ("unsupported" in known) throw new CsrError("unsupportedSignature", { algorithm: known.unsupported });
  return known;
}

function checkKey(spkiDer: Buffer): { key: crypto.KeyObject; keyType: "rsa" | "ec"; keyLabel: string } {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: spkiDer, format: "der", type: "spki" });
  } catch {
    throw new CsrError("malformed");
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") {
    const bits = details.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS) throw new CsrError("weakKey", { key: `RSA ${bits}` });
    if (bits > RSA_MAX_BITS) throw new CsrError("unsupportedKey", { key: `RSA ${bits}` });
    return { key, keyType: "rsa", keyLabel: `RSA ${bits}` };
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = EC_CURVES[details.namedCurve ?? ""];
    if (!curve) throw new CsrError("unsupportedKey", { key: `EC ${details.namedCurve ?? "?"}` });
    return { key, keyType: "ec", keyLabel: `EC ${curve}` };
  }
  throw new CsrError("unsupportedKey", { key: (key.asymmetricKeyType ?? "?").toUpperCase() });
}

/**
 * Reads a PEM request and checks it: one request, well formed, an accepted key (RSA 2048–8192 or
 * EC P-256/P-384) and a valid SHA-2 signature by that key. Throws CsrError saying what was wrong.
 */
export function checkCsr(pemText: string): TCheckedCsr {
  const der = csrDerFromPem(pemText);
  const outer = expectTag(tlv(der, 0), SEQUENCE);
  if (outer.end !== der.length) throw new CsrError("malformed");
  const [info, algorithm, signature, ...rest] = children(der, outer);
  if (rest.length) throw new CsrError("malformed");
  expectTag(info, SEQUENCE);
  expectTag(algorithm, SEQUENCE);
  expectTag(signature, 0x03);
  const [version, subject, spki] = children(der, info!);
  if (!version || version.tag !== 0x02 || !content(der, version).equals(Buffer.from([0]))) throw new CsrError("malformed");
  expectTag(subject, SEQUENCE);
  expectTag(spki, SEQUENCE);
  const spkiDer = Buffer.from(raw(der, spki!));
  const [, subjectPublicKey] = children(der, spki!);
  const keyBits = content(der, expectTag(subjectPublicKey, 0x03));
  if (keyBits.length < 2 || keyBits[0] !== 0) throw new CsrError("malformed");

  // The key first (a weak key is the answer even if the signature is also off), then the signature.
  const { key, keyType, keyLabel } = checkKey(spkiDer);
  const alg = signatureAlgorithm(der, algorithm!);
  const sigBits = content(der, signature!);
  if (sigBits.length < 2 || sigBits[0] !== 0) throw new CsrError("malformed");
  let verified = false;
  try {
    verified = alg.key === keyType && crypto.verify(alg.hash, raw(der, info!), key, sigBits.subarray(1));
  } catch {
    verified = false;
  }
  if (!verified) throw new CsrError("badSignature");
  return {
    spkiDer,
    keyType,
    keyLabel,
    publicKeySha256: crypto.createHash("sha256").update(spkiDer).digest("hex"),
    keyIdentifier: crypto.createHash("sha1").update(keyBits.subarray(1)).digest(),
  };
}

/** SHA-256 (hex) of a public key's DER SubjectPublicKeyInfo, as checkCsr gives it. */
export function publicKeySha256(spkiDer: Buffer): string {
  return crypto.createHash("sha256").update(spkiDer).digest("hex");
}
