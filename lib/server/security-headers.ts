import crypto from "node:crypto";

/**
 * The security headers of every response, set by server.ts alone (pages, API answers, files, the
 * certificate refusal, /healthz), so they are the same in direct TLS and behind nginx and no
 * second copy exists in next.config or proxy.ts. See docs/decisions/0018-security-headers.md.
 *
 * page: the portal's HTML (and Next's assets and RSC answers): scripts only with this response's
 *   nonce, which Next reads from the request's Content-Security-Policy header and puts on its own
 *   inline and bundle scripts; 'strict-dynamic' lets those load the chunks they need.
 * api: JSON, CSV, downloads: nothing may load, run or frame it.
 * file: /api/contents/…, a content's image or PDF: as api, but the portal's own pages may frame it
 *   (the PDF shown inline in the calendar and in notes).
 */
export type TPolicyKind = "page" | "api" | "file";

/** Set on a page's request (never trusted from the client: server.ts removes any incoming one) so Next finds the nonce. */
export const CSP_REQUEST_HEADERS = ["content-security-policy", "content-security-policy-report-only"] as const;

/** Two years, every subdomain: the portal is HTTPS only (direct TLS or nginx in front). No preload: that is the operator's decision for their domain. */
export const HSTS = "max-age=63072000; includeSubDomains";

/**
 * Powerful features nobody in the portal uses are off for it and anything it frames; passkeys
 * (WebAuthn) stay allowed for the portal's own origin. Only features Chromium recognises: an
 * unknown name is a console error on every page (Chromium 156 does not know `bluetooth`).
 */
export const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "browsing-topics=()",
  "camera=()",
  "compute-pressure=()",
  "display-capture=()",
  "fullscreen=(self)",
  "geolocation=()",
  "gyroscope=()",
  "hid=()",
  "identity-credentials-get=()",
  "idle-detection=()",
  "local-fonts=()",
  "magnetometer=()",
  "microphone=()",
  "midi=()",
  "otp-credentials=()",
  "payment=()",
  "publickey-credentials-create=(self)",
  "publickey-credentials-get=(self)",
  "screen-wake-lock=()",
  "serial=()",
  "storage-access=()",
  "usb=()",
  "window-management=()",
  "xr-spatial-tracking=()",
].join(", ");

/** 128 random bits, base64 (the alphabet Next's nonce parser accepts); a new one for every response. */
export function newNonce(): string {
  return crypto.randomBytes(16).toString("base64");
}

/**
 * Which policy a request's path gets; the path is resolved first, so `/api/contents/../x` is `/x`.
 * A target no URL parser accepts gets the strictest.
 */
export function policyKindOf(url: string): TPolicyKind {
  let pathname: string;
  try {
    pathname = new URL(url, "http://localhost").pathname;
  } catch {
    return "api";
  }
  if (pathname.startsWith("/api/contents/")) return "file";
  if (pathname.startsWith("/api/") || pathname === "/healthz") return "api";
  return "page";
}

/**
 * The Content-Security-Policy of a kind of response. `dev` is `next dev`: React there evaluates
 * server error stacks ('unsafe-eval') and hot reloading inserts <style> elements without a nonce
 * ('unsafe-inline', which a nonce in the same directive would switch off). Never in production.
 */
export function contentSecurityPolicy(kind: TPolicyKind, opts: { nonce: string; dev: boolean }): string {
  if (kind !== "page") {
    return [
      "default-src 'none'",
      // Chromium's own image and JSON viewers style their elements by attribute.
      "style-src-attr 'unsafe-inline'",
      `frame-ancestors ${kind === "file" ? "'self'" : "'none'"}`,
      "base-uri 'none'",
      "form-action 'none'",
    ].join("; ");
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(opts.nonce)) throw new Error("a CSP nonce must be base64");
  const nonce = `'nonce-${opts.nonce}'`;
  return [
    "default-src 'self'",
    // script-src comes before any other script directive: Next takes the nonce from the first one.
    `script-src 'self' ${nonce} 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${opts.dev ? "'unsafe-inline'" : nonce}`,
    // React writes `style` attributes (the calendar grid's columns, facility colours, the image
    // viewer's zoom); attributes cannot carry a nonce, and no script runs from an attribute.
    "style-src-attr 'unsafe-inline'",
    // data: for QR codes drawn as data URLs (second-factor set-up); blob: only names bytes a
    // script of the page already holds
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    // a content's PDF from /api/contents, inside the calendar and notes
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Every security header of a response of this kind (names in lower case, as Node keeps them). */
export function securityHeaders(kind: TPolicyKind, opts: { nonce: string; dev: boolean }): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(kind, opts),
    "strict-transport-security": HSTS,
    "permissions-policy": PERMISSIONS_POLICY,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    // for browsers older than frame-ancestors; the same answer
    "x-frame-options": kind === "file" ? "SAMEORIGIN" : "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}
