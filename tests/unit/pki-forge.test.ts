import crypto from "node:crypto";
import forge from "node-forge";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkPeerCertificate,
  createCa,
  decryptKey,
  encryptKey,
  FACILITY_URI_PREFIX,
  issueServerCertificate,
  issueTerminalCertificate,
  newOneTimePassword,
  normalizeSerial,
  TERMINAL_URI_PREFIX,
  type TCaMaterial,
} from "@/lib/pki/forge";

const derOf = (certPem: string) => new crypto.X509Certificate(certPem).raw;

function openPkcs12(bytes: Buffer, password: string) {
  return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString("binary")), password);
}

const terminalInput = {
  facilityId: "0b9a3e52-7d7c-4f57-a0d5-1d3c6f0e8a11",
  facilityCode: "F0001",
  facilityName: "ちいき総合病院",
  terminalId: "5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b",
  terminalName: "外来1",
  days: 30,
  password: "OneTimePass23",
};

let ca: TCaMaterial;
let otherCa: TCaMaterial;

beforeAll(() => {
  ca = createCa("ChiikiLink");
  // same network name: only the key (and key identifier) tell the two apart
  otherCa = createCa("ChiikiLink");
});

describe("createCa", () => {
  it("makes a self-signed CA certificate with its key", () => {
    const x509 = new crypto.X509Certificate(ca.certPem);
    expect(x509.ca).toBe(true);
    expect(x509.subject).toContain("CN=ChiikiLink Network CA");
    expect(x509.checkIssued(x509)).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(crypto.createPrivateKey(ca.keyPem))).toBe(true);
  });
});

