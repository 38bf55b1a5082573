import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import tls from "node:tls";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCsr, CsrError, type TCsrProblem } from "@/lib/pki/csr";
import { checkPeerCertificate, createCa, FACILITY_URI_PREFIX, issueTerminalCertificateFromCsr, TERMINAL_URI_PREFIX, type TCaMaterial } from "@/lib/pki/forge";
import { opensslCsr, tamperedCsr, type TTerminalCsr } from "@/tests/fixtures/csr";

const terminal = {
  facilityId: "0b9a3e52-7d7c-4f57-a0d5-1d3c6f0e8a11",
  facilityCode: "F0001",
  facilityName: "ちいき総合病院",
  terminalId: "5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b",
  terminalName: "外来1",
  days: 30,
};

function problemOf(pem: string): { problem: TCsrProblem; vars: Record<string, string | number> } {
  try {
    checkCsr(pem);
  } catch (err) {
    if (err instanceof CsrError) return { problem: err.problem, vars: err.vars };
    throw err;
  }
  throw new Error("the request was accepted");
}

let ca: TCaMaterial;
let rsa: TTerminalCsr;
let ec: TTerminalCsr;
const made: TTerminalCsr[] = [];
const make = (...args: Parameters<typeof opensslCsr>) => {
  const csr = opensslCsr(...args);
  made.push(csr);
  return csr;
};

beforeAll(() => {
  ca = createCa("ChiikiLink");
  rsa = make("rsa2048", { subject: "/CN=whatever the terminal says/O=Not Us" });
  ec = make("ec-p256");
});

afterAll(() => {
  for (const c of made) fs.rmSync(c.dir, { recursive: true, force: true });
});

describe("checkCsr", () => {
  it("reads an openssl RSA-2048 request: its key, as the terminal holds it", () => {
    const csr = checkCsr(rsa.csrPem);
    expect(csr.keyType).toBe("rsa");
    expect(csr.keyLabel).toBe("RSA 2048");
    const fromKey = crypto.createPublicKey(crypto.createPrivateKey(rsa.keyPem)).export({ type: "spki", format: "der" });
    expect(csr.spkiDer.equals(fromKey)).toBe(true);
    expect(csr.publicKeySha256).toBe(crypto.createHash("sha256").update(fromKey).digest("hex"));
  });

  it("reads EC P-256 and P-384 requests", () => {
    expect(checkCsr(ec.csrPem)).toMatchObject({ keyType: "ec", keyLabel: "EC P-256" });
    expect(checkCsr(make("ec-p384").csrPem)).toMatchObject({ keyType: "ec", keyLabel: "EC P-384" });
  });

  it("reads a request node-forge made, with Windows line ends and text around it", () => {
    const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
    const req = forge.pki.createCertificationRequest();
    req.publicKey = keys.publicKey;
    req.setSubject([{ name: "commonName", value: "forge" }]);
    req.sign(keys.privateKey, forge.md.sha256.create());
    const pem = `Here is our CSR:\r\n${forge.pki.certificationRequestToPem(req)}\r\nThanks`;
    expect(checkCsr(pem).keyLabel).toBe("RSA 2048");
  });

  it("refuses a request whose contents were changed after signing", () => {
    expect(problemOf(tamperedCsr(rsa.csrPem, "whatever", "WHATEVER"))).toEqual({ problem: "badSignature", vars: {} });
    expect(problemOf(tamperedCsr(ec.csrPem, "terminal-made", "terminal-MADE"))).toEqual({ problem: "badSignature", vars: {} });
  });

  it("refuses a weak RSA key, saying its size", () => {
    expect(problemOf(make("rsa1024").csrPem)).toEqual({ problem: "weakKey", vars: { key: "RSA 1024" } });
  });

  it("refuses keys it does not accept, naming them", () => {
    expect(problemOf(make("ec-secp256k1").csrPem)).toEqual({ problem: "unsupportedKey", vars: { key: "EC secp256k1" } });
    expect(problemOf(make("ed25519").csrPem)).toEqual({ problem: "unsupportedKey", vars: { key: "ED25519" } });
  });

  it("refuses a SHA-1 signature as weak", () => {
    expect(problemOf(make("rsa2048", { digest: "sha1" }).csrPem)).toEqual({ problem: "weakSignature", vars: { algorithm: "SHA-1 with RSA" } });
  });

  it("refuses a pasted private key without reading it", () => {
    expect(problemOf(rsa.keyPem).problem).toBe("privateKey");
    expect(problemOf(`${rsa.csrPem}\n${ec.keyPem}`).problem).toBe("privateKey");
  });

  it("refuses text that is not one PEM request", () => {
    expect(problemOf("").problem).toBe("required");
    expect(problemOf("   \n ").problem).toBe("required");
    expect(problemOf("hello").problem).toBe("notPem");
    expect(problemOf(ca.certPem).problem).toBe("notPem");
    expect(problemOf(`${rsa.csrPem}\n${ec.csrPem}`).problem).toBe("notPem");
    expect(problemOf("x".repeat(20_000)).problem).toBe("tooLong");
  });

  it("refuses a damaged request as malformed", () => {
    const body = rsa.csrPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    const wrap = (b64: string) => `-----BEGIN CERTIFICATE REQUEST-----\n${b64}\n-----END CERTIFICATE REQUEST-----`;
    const der = Buffer.from(body, "base64");
    expect(problemOf(wrap(der.subarray(0, der.length - 30).toString("base64"))).problem).toBe("malformed");
    expect(problemOf(wrap(Buffer.concat([der, Buffer.from([0])]).toString("base64"))).problem).toBe("malformed");
    expect(problemOf(wrap(crypto.randomBytes(300).toString("base64"))).problem).toBe("malformed");
    expect(problemOf(wrap("not*base64!"))).toEqual({ problem: "malformed", vars: {} });
    // a certificate's body under a request's header
    expect(problemOf(wrap(new crypto.X509Certificate(ca.certPem).raw.toString("base64"))).problem).toBe("malformed");
  });
});

