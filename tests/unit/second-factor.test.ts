import crypto from "node:crypto";
import { TOTP, Secret, URI } from "otpauth";
import { describe, expect, it } from "vitest";
import { mayRemoveFactor, requirementFor, secondFactorStep, subjectsOf, type TPolicy } from "@/lib/auth/second-factor/policy";
import { formatRecoveryCode, newRecoveryCodes, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from "@/lib/auth/second-factor/recovery-codes";
import { relyingPartyOf, serverNamesOf } from "@/lib/auth/second-factor/relying-party";
import { openSecret, sealSecret } from "@/lib/auth/second-factor/secret-box";
import {
  acceptedTotpStep,
  base32Of,
  groupedBase32,
  looksLikeTotpCode,
  newTotpSecret,
  secretFromBase32,
  totpCodeFor,
  totpStepAt,
  totpUri,
} from "@/lib/auth/second-factor/totp";
import { DEMO_TOTP_SECRET } from "@/tests/fixtures/demo-constants";

describe("the policy's lines and requirement", () => {
  const clinician = { roles: ["CLINICIAN"] as const, hasEmsPrivilege: false };
  const emsDoctor = { roles: ["CLINICIAN"] as const, hasEmsPrivilege: true };
  const secretariatAdmin = { roles: ["SECRETARIAT", "FACILITY_ADMIN"] as const, hasEmsPrivilege: false };

  it("names one line per role and one for EMS privilege", () => {
    expect(subjectsOf(clinician)).toEqual(["CLINICIAN"]);
    expect(subjectsOf(emsDoctor)).toEqual(["CLINICIAN", "EMS_PRIVILEGED"]);
    expect(subjectsOf(secretariatAdmin)).toEqual(["FACILITY_ADMIN", "SECRETARIAT"]);
    expect(subjectsOf({ roles: [], hasEmsPrivilege: false })).toEqual([]);
  });

  it("is OPTIONAL for everyone without configuration", () => {
    for (const u of [clinician, emsDoctor, secretariatAdmin, { roles: [], hasEmsPrivilege: false }]) expect(requirementFor({}, u)).toBe("OPTIONAL");
  });

  it("takes the strictest line that applies", () => {
    const demo: TPolicy = { SECRETARIAT: "REQUIRED", EMS_PRIVILEGED: "REQUIRED" };
    expect(requirementFor(demo, clinician)).toBe("OPTIONAL");
    expect(requirementFor(demo, emsDoctor)).toBe("REQUIRED");
    expect(requirementFor(demo, secretariatAdmin)).toBe("REQUIRED");
    const off: TPolicy = { CLINICIAN: "OFF", FACILITY_ADMIN: "OFF" };
    expect(requirementFor(off, clinician)).toBe("OFF");
    // a line without a row is OPTIONAL, which is stricter than OFF
    expect(requirementFor(off, emsDoctor)).toBe("OPTIONAL");
    expect(requirementFor(off, secretariatAdmin)).toBe("OPTIONAL");
    expect(requirementFor({ ...off, SECRETARIAT: "OFF" }, secretariatAdmin)).toBe("OFF");
    expect(requirementFor({ CLINICIAN: "REQUIRED", EMS_PRIVILEGED: "OFF" }, emsDoctor)).toBe("REQUIRED");
  });

  it("asks a session to verify an enrolled factor, to enrol under REQUIRED, and nothing under OFF or once passed", () => {
    const cases: [Parameters<typeof secondFactorStep>[0], boolean, boolean, string][] = [
      ["OFF", false, false, "none"],
      ["OFF", true, false, "none"],
      ["OPTIONAL", false, false, "none"],
      ["OPTIONAL", true, false, "verify"],
      ["REQUIRED", false, false, "enrol"],
      ["REQUIRED", true, false, "verify"],
      ["REQUIRED", true, true, "none"],
      ["REQUIRED", false, true, "none"],
      ["OPTIONAL", true, true, "none"],
    ];
    for (const [requirement, isEnrolled, isPassed, step] of cases) expect(secondFactorStep(requirement, { isEnrolled, isPassed }), `${requirement} ${isEnrolled} ${isPassed}`).toBe(step);
  });

  it("lets a user remove their last factor unless REQUIRED", () => {
    expect(mayRemoveFactor("REQUIRED", 0)).toBe(false);
    expect(mayRemoveFactor("REQUIRED", 1)).toBe(true);
    expect(mayRemoveFactor("OPTIONAL", 0)).toBe(true);
    expect(mayRemoveFactor("OFF", 0)).toBe(true);
  });
});

describe("TOTP (RFC 6238 through otpauth)", () => {
  const now = new Date("2026-12-07T02:00:10Z");
  const step = totpStepAt(now);

  it("matches RFC 6238's SHA-1 test vectors", () => {
    // Appendix B: the ASCII secret "12345678901234567890", 8 digits; our 6 digits are its last six.
    const secret = new TextEncoder().encode("12345678901234567890");
    for (const [time, code] of [
      [59, "94287082"],
      [1111111109, "07081804"],
      [1234567890, "89005924"],
      [2000000000, "69279037"],
    ] as const) {
      expect(totpCodeFor(secret, totpStepAt(time * 1000))).toBe(code.slice(-6));
    }
  });

  it("accepts the current step and one either side, nothing further", () => {
    const secret = newTotpSecret();
    expect(acceptedTotpStep(secret, totpCodeFor(secret, step), now, null)).toBe(step);
    expect(acceptedTotpStep(secret, totpCodeFor(secret, step - 1), now, null)).toBe(step - 1);
    expect(acceptedTotpStep(secret, totpCodeFor(secret, step + 1), now, null)).toBe(step + 1);
    expect(acceptedTotpStep(secret, totpCodeFor(secret, step - 2), now, null)).toBeNull();
    expect(acceptedTotpStep(secret, totpCodeFor(secret, step + 2), now, null)).toBeNull();
  });

  it("refuses a code for a step at or before the last one accepted (a replay, or an older code)", () => {
    const secret = newTotpSecret();
    const code = totpCodeFor(secret, step);
    expect(acceptedTotpStep(secret, code, now, step)).toBeNull();
    expect(acceptedTotpStep(secret, totpCodeFor(secret, step - 1), now, step)).toBeNull();
    expect(acceptedTotpStep(secret, totpCodeFor(secret, step + 1), now, step)).toBe(step + 1);
    expect(acceptedTotpStep(secret, code, now, step - 1)).toBe(step);
  });

  it("reads full-width digits and spaces as typed with an IME, and refuses anything not six digits", () => {
    const secret = newTotpSecret();
    const code = totpCodeFor(secret, step);
    const wide = code.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    expect(acceptedTotpStep(secret, `${wide.slice(0, 3)} ${wide.slice(3)}`, now, null)).toBe(step);
    expect(looksLikeTotpCode("12345")).toBe(false);
    expect(looksLikeTotpCode("1234567")).toBe(false);
    expect(looksLikeTotpCode("abcdef")).toBe(false);
    expect(acceptedTotpStep(secret, "", now, null)).toBeNull();
  });

  it("gives authenticator apps a standard otpauth:// URI and a Base32 key for manual entry", () => {
    const secret = newTotpSecret();
    expect(secret).toHaveLength(20);
    const uri = totpUri(secret, "jimukyoku");
    expect(uri).toMatch(/^otpauth:\/\/totp\/ChiikiLink:jimukyoku\?/);
    const parsed = URI.parse(uri) as TOTP;
    expect(parsed).toBeInstanceOf(TOTP);
    expect([parsed.issuer, parsed.label, parsed.algorithm, parsed.digits, parsed.period]).toEqual(["ChiikiLink", "jimukyoku", "SHA1", 6, 30]);
    expect(parsed.secret.base32).toBe(base32Of(secret));
    expect(groupedBase32(secret).replaceAll(" ", "")).toBe(base32Of(secret));
    expect(secretFromBase32(groupedBase32(secret).toLowerCase())).toEqual(secret);
    // what an app computes from the key equals what the server expects
    expect(new TOTP({ secret: Secret.fromBase32(base32Of(secret)) }).generate({ timestamp: now.getTime() })).toBe(totpCodeFor(secret, step));
  });

  it("has a demo secret of 20 bytes", () => {
    expect(secretFromBase32(DEMO_TOTP_SECRET)).toHaveLength(20);
  });
});

describe("the sealed TOTP secret (AES-256-GCM, key by HKDF from AUTH_SECRET)", () => {
  const authSecret = "a".repeat(40);
  const userId = crypto.randomUUID();

  it("opens for the same user and secret, and is different every time it is sealed", () => {
    const secret = newTotpSecret();
    const a = sealSecret(secret, userId, authSecret);
    const b = sealSecret(secret, userId, authSecret);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain(Buffer.from(secret).toString("base64url"));
    expect(openSecret(a, userId, authSecret)).toEqual(secret);
  });

  it("does not open for another user, under another AUTH_SECRET, or when changed", () => {
    const sealed = sealSecret(newTotpSecret(), userId, authSecret);
    expect(openSecret(sealed, crypto.randomUUID(), authSecret)).toBeNull();
    expect(openSecret(sealed, userId, "b".repeat(40))).toBeNull();
    const [v, iv, tag, ct] = sealed.split(".");
    const flipped = Buffer.from(ct!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(openSecret([v, iv, tag, flipped.toString("base64url")].join("."), userId, authSecret)).toBeNull();
    expect(openSecret([v, iv, tag!.slice(0, 8), ct].join("."), userId, authSecret)).toBeNull();
    expect(openSecret("v2.x.y.z", userId, authSecret)).toBeNull();
    expect(openSecret("garbage", userId, authSecret)).toBeNull();
  });
});

describe("recovery codes", () => {
  it("are ten distinct 10-character codes, shown as xxxxx-xxxxx", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const c of codes) {
      expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{10}$/);
      expect(formatRecoveryCode(c)).toMatch(/^.{5}-.{5}$/);
      expect(normalizeRecoveryCode(formatRecoveryCode(c))).toBe(c);
    }
  });

  it("read as typed: any case, spaces, hyphens, full width, O for 0 and I or L for 1", () => {
    expect(normalizeRecoveryCode(" AB0C1-DE2FG ")).toBe("ab0c1de2fg");
    expect(normalizeRecoveryCode("abOcI-de2fL")).toBe("ab0c1de2f1");
    expect(normalizeRecoveryCode("ＡＢ０Ｃ１－ＤＥ２ＦＧ")).toBe("ab0c1de2fg");
    expect(normalizeRecoveryCode("ab0c1de2f")).toBeNull();
    expect(normalizeRecoveryCode("ab0c1de2fgh")).toBeNull();
    expect(normalizeRecoveryCode("ab0c1-de2fu")).toBeNull();
    expect(normalizeRecoveryCode("123456")).toBeNull();
  });
});