describe("issueTerminalCertificate / checkPeerCertificate", () => {
  it("issues a certificate the CA check accepts, with the facility and terminal ids", () => {
    const issued = issueTerminalCertificate(ca, terminalInput);
    const check = checkPeerCertificate(derOf(issued.certPem), ca.certPem);
    expect(check).toEqual({
      ok: true,
      identity: {
        serial: issued.serial,
        facilityId: terminalInput.facilityId,
        terminalId: terminalInput.terminalId,
        notAfter: expect.any(Date),
      },
    });
    if (!check.ok) throw new Error("unreachable");
    // the certificate's time has second precision
    expect(Math.abs(check.identity.notAfter.getTime() - issued.notAfter.getTime())).toBeLessThan(1000);
    expect(issued.serial).toMatch(/^[1-7][0-9a-f]{31}$/);
    expect(issued.serial).toBe(normalizeSerial(new crypto.X509Certificate(issued.certPem).serialNumber));
  });

  it("writes the subject, validity and client-auth usage", () => {
    const now = new Date("2026-01-10T00:00:00.000Z");
    const issued = issueTerminalCertificate(ca, { ...terminalInput, now });
    expect(issued.subject).toBe("CN=F0001 外来1, OU=F0001, O=ちいき総合病院, C=JP");
    expect(issued.notBefore.toISOString()).toBe("2026-01-09T23:59:00.000Z");
    expect(issued.notAfter.toISOString()).toBe("2026-02-09T00:00:00.000Z");
    const x509 = new crypto.X509Certificate(issued.certPem);
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toContain("1.3.6.1.5.5.7.3.2");
    expect(x509.subjectAltName).toBe(
      `URI:${FACILITY_URI_PREFIX}${terminalInput.facilityId}, URI:${TERMINAL_URI_PREFIX}${terminalInput.terminalId}`,
    );
    expect(x509.subject).toContain("OU=F0001");
    expect(x509.subject).toContain("O=ちいき総合病院");
  });

  it("gives every certificate its own serial", () => {
    const a = issueTerminalCertificate(ca, terminalInput);
    const b = issueTerminalCertificate(ca, terminalInput);
    expect(a.serial).not.toBe(b.serial);
  });

  it("refuses a certificate from another CA as foreign", () => {
    const issued = issueTerminalCertificate(otherCa, terminalInput);
    expect(checkPeerCertificate(derOf(issued.certPem), ca.certPem)).toEqual({ ok: false, reason: "foreign" });
    // and the other CA accepts it
    expect(checkPeerCertificate(derOf(issued.certPem), otherCa.certPem).ok).toBe(true);
  });

  it("refuses a CA certificate presented as a client certificate as foreign", () => {
    expect(checkPeerCertificate(derOf(otherCa.certPem), ca.certPem)).toEqual({ ok: false, reason: "foreign" });
  });

  it("refuses an expired certificate", () => {
    const issued = issueTerminalCertificate(ca, { ...terminalInput, notAfter: new Date(Date.now() - 86_400_000) });
    expect(checkPeerCertificate(derOf(issued.certPem), ca.certPem)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a certificate checked after it expires", () => {
    const issued = issueTerminalCertificate(ca, { ...terminalInput, days: 1 });
    const later = new Date(Date.now() + 2 * 86_400_000);
    expect(checkPeerCertificate(derOf(issued.certPem), ca.certPem, later)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a certificate that is not yet valid", () => {
    const issued = issueTerminalCertificate(ca, { ...terminalInput, now: new Date(Date.now() + 86_400_000) });
    expect(checkPeerCertificate(derOf(issued.certPem), ca.certPem)).toEqual({ ok: false, reason: "not-yet-valid" });
  });

  it("refuses garbage as malformed", () => {
    expect(checkPeerCertificate(crypto.randomBytes(300), ca.certPem)).toEqual({ ok: false, reason: "malformed" });
    expect(checkPeerCertificate(Buffer.from("not a certificate"), ca.certPem)).toEqual({ ok: false, reason: "malformed" });
    expect(checkPeerCertificate(Buffer.alloc(0), ca.certPem)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses a truncated certificate as malformed", () => {
    const der = derOf(issueTerminalCertificate(ca, terminalInput).certPem);
    expect(checkPeerCertificate(der.subarray(0, der.length - 40), ca.certPem)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses a certificate of our CA without our SAN URIs as malformed", () => {
    const server = issueServerCertificate(ca, ["localhost"]);
    expect(checkPeerCertificate(derOf(server.certPem), ca.certPem)).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("the PKCS#12 file", () => {
  it("opens with the password and holds the key, the certificate and the CA", () => {
    const issued = issueTerminalCertificate(ca, terminalInput);
    const p12 = openPkcs12(issued.pkcs12, terminalInput.password);
    const certs = (p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? []).map((b) => b.cert!);
    expect(certs).toHaveLength(2);
    const leaf = certs.find((c) => c.subject.getField("OU")?.value === terminalInput.facilityCode);
    expect(leaf).toBeDefined();
    expect(normalizeSerial(leaf!.serialNumber)).toBe(issued.serial);
    expect(forge.pki.certificateToPem(leaf!)).toBe(issued.certPem);
    const caInFile = certs.find((c) => c !== leaf)!;
    expect(forge.pki.certificateToPem(caInFile)).toBe(forge.pki.certificateToPem(forge.pki.certificateFromPem(ca.certPem)));

    const keyBags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
    expect(keyBags).toHaveLength(1);
    const keyPem = forge.pki.privateKeyToPem(keyBags[0]!.key!);
    expect(new crypto.X509Certificate(issued.certPem).checkPrivateKey(crypto.createPrivateKey(keyPem))).toBe(true);
  });

  it("does not open with a wrong password", () => {
    const issued = issueTerminalCertificate(ca, terminalInput);
    expect(() => openPkcs12(issued.pkcs12, "WrongPassword9")).toThrow();
    expect(() => openPkcs12(issued.pkcs12, "")).toThrow();
  });

  it("opens in Node's own TLS stack with the password", async () => {
    const tls = await import("node:tls");
    const issued = issueTerminalCertificate(ca, terminalInput);
    expect(() => tls.createSecureContext({ pfx: issued.pkcs12, passphrase: terminalInput.password })).not.toThrow();
    expect(() => tls.createSecureContext({ pfx: issued.pkcs12, passphrase: "WrongPassword9" })).toThrow();
  });
});

describe("normalizeSerial", () => {
  it.each([
    ["ABCDEF0123", "abcdef0123"],
    ["00ABCD", "abcd"],
    ["0001", "1"],
    ["0", "0"],
    ["0000", "0"],
    ["1a2b", "1a2b"],
    ["10", "10"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeSerial(input)).toBe(expected);
  });
});

describe("issueServerCertificate", () => {
  it("covers the host names and addresses given, signed by the CA, for server auth", () => {
    const server = issueServerCertificate(ca, ["portal.chiikilink.example", "localhost", "127.0.0.1", "192.168.10.5"]);
    const x509 = new crypto.X509Certificate(server.certPem);
    expect(x509.subjectAltName).toBe(
      "DNS:portal.chiikilink.example, DNS:localhost, IP Address:127.0.0.1, IP Address:192.168.10.5",
    );
    expect(x509.subject).toContain("CN=portal.chiikilink.example");
    expect(x509.checkHost("portal.chiikilink.example")).toBe("portal.chiikilink.example");
    expect(x509.checkHost("other.example")).toBeUndefined();
    expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x509.keyUsage).toContain("1.3.6.1.5.5.7.3.1");
    expect(x509.checkIssued(new crypto.X509Certificate(ca.certPem))).toBe(true);
    expect(x509.verify(new crypto.X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x509.checkPrivateKey(crypto.createPrivateKey(server.keyPem))).toBe(true);
  });

  it("takes an IPv6 address as an IP SAN", () => {
    const x509 = new crypto.X509Certificate(issueServerCertificate(ca, ["localhost", "::1"]).certPem);
    expect(x509.subjectAltName).toMatch(/^DNS:localhost, IP Address:(0:0:0:0:0:0:0:1|::1)$/);
  });
});

describe("newOneTimePassword", () => {
  it("is twelve characters without look-alikes", () => {
    for (let i = 0; i < 200; i++) {
      const p = newOneTimePassword();
      expect(p).toHaveLength(12);
      expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{12}$/);
      expect(p).not.toMatch(/[0O1lI]/);
    }
  });

  it("differs each time", () => {
    const seen = new Set(Array.from({ length: 100 }, () => newOneTimePassword()));
    expect(seen.size).toBe(100);
  });
});

describe("encryptKey / decryptKey", () => {
  it("round-trips the CA key", () => {
    const encrypted = encryptKey(ca.keyPem, "a-long-enough-passphrase");
    expect(encrypted).toContain("ENCRYPTED");
    expect(encrypted).not.toBe(ca.keyPem);
    const decrypted = decryptKey(encrypted, "a-long-enough-passphrase");
    // same key (the PEM may be re-encoded)
    const a = crypto.createPrivateKey(decrypted).export({ type: "pkcs1", format: "der" });
    const b = crypto.createPrivateKey(ca.keyPem).export({ type: "pkcs1", format: "der" });
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it("throws with a wrong passphrase", () => {
    const encrypted = encryptKey(ca.keyPem, "a-long-enough-passphrase");
    expect(() => decryptKey(encrypted, "another-long-passphrase")).toThrow();
    expect(() => decryptKey(encrypted, "")).toThrow();
  });
});
