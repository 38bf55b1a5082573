import crypto from "node:crypto";
import forge from "node-forge";
import type { TCheckedCsr } from "@/lib/pki/csr";

/**
 * Pure certificate operations of the network CA (no database, no files). Keys are generated with
 * Node's native crypto (node-forge's pure-JS RSA takes ~0.6 s a key); node-forge builds and signs
 * the certificates and the PKCS#12 files. See docs/decisions/0004-tls-termination.md.
 */

export const FACILITY_URI_PREFIX = "urn:chiikilink:facility:";
export const TERMINAL_URI_PREFIX = "urn:chiikilink:terminal:";

export type TCaMaterial = { certPem: string; keyPem: string };

function newRsaKey(): forge.pki.rsa.KeyPair {
  const { privateKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

/** A positive serial of 16 random bytes, as lower-case hex without leading zeros. */
function newSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString("hex");
}

/** Serials compare as lower-case hex without leading zeros (Node prints them upper case). */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, "");
}

function signWith(cert: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey): void {
  cert.sign(key, forge.md.sha256.create());
}

export function createCa(networkName: string, now = new Date()): TCaMaterial {
  const keys = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = newSerial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 20 * 365 * 86_400_000);
  const attrs = [
    { name: "commonName", value: `${networkName} Network CA` },
    { name: "organizationName", value: networkName },
    { name: "countryName", value: "JP" },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  signWith(cert, keys.privateKey);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

export function encryptKey(keyPem: string, passphrase: string): string {
  return forge.pki.encryptRsaPrivateKey(forge.pki.privateKeyFromPem(keyPem), passphrase, { algorithm: "aes256" });
}

export function decryptKey(encryptedPem: string, passphrase: string): string {
  const key = forge.pki.decryptRsaPrivateKey(encryptedPem, passphrase);
  if (!key) throw new Error("The CA key cannot be decrypted: CA_KEY_PASSPHRASE is not the one it was created with");
  return forge.pki.privateKeyToPem(key);
}

function issue(
  ca: TCaMaterial,
  subject: forge.pki.CertificateField[],
  extensions: object[],
  notBefore: Date,
  notAfter: Date,
) {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  const keys = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = newSerial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...extensions,
  ]);
  signWith(cert, caKey);
  return { cert, caCert, keys };
}

export type TTerminalFor = {
  facilityId: string;
  facilityCode: string;
  facilityName: string;
  terminalId: string;
  terminalName: string;
  days: number;
  now?: Date;
  /** only for tests that need an already-expired certificate */
  notAfter?: Date;
};

/**
 * What every terminal certificate says, whoever made its key: the network's subject for the
 * facility and terminal, client authentication, and the SAN URIs server.ts reads.
 */
function terminalProfile(input: TTerminalFor, keyType: "rsa" | "ec") {
  const now = input.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = input.notAfter ?? new Date(now.getTime() + input.days * 86_400_000);
  const fields = [
    { name: "commonName", short: "CN", value: `${input.facilityCode} ${input.terminalName}` },
    { name: "organizationalUnitName", short: "OU", value: input.facilityCode },
    { name: "organizationName", short: "O", value: input.facilityName },
    { name: "countryName", short: "C", value: "JP" },
  ];
  return {
    notBefore,
    notAfter,
    subject: fields.map((f) => ({ name: f.name, value: f.value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class })),
    subjectText: fields.map((f) => `${f.short}=${f.value}`).join(", "),
    extensions: [
      // An EC key signs only; an RSA key may also be used for key transport (TLS 1.2 RSA exchange).
      keyType === "rsa"
        ? { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true }
        : { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", clientAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 6, value: `${FACILITY_URI_PREFIX}${input.facilityId}` },
          { type: 6, value: `${TERMINAL_URI_PREFIX}${input.terminalId}` },
        ],
      },
    ],
  };
}

export type TIssuedTerminalCertificate = {
  serial: string;
  subject: string;
  certPem: string;
  notBefore: Date;
  notAfter: Date;
  pkcs12: Buffer;
  /** SHA-256 (hex) of the certificate's DER SubjectPublicKeyInfo */
  publicKeySha256: string;
};