describe("issueTerminalCertificateFromCsr", () => {
  it.each(["rsa", "ec"] as const)("certifies the %s key of the request under the network's subject, signed by the CA", (kind) => {
    const source = kind === "rsa" ? rsa : ec;
    const issued = issueTerminalCertificateFromCsr(ca, checkCsr(source.csrPem), terminal);
    const x509 = new crypto.X509Certificate(issued.certPem);
    const caX509 = new crypto.X509Certificate(ca.certPem);
    expect(x509.checkIssued(caX509)).toBe(true);
    expect(x509.verify(caX509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(crypto.createPrivateKey(source.keyPem))).toBe(true);
    // the request's own subject is ignored
    expect(issued.subject).toBe("CN=F0001 外来1, OU=F0001, O=ちいき総合病院, C=JP");
    expect(x509.subject).not.toContain("whatever");
    expect(x509.subject).toContain("OU=F0001");
    expect(x509.subjectAltName).toBe(`URI:${FACILITY_URI_PREFIX}${terminal.facilityId}, URI:${TERMINAL_URI_PREFIX}${terminal.terminalId}`);
    expect(x509.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(x509.ca).toBe(false);
    expect(checkPeerCertificate(x509.raw, ca.certPem)).toMatchObject({ ok: true, identity: { serial: issued.serial, facilityId: terminal.facilityId, terminalId: terminal.terminalId } });
    // Node's TLS stack takes the terminal's key with the certificate
    expect(() => tls.createSecureContext({ key: source.keyPem, cert: issued.certPem })).not.toThrow();
  });

  it("writes what OpenSSL reads: the chain verifies, the key identifier is the key's, EC keys only sign", () => {
    const issued = issueTerminalCertificateFromCsr(ca, checkCsr(ec.csrPem), terminal);
    const caFile = path.join(ec.dir, "ca.crt");
    const crtFile = path.join(ec.dir, "issued.crt");
    fs.writeFileSync(caFile, ca.certPem);
    fs.writeFileSync(crtFile, issued.certPem);
    expect(execFileSync("openssl", ["verify", "-purpose", "sslclient", "-CAfile", caFile, crtFile], { encoding: "utf8" })).toContain("OK");
    const text = execFileSync("openssl", ["x509", "-in", crtFile, "-noout", "-text"], { encoding: "utf8" });
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text).toContain("NIST CURVE: P-256");
    // OpenSSL's own hash of the key (its key identifier for a request signed by that key)
    const ski = execFileSync("openssl", ["x509", "-in", crtFile, "-noout", "-ext", "subjectKeyIdentifier"], { encoding: "utf8" });
    const selfSigned = path.join(ec.dir, "self.crt");
    execFileSync("openssl", ["req", "-x509", "-key", ec.keyFile, "-subj", "/CN=x", "-days", "1", "-out", selfSigned]);
    const expected = execFileSync("openssl", ["x509", "-in", selfSigned, "-noout", "-ext", "subjectKeyIdentifier"], { encoding: "utf8" });
    expect(ski.split("\n")[1]!.trim()).toBe(expected.split("\n")[1]!.trim());
  });

  it("gives every certificate its own serial, also for the same request", () => {
    const csr = checkCsr(rsa.csrPem);
    expect(issueTerminalCertificateFromCsr(ca, csr, terminal).serial).not.toBe(issueTerminalCertificateFromCsr(ca, csr, terminal).serial);
  });
});
