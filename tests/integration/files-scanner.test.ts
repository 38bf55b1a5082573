import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { parseClamdAddress, scanBytes } from "@/lib/files/scanner";
import { storeUpload } from "@/lib/files/store";

/**
 * ClamAV itself cannot run here (its signature database is downloaded from the internet), so a
 * small server on loopback speaks clamd's protocol: zVERSION, and zINSTREAM with 4-byte
 * big-endian chunk lengths and a zero-length end, answering "stream: OK" or reporting the
 * standard EICAR test file as "Eicar-Test-Signature FOUND", as clamd does.
 */

// Assembled at run time so that the source file itself is not the EICAR test file.
const EICAR = `X5O!P%@AP[4\\PZX54(P^)7CC)7}$${"EICAR-STANDARD-ANTIVIRUS"}-TEST-FILE!$H+H*`;
const VERSION = "ClamAV 1.4.3/27832/Sat Nov 22 08:00:00 2026";

type TClamdLog = { commands: string[]; streams: Buffer[]; chunkSizes: number[] };

function startClamd(listenOn: { port: 0 } | { path: string }, options: { maxStream?: number; silent?: boolean } = {}) {
  const log: TClamdLog = { commands: [], streams: [], chunkSizes: [] };
  const server = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    let command: string | null = null;
    const chunks: Buffer[] = [];
    socket.on("error", () => {});
    socket.on("data", (data) => {
      buffered = Buffer.concat([buffered, data]);
      if (options.silent) return;
      if (command === null) {
        const nul = buffered.indexOf(0);
        if (nul < 0) return;
        command = buffered.subarray(0, nul).toString("latin1");
        buffered = buffered.subarray(nul + 1);
        log.commands.push(command);
        if (command === "zVERSION") return void socket.end(`${VERSION}\0`);
        if (command !== "zINSTREAM") return void socket.end("UNKNOWN COMMAND\0");
      }
      // zINSTREAM: [length][bytes]… until a zero length
      while (buffered.length >= 4) {
        const length = buffered.readUInt32BE(0);
        if (length === 0) {
          const stream = Buffer.concat(chunks);
          log.streams.push(stream);
          const reply = stream.includes(EICAR) ? "stream: Eicar-Test-Signature FOUND" : "stream: OK";
          return void socket.end(`${reply}\0`);
        }
        if (buffered.length < 4 + length) return;
        chunks.push(buffered.subarray(4, 4 + length));
        log.chunkSizes.push(length);
        buffered = buffered.subarray(4 + length);
        if (options.maxStream !== undefined && chunks.reduce((n, c) => n + c.length, 0) > options.maxStream) {
          return void socket.end("INSTREAM size limit exceeded. ERROR\0");
        }
      }
    });
  });
  return new Promise<{ address: string; log: TClamdLog; close: () => Promise<void> }>((resolve) => {
    server.listen(listenOn, () => {
      const a = server.address();
      resolve({
        address: typeof a === "string" ? a : `127.0.0.1:${a?.port}`,
        log,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** A port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const setClamav = (address: string | undefined) => {
  if (address === undefined) delete process.env.CLAMAV_ADDRESS;
  else process.env.CLAMAV_ADDRESS = address;
  resetEnvCache();
};

const storedFiles = () => {
  const dir = process.env.FILE_STORE_DIR!;
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, String(f))).isFile()) : [];
};

let clamd: Awaited<ReturnType<typeof startClamd>>;
const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-clamd-"));

beforeAll(async () => {
  clamd = await startClamd({ port: 0 });
});

afterAll(async () => {
  await clamd.close();
  fs.rmSync(socketDir, { recursive: true, force: true });
});

afterEach(() => setClamav(undefined));

describe("scanBytes against a clamd-protocol server", () => {
  it("not configured: NOT_SCANNED, and nothing is contacted", async () => {
    setClamav(undefined);
    const before = clamd.log.commands.length;
    expect(await scanBytes(new TextEncoder().encode("hello"))).toEqual({ state: "NOT_SCANNED" });
    expect(clamd.log.commands.length).toBe(before);
  });

  it("a clean file: CLEAN with the engine's version, the bytes streamed in framed chunks", async () => {
    setClamav(clamd.address);
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    expect(await scanBytes(bytes)).toEqual({ state: "CLEAN", engine: VERSION });
    expect(clamd.log.commands.slice(-2)).toEqual(["zVERSION", "zINSTREAM"]);
    expect(Buffer.compare(clamd.log.streams.at(-1)!, Buffer.from(bytes))).toBe(0);
    expect(Math.max(...clamd.log.chunkSizes)).toBeLessThanOrEqual(64 * 1024);
  });

  it("the EICAR test file: INFECTED with the signature's name", async () => {
    setClamav(`tcp://${clamd.address}`);
    expect(await scanBytes(new TextEncoder().encode(`${EICAR}\r\n`))).toEqual({ state: "INFECTED", signature: "Eicar-Test-Signature" });
  });

  it("an empty stream is still a well-formed INSTREAM", async () => {
    setClamav(clamd.address);
    expect(await scanBytes(new Uint8Array(0))).toMatchObject({ state: "CLEAN" });
    expect(clamd.log.streams.at(-1)!.length).toBe(0);
  });

  it("over a unix socket", async () => {
    const local = await startClamd({ path: path.join(socketDir, "clamd.ctl") });
    try {
      setClamav(local.address);
      expect(await scanBytes(new TextEncoder().encode(EICAR))).toMatchObject({ state: "INFECTED" });
      setClamav(`unix://${local.address}`);
      expect(await scanBytes(new TextEncoder().encode("fine"))).toMatchObject({ state: "CLEAN" });
    } finally {
      await local.close();
    }
  });

  it("configured but unreachable: throws", async () => {
    setClamav(`127.0.0.1:${await closedPort()}`);
    await expect(scanBytes(new TextEncoder().encode("hello"))).rejects.toThrow(/clamd at 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    setClamav(path.join(socketDir, "no-such.sock"));
    await expect(scanBytes(new TextEncoder().encode("hello"))).rejects.toThrow(/clamd at .*no-such\.sock/);
  });

  it("a daemon that never answers: throws after the timeout", async () => {
    const silent = await startClamd({ port: 0 }, { silent: true });
    try {
      setClamav(silent.address);
      const started = Date.now();
      await expect(scanBytes(new TextEncoder().encode("hello"), { timeoutMs: 300 })).rejects.toThrow(/no answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });

  it("an error from the daemon (its stream size limit): throws with its words", async () => {
    const small = await startClamd({ port: 0 }, { maxStream: 100_000 });
    try {
      setClamav(small.address);
      await expect(scanBytes(new Uint8Array(300_000))).rejects.toThrow(/INSTREAM size limit exceeded/);
    } finally {
      await small.close();
    }
  });

  it("reads the address forms of CLAMAV_ADDRESS", () => {
    expect(parseClamdAddress("clamav:3310")).toEqual({ host: "clamav", port: 3310 });
    expect(parseClamdAddress("clamav")).toEqual({ host: "clamav", port: 3310 });
    expect(parseClamdAddress("tcp://10.0.0.5:3311")).toEqual({ host: "10.0.0.5", port: 3311 });
    expect(parseClamdAddress("[::1]:3310")).toEqual({ host: "::1", port: 3310 });
    expect(parseClamdAddress("/run/clamav/clamd.ctl")).toEqual({ path: "/run/clamav/clamd.ctl" });
    expect(parseClamdAddress("unix:///run/clamav/clamd.ctl")).toEqual({ path: "/run/clamav/clamd.ctl" });
    expect(parseClamdAddress("unix:/run/clamav/clamd.ctl")).toEqual({ path: "/run/clamav/clamd.ctl" });
    expect(() => parseClamdAddress("clamav:99999")).toThrow(/CLAMAV_ADDRESS/);
    expect(() => parseClamdAddress("a:b:c")).toThrow(/CLAMAV_ADDRESS/);
  });
});

describe("storeUpload with the scanner", () => {
  it("an infected upload is refused and nothing is stored", async () => {
    setClamav(clamd.address);
    const before = storedFiles().length;
    const result = await storeUpload(new TextEncoder().encode(EICAR), "eicar.txt");
    expect(result).toEqual({ ok: false, refusal: { code: "infected", detail: "Eicar-Test-Signature" } });
    expect(storedFiles().length).toBe(before);
  });

  it("a clean upload is stored with the scan's engine", async () => {
    setClamav(clamd.address);
    const result = await storeUpload(new TextEncoder().encode("血圧 120/80\n"), "memo.txt");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.stored.scan).toEqual({ state: "CLEAN", engine: VERSION });
    expect(result.stored.type.kind).toBe("text");
  });

  it("a scanner that cannot be reached throws and nothing is stored", async () => {
    setClamav(`127.0.0.1:${await closedPort()}`);
    const before = storedFiles().length;
    await expect(storeUpload(new TextEncoder().encode("memo"), "memo.txt")).rejects.toThrow(/clamd/);
    expect(storedFiles().length).toBe(before);
  });

  it("a refused type is not even sent to the scanner", async () => {
    setClamav(clamd.address);
    const before = clamd.log.commands.length;
    const result = await storeUpload(new TextEncoder().encode("<html><script>x</script>"), "page.txt");
    expect(result).toMatchObject({ ok: false, refusal: { code: "html" } });
    expect(clamd.log.commands.length).toBe(before);
  });
});
