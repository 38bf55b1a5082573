import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // server.ts runs Next in-process; these are only ever loaded on the server.
  serverExternalPackages: ["@node-rs/argon2", "node-forge", "pg", "pg-copy-streams", "iconv-lite", "nodemailer"],
  experimental: {
    // Notes carry up to 30 MB of files (UPLOAD_MAX_MB; seed 000). The limits sit above it so our own
    // check answers an oversized note with a clear message instead of a cut-off body.
    serverActions: { bodySizeLimit: "48mb" },
    proxyClientMaxBodySize: "48mb",
  },
  // The security headers (CSP, HSTS, framing, …) are server.ts's, for every response: see
  // lib/server/security-headers.ts. Only caching is said here.
  async headers() {
    return [{ source: "/:path*", headers: [{ key: "Cache-Control", value: "no-store" }] }];
  },
};

export default nextConfig;