/** A terminal's key, made here, with its client certificate as a PKCS#12 file protected by `password`. */
export function issueTerminalCertificate(ca: TCaMaterial, input: TTerminalFor & { password: string }): TIssuedTerminalCertificate {
  const profile = terminalProfile(input, "rsa");
  const { cert, caCert, keys } = issue(ca, profile.subject, profile.extensions, profile.notBefore, profile.notAfter);
  const p12Asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert, caCert], input.password, {
    algorithm: "aes256",
    // PKCS#12 friendly names are BMP strings that node-forge writes byte-wise: keep them ASCII.
    friendlyName: `ChiikiLink ${input.facilityCode} ${input.terminalId.slice(0, 8)}`,
  });
  const certPem = forge.pki.certificateToPem(cert);
  return {
    serial: normalizeSerial(cert.serialNumber),
    subject: profile.subjectText,
    certPem,
    notBefore: profile.notBefore,
    notAfter: profile.notAfter,
    pkcs12: Buffer.from(forge.asn1.toDer(p12Asn1).getBytes(), "binary"),
    publicKeySha256: crypto.createHash("sha256").update(new crypto.X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" })).digest("hex"),
  };
}

/** Parts of node-forge 1.4 that its type definitions leave out. */
const forgeUntyped = forge as unknown as {
  pki: { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };
  asn1: { fromDer(bytes: forge.util.ByteStringBuffer, options: { decodeBitStrings: boolean; parseAllBytes: boolean }): forge.asn1.Asn1 };
};

export type TIssuedFromCsr = Omit<TIssuedTerminalCertificate, "pkcs12">;

/**
 * A terminal certificate for the public key of a checked request (lib/pki/csr.ts): the same subject
 * and extensions as issueTerminalCertificate, whatever the request asked for. node-forge writes only
 * RSA keys into a certificate, so the certificate is built around a stand-in key (the CA's own
 * public key) and the request's SubjectPublicKeyInfo is put in its place, byte for byte, before
 * the CA signs; the result is checked with Node's X.509 reader before it is returned.
 */
export function issueTerminalCertificateFromCsr(ca: TCaMaterial, csr: TCheckedCsr, input: TTerminalFor): TIssuedFromCsr {
  const profile = terminalProfile(input, csr.keyType);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = caCert.publicKey;
  cert.serialNumber = newSerial();
  cert.validity.notBefore = profile.notBefore;
  cert.validity.notAfter = profile.notAfter;
  cert.setSubject(profile.subject);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    // given, not derived: node-forge would hash the stand-in key
    { name: "subjectKeyIdentifier", value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, csr.keyIdentifier.toString("binary")) },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...profile.extensions,
  ]);
  const sigOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = sigOid;
  const tbs = forgeUntyped.pki.getTBSCertificate(cert);
  const tbsFields = tbs.value as forge.asn1.Asn1[];
  // TBSCertificate: version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions
  const spki = forgeUntyped.asn1.fromDer(forge.util.createBuffer(csr.spkiDer.toString("binary")), { decodeBitStrings: false, parseAllBytes: true });
  if (Buffer.from(forge.asn1.toDer(spki).getBytes(), "binary").compare(csr.spkiDer) !== 0) throw new Error("the request's public key does not re-encode to the same bytes");
  tbsFields[6] = spki;
  const md = forge.md.sha256.create();
  md.update(forge.asn1.toDer(tbs).getBytes());
  const { Class, Type } = forge.asn1;
  const certAsn1 = forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    tbs,
    forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
      forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(sigOid).getBytes()),
      forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, ""),
    ]),
    forge.asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(0) + caKey.sign(md)),
  ]);
  const certPem = forge.pem.encode({ type: "CERTIFICATE", body: forge.asn1.toDer(certAsn1).getBytes() });
  // The stand-in must not survive: the certificate carries the request's key and the CA's signature.
  const x509 = new crypto.X509Certificate(certPem);
  const ca509 = new crypto.X509Certificate(ca.certPem);
  if (!x509.publicKey.export({ type: "spki", format: "der" }).equals(csr.spkiDer) || !x509.checkIssued(ca509) || !x509.verify(ca509.publicKey)) {
    throw new Error("the certificate built for the request does not carry its key or the CA's signature");
  }
  return {
    serial: normalizeSerial(cert.serialNumber),
    subject: profile.subjectText,
    certPem,
    notBefore: profile.notBefore,
    notAfter: profile.notAfter,
    publicKeySha256: csr.publicKeySha256,
  };
}

