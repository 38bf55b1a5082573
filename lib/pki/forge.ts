import crypto from "node:crypto";
import forge from "node-forge";

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

export type TIssuedTerminalCertificate = {
  serial: string;
  subject: string;
  certPem: string;
  notBefore: Date;
  notAfter: Date;
  pkcs12: Buffer;
};

/** A terminal's client certificate as a PKCS#12 file protected by `password`. */
export function issueTerminalCertificate(
  ca: TCaMaterial,
  input: {
    facilityId: string;
    facilityCode: string;
    facilityName: string;
    terminalId: string;
    terminalName: string;
    days: number;
    password: string;
    now?: Date;
    /** only for tests that need an already-expired certificate */
    notAfter?: Date;
  },
): TIssuedTerminalCertificate {
  const now = input.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = input.notAfter ?? new Date(now.getTime() + input.days * 86_400_000);
  const subjectFields = [
    { name: "commonName", value: `${input.facilityCode} ${input.terminalName}` },
    { name: "organizationalUnitName", value: input.facilityCode },
    { name: "organizationName", value: input.facilityName },
    { name: "countryName", value: "JP" },
  ];
  const { cert, caCert, keys } = issue(
    ca,
    subjectFields.map((f) => ({ ...f, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class })),
    [
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", clientAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 6, value: `${FACILITY_URI_PREFIX}${input.facilityId}` },
          { type: 6, value: `${TERMINAL_URI_PREFIX}${input.terminalId}` },
        ],
      },
    ],
    notBefore,
    notAfter,
  );
  const p12Asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert, caCert], input.password, {
    algorithm: "aes256",
    // PKCS#12 friendly names are BMP strings that node-forge writes byte-wise: keep them ASCII.
    friendlyName: `ChiikiLink ${input.facilityCode} ${input.terminalId.slice(0, 8)}`,
  });
  return {
    serial: normalizeSerial(cert.serialNumber),
    subject: subjectFields.map((f) => `${f.name === "commonName" ? "CN" : f.name === "organizationalUnitName" ? "OU" : f.name === "organizationName" ? "O" : "C"}=${f.value}`).join(", "),
    certPem: forge.pki.certificateToPem(cert),
    notBefore,
    notAfter,
    pkcs12: Buffer.from(forge.asn1.toDer(p12Asn1).getBytes(), "binary"),
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

/** Checks a presented certificate (DER) against the CA: signature, issuer, dates, our SAN URIs. */
export function checkPeerCertificate(der: Buffer, caCertPem: string, now = new Date()): TPeerCheck {
  let x509: crypto.X509Certificate;
  let ca: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(der);
    ca = new crypto.X509Certificate(caCertPem);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (!x509.checkIssued(ca) || !x509.verify(ca.publicKey)) return { ok: false, reason: "foreign" };
  if (new Date(x509.validFrom) > now) return { ok: false, reason: "not-yet-valid" };
  if (new Date(x509.validTo) < now) return { ok: false, reason: "expired" };
  const uris = (x509.subjectAltName ?? "").split(/,\s*/).map((s) => s.replace(/^URI:/, ""));
  const facilityId = uris.find((u) => u.startsWith(FACILITY_URI_PREFIX))?.slice(FACILITY_URI_PREFIX.length);
  const terminalId = uris.find((u) => u.startsWith(TERMINAL_URI_PREFIX))?.slice(TERMINAL_URI_PREFIX.length);
  if (!facilityId || !terminalId) return { ok: false, reason: "malformed" };
  return { ok: true, identity: { serial: normalizeSerial(x509.serialNumber), facilityId, terminalId, notAfter: new Date(x509.validTo) } };
}
