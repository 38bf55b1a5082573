import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = {
  "@": path.resolve(import.meta.dirname),
  // `server-only` throws outside React Server Components; the data layer is tested directly.
  "server-only": path.resolve(import.meta.dirname, "tests/fixtures/empty-module.ts"),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" } },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/integration/global-setup.ts"],
          setupFiles: ["tests/integration/setup-file.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // two cores: one worker per core, each file on its own database
          maxWorkers: 2,
        },
      },
    ],
  },
});
