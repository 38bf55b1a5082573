import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // server.ts runs Next in-process; these are only ever loaded on the server.
  serverExternalPackages: ["@node-rs/argon2", "node-forge", "pg", "pg-copy-streams", "iconv-lite"],
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