describe("the WebAuthn relying party of a request", () => {
  const names = serverNamesOf({ PUBLIC_HOSTNAMES: "localhost, 127.0.0.1, Portal.example.jp", NEXTAUTH_URL: "https://chiiki.example.jp:8443" });

  it("knows the server's names from PUBLIC_HOSTNAMES and NEXTAUTH_URL", () => {
    expect(names).toEqual(["localhost", "127.0.0.1", "portal.example.jp", "chiiki.example.jp"]);
  });

  it("is the host name reached, with the origin including its port", () => {
    expect(relyingPartyOf("localhost:3543", names)).toEqual({ rpId: "localhost", origin: "https://localhost:3543" });
    expect(relyingPartyOf("portal.example.jp", names)).toEqual({ rpId: "portal.example.jp", origin: "https://portal.example.jp" });
    expect(relyingPartyOf("chiiki.example.jp:8443", names)).toEqual({ rpId: "chiiki.example.jp", origin: "https://chiiki.example.jp:8443" });
  });

  it("is none for a name the server does not answer to, an IP address, or a malformed Host", () => {
    for (const host of [null, "", "evil.example.jp", "127.0.0.1:3543", "[::1]:3543", "localhost:3543/x", "user@localhost", "localhost:3543?x", "localhost:99999"]) {
      expect(relyingPartyOf(host, names), String(host)).toBeNull();
    }
  });
});
