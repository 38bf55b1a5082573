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
  async headers() {
    return [
      {
        // Nothing is framed, except a content's PDF inside the portal's own pages (shown inline).
        source: "/((?!api/contents/).*)",
        headers: [{ key: "X-Frame-Options", value: "DENY" }],
      },
      {
        source: "/api/contents/:path*",
        headers: [
          { key: "X-Frame-Options", value: "SAMEORIGIN" },
          { key: "Content-Security-Policy", value: "frame-ancestors 'self'" },
        ],
      },
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Cache-Control", value: "no-store" },
        ],
      },
    ];
  },
};

export default nextConfig;
