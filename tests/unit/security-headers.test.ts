import { describe, expect, it } from "vitest";
import { getScriptNonceFromHeader } from "next/dist/server/app-render/get-script-nonce-from-header";
import { contentSecurityPolicy, HSTS, newNonce, PERMISSIONS_POLICY, policyKindOf, securityHeaders } from "@/lib/server/security-headers";

/** A policy as a map: directive → its sources. */
const directives = (csp: string) => new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));

describe("policyKindOf", () => {
  it("gives pages, Next's assets and the login page the page policy", () => {
    for (const url of ["/", "/login", "/login?callbackUrl=%2Fmail", "/patients/0b9a3e52-7d7c-4f57-a0d5-1d3c6f0e8a11?zoom=day", "/_next/static/chunks/a.js", "/apix", "/api"]) {
      expect(policyKindOf(url), url).toBe("page");
    }
  });

  it("gives API routes and /healthz the API policy", () => {
    for (const url of ["/api/session", "/api/auth/csrf", "/api/contents", "/api/consents/1/scan", "/api/mail/messages/1/attachments/2", "/healthz"]) {
      expect(policyKindOf(url), url).toBe("api");
    }
  });

  it("lets only a content's files be framed, after resolving the path", () => {
    expect(policyKindOf("/api/contents/1/files/2")).toBe("file");
    expect(policyKindOf("/api/contents/1/files/2?download=1")).toBe("file");
    expect(policyKindOf("/api/contents/../patients/1")).toBe("api");
    expect(policyKindOf("/api/contents/%2e%2e/%2e%2e/patients")).toBe("page");
    expect(policyKindOf("/x/../api/contents/1/files/2")).toBe("file");
  });
});

describe("contentSecurityPolicy", () => {
  const nonce = newNonce();

  it("allows scripts only by this response's nonce, and never eval in production", () => {
    const d = directives(contentSecurityPolicy("page", { nonce, dev: false }));
    expect(d.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(d.get("style-src")).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(contentSecurityPolicy("page", { nonce, dev: false })).not.toMatch(/unsafe-eval|\*/);
    // 'unsafe-inline' only for style attributes
    expect([...d].filter(([, s]) => s.includes("'unsafe-inline'")).map(([n]) => n)).toEqual(["style-src-attr"]);
  });

  it("is the one Next takes the nonce from", () => {
    expect(getScriptNonceFromHeader(contentSecurityPolicy("page", { nonce, dev: false }))).toBe(nonce);
    expect(getScriptNonceFromHeader(contentSecurityPolicy("page", { nonce, dev: true }))).toBe(nonce);
  });

  it("names every directive a page needs and nothing from elsewhere", () => {
    const d = directives(contentSecurityPolicy("page", { nonce, dev: false }));
    expect(Object.fromEntries([...d].filter(([n]) => !["script-src", "style-src"].includes(n)))).toEqual({
      "default-src": ["'self'"],
      "style-src-attr": ["'unsafe-inline'"],
      "img-src": ["'self'", "data:", "blob:"],
      "font-src": ["'self'"],
      "connect-src": ["'self'"],
      "frame-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'none'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    });
  });

  it("adds eval and inline <style> for next dev only", () => {
    const d = directives(contentSecurityPolicy("page", { nonce, dev: true }));
    expect(d.get("script-src")).toContain("'unsafe-eval'");
    // a nonce next to 'unsafe-inline' would switch it off
    expect(d.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("lets API answers load nothing and be framed by nobody; a content's file by the portal only", () => {
    for (const dev of [false, true]) {
      const api = directives(contentSecurityPolicy("api", { nonce, dev }));
      expect(api.get("default-src")).toEqual(["'none'"]);
      expect(api.get("frame-ancestors")).toEqual(["'none'"]);
      expect(api.has("script-src")).toBe(false);
      const file = directives(contentSecurityPolicy("file", { nonce, dev }));
      expect(file.get("default-src")).toEqual(["'none'"]);
      expect(file.get("frame-ancestors")).toEqual(["'self'"]);
    }
  });

  it("refuses a nonce that could break out of the header", () => {
    for (const bad of ["", "abc'; script-src *", "a b", "abc;"]) {
      expect(() => contentSecurityPolicy("page", { nonce: bad, dev: false }), bad).toThrow(/base64/);
    }
  });
});

describe("newNonce", () => {
  it("is 128 random bits in base64, new each time", () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => newNonce()));
    expect(nonces.size).toBe(1000);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});

describe("securityHeaders", () => {
  const nonce = newNonce();

  it("sends HSTS, the permissions policy and the isolation headers on every kind", () => {
    for (const kind of ["page", "api", "file"] as const) {
      const h = securityHeaders(kind, { nonce, dev: false });
      expect(h["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
      expect(h["permissions-policy"]).toBe(PERMISSIONS_POLICY);
      expect(h["cross-origin-opener-policy"]).toBe("same-origin");
      expect(h["cross-origin-resource-policy"]).toBe("same-origin");
      expect(h["x-content-type-options"]).toBe("nosniff");
      expect(h["referrer-policy"]).toBe("no-referrer");
      expect(Object.keys(h).every((k) => k === k.toLowerCase())).toBe(true);
    }
    expect(HSTS).not.toContain("preload");
  });

  it("says the same about framing in X-Frame-Options as in frame-ancestors", () => {
    expect(securityHeaders("page", { nonce, dev: false })["x-frame-options"]).toBe("DENY");
    expect(securityHeaders("api", { nonce, dev: false })["x-frame-options"]).toBe("DENY");
    expect(securityHeaders("file", { nonce, dev: false })["x-frame-options"]).toBe("SAMEORIGIN");
  });

  it("turns off what the portal never uses and keeps passkeys for its own origin", () => {
    const features = new Map(PERMISSIONS_POLICY.split(", ").map((f) => f.split("=") as [string, string]));
    expect(features.get("publickey-credentials-get")).toBe("(self)");
    expect(features.get("publickey-credentials-create")).toBe("(self)");
    for (const off of ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "display-capture"]) expect(features.get(off), off).toBe("()");
    // allowed features are the portal's own origin at most, never a list of others or *
    for (const [name, allow] of features) expect(["()", "(self)"], name).toContain(allow);
  });
});
