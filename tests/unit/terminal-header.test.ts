import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeTerminalHeader, encodeTerminalHeader, TERMINAL_HEADER, type TTerminal } from "@/lib/auth/terminal";

const secret = "unit-test-secret-unit-test-secret-0123";
const otherSecret = "another-secret-another-secret-another-9";

const terminal: TTerminal = {
  serial: "1a2b3c4d5e6f708192a3b4c5d6e7f801",
  facilityId: "0b9a3e52-7d7c-4f57-a0d5-1d3c6f0e8a11",
  facilityCode: "F0001",
  facilityName: "ちいき総合病院",
  terminalId: "5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b",
  terminalName: "外来1 (診察室)",
  remoteAddress: "::ffff:192.168.0.10",
};

/** flips one character of a base64url string to another valid one */
const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);

describe("terminal header", () => {
  it("has a lower-case header name", () => {
    expect(TERMINAL_HEADER).toBe(TERMINAL_HEADER.toLowerCase());
  });

  it("round-trips a terminal", () => {
    const value = encodeTerminalHeader(terminal, secret);
    expect(value).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeTerminalHeader(value, secret)).toEqual(terminal);
  });

  it("round-trips a terminal without a remote address", () => {
    const { remoteAddress: _, ...t } = terminal;
    expect(decodeTerminalHeader(encodeTerminalHeader(t, secret), secret)).toEqual(t);
  });

  it("refuses a tampered payload", () => {
    const [payload, sig] = encodeTerminalHeader(terminal, secret).split(".") as [string, string];
    expect(decodeTerminalHeader(`${flip(payload, 5)}.${sig}`, secret)).toBeNull();
    // a different, well-formed terminal under the original signature
    const forged = Buffer.from(JSON.stringify({ ...terminal, facilityId: "another-facility" })).toString("base64url");
    expect(decodeTerminalHeader(`${forged}.${sig}`, secret)).toBeNull();
  });

  it("refuses a tampered signature", () => {
    const [payload, sig] = encodeTerminalHeader(terminal, secret).split(".") as [string, string];
    expect(decodeTerminalHeader(`${payload}.${flip(sig, 0)}`, secret)).toBeNull();
    expect(decodeTerminalHeader(`${payload}.${sig.slice(0, -1)}`, secret)).toBeNull();
    expect(decodeTerminalHeader(`${payload}.${sig}A`, secret)).toBeNull();
  });

  it("refuses a header signed with another secret", () => {
    expect(decodeTerminalHeader(encodeTerminalHeader(terminal, otherSecret), secret)).toBeNull();
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["empty", ""],
    ["a dot only", "."],
    ["no signature", "eyJzZXJpYWwiOiIxIn0"],
    ["empty signature", "eyJzZXJpYWwiOiIxIn0."],
    ["empty payload", ".abc"],
    ["garbage", "garbage!!.@@@"],
    ["random text", "not a header at all"],
  ])("refuses %s", (_name, value) => {
    expect(decodeTerminalHeader(value, secret)).toBeNull();
  });

  it("refuses a correctly signed payload that is not JSON", () => {
    // signed with the right secret, so only the JSON parse can refuse it
    const payload = Buffer.from("not json", "utf8").toString("base64url");
    const sig = crypto.createHmac("sha256", secret).update(payload).digest("base64url");
    expect(decodeTerminalHeader(`${payload}.${sig}`, secret)).toBeNull();
  });
});
