import { describe, expect, it } from "vitest";
import { connectionLimitWarning, connectionsNeeded } from "@/lib/db/connections";

// The tests' embedded server runs with the default max_connections=200 (lib/db/embedded.ts).
describe("connectionLimitWarning", () => {
  it("is quiet when the database lets every worker's pools in", async () => {
    expect(await connectionLimitWarning(1)).toBeNull();
    expect(await connectionLimitWarning(2)).toBeNull();
    expect(await connectionLimitWarning(11)).toBeNull();
  });

  it("says what the database allows and what the workers may open when it is too little", async () => {
    const warning = await connectionLimitWarning(16);
    expect(warning).toContain(`16 worker process(es) may open ${connectionsNeeded(16)}`);
    expect(warning).toMatch(/lets 197 connections in \(max_connections 200, 3 reserved\)/);
    expect(warning).toContain("raise max_connections or lower WEB_CONCURRENCY");
  });
});