/** The HTTPS server's own certificate, signed by the network CA. */
export function issueServerCertificate(ca: TCaMaterial, hostnames: string[], now = new Date()): TCaMaterial {
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(":");
  const { cert, keys } = issue(
    ca,
    [{ name: "commonName", value: hostnames[0] ?? "localhost" }],
    [
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: hostnames.map((h) => (isIp(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    ],
    new Date(now.getTime() - 60_000),
    new Date(now.getTime() + 397 * 86_400_000),
  );
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** Twelve characters from an alphabet without look-alikes (no 0/O, 1/l/I), for reading aloud. */
export function newOneTimePassword(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.randomBytes(12);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

export type TPeerIdentity = { serial: string; facilityId: string; terminalId: string; notAfter: Date };
export type TPeerCheck = { ok: true; identity: TPeerIdentity } | { ok: false; reason: "foreign" | "expired" | "not-yet-valid" | "malformed" };

type TVerified = { identity: TPeerIdentity; notBefore: Date } | { reason: "foreign" | "malformed" };

/**
 * What parsing and verifying a certificate found, by CA and DER bytes. Every request presents its
 * certificate (a keep-alive connection the same one each time); parsing it and checking the
 * signature again each time cost about a millisecond. The bytes decide the answer, so it is kept;
 * the dates are checked on every call. Bounded: emptied when full.
 */
const verified = new Map<string, TVerified>();
const VERIFIED_MAX = 4096;

function verifyOnce(der: Buffer, caCertPem: string): TVerified {
  const key = `${crypto.createHash("sha256").update(caCertPem).update(der).digest("base64")}`;
  const hit = verified.get(key);
  if (hit) return hit;
  const out = verifyPeer(der, caCertPem);
  if (verified.size >= VERIFIED_MAX) verified.clear();
  verified.set(key, out);
  return out;
}

function verifyPeer(der: Buffer, caCertPem: string): TVerified {
  let x509: crypto.X509Certificate;
  let ca: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(der);
    ca = new crypto.X509Certificate(caCertPem);
  } catch {
    return { reason: "malformed" };
  }
  if (!x509.checkIssued(ca) || !x509.verify(ca.publicKey)) return { reason: "foreign" };
  const uris = (x509.subjectAltName ?? "").split(/,\s*/).map((s) => s.replace(/^URI:/, ""));
  const facilityId = uris.find((u) => u.startsWith(FACILITY_URI_PREFIX))?.slice(FACILITY_URI_PREFIX.length);
  const terminalId = uris.find((u) => u.startsWith(TERMINAL_URI_PREFIX))?.slice(TERMINAL_URI_PREFIX.length);
  if (!facilityId || !terminalId) return { reason: "malformed" };
  return { identity: { serial: normalizeSerial(x509.serialNumber), facilityId, terminalId, notAfter: new Date(x509.validTo) }, notBefore: new Date(x509.validFrom) };
}

/** Checks a presented certificate (DER) against the CA: signature, issuer, dates, our SAN URIs. */
export function checkPeerCertificate(der: Buffer, caCertPem: string, now = new Date()): TPeerCheck {
  const v = verifyOnce(der, caCertPem);
  if ("reason" in v) return { ok: false, reason: v.reason };
  if (v.notBefore > now) return { ok: false, reason: "not-yet-valid" };
  if (v.identity.notAfter < now) return { ok: false, reason: "expired" };
  return { ok: true, identity: { ...v.identity } };
}
