import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { env, resetEnvCache } from "@/lib/env";
import { connectionsNeeded } from "@/lib/db/connections";

// Next's types make NODE_ENV read-only; these tests set it as an operator would.
const vars = process.env as Record<string, string | undefined>;
const saved = { NODE_ENV: vars.NODE_ENV, WEB_CONCURRENCY: vars.WEB_CONCURRENCY };

/** env() as it reads these two settings (undefined: unset). */
function envWith(settings: { NODE_ENV?: string; WEB_CONCURRENCY?: string }) {
  for (const name of ["NODE_ENV", "WEB_CONCURRENCY"] as const) {
    if (settings[name] === undefined) delete vars[name];
    else vars[name] = settings[name];
  }
  resetEnvCache();
  return env();
}

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete vars[name];
    else vars[name] = value;
  }
  resetEnvCache();
});

describe("WEB_CONCURRENCY", () => {
  it("defaults to one process per core in production, one process otherwise", () => {
    expect(envWith({ NODE_ENV: "production" }).webConcurrency).toBe(Math.min(64, os.availableParallelism()));
    expect(envWith({ NODE_ENV: "development" }).webConcurrency).toBe(1);
    expect(envWith({ NODE_ENV: "test" }).webConcurrency).toBe(1);
    expect(envWith({}).webConcurrency).toBe(1);
  });

  it("takes a whole number from 1 to 64", () => {
    expect(envWith({ NODE_ENV: "production", WEB_CONCURRENCY: "1" }).webConcurrency).toBe(1);
    expect(envWith({ NODE_ENV: "production", WEB_CONCURRENCY: "64" }).webConcurrency).toBe(64);
    expect(envWith({ NODE_ENV: "development", WEB_CONCURRENCY: "3" }).webConcurrency).toBe(3);
  });

  it("refuses anything else with a message that names the setting", () => {
    for (const bad of ["0", "65", "2.5", "-1", "two", ""]) {
      expect(() => envWith({ NODE_ENV: "production", WEB_CONCURRENCY: bad }), bad).toThrow(/WEB_CONCURRENCY: must be a whole number of worker processes, 1 to 64/);
    }
  });
});

describe("connectionsNeeded", () => {
  it("counts both pools of each worker and the primary's pool", () => {
    expect(connectionsNeeded(1)).toBe(14);
    expect(connectionsNeeded(2)).toBe(2 * 14 + 10);
    expect(connectionsNeeded(64)).toBe(64 * 14 + 10);
  });
});
