import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // server.ts runs Next in-process; these are only ever loaded on the server.
  serverExternalPackages: ["@node-rs/argon2", "node-forge", "pg"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Cache-Control", value: "no-store" },
        ],
      },
    ];
  },
};

export default nextConfig;
