/**
 * The portal's front door: HTTPS with mutual TLS in front of Next's request handler.
 * Every request must present a terminal certificate issued by the network CA, in date, known and
 * not revoked (checked against the database on each request). Refused requests get a plain page
 * and never reach the app. The verified identity is handed to the app in one signed header, after
 * any incoming header of that name is removed. See docs/decisions/0004-tls-termination.md.
 * Every response, refused or not, gets the security headers here and nowhere else
 * (lib/server/security-headers.ts, docs/decisions/0018-security-headers.md).
 *
 * In production it runs as one primary process and WEB_CONCURRENCY workers that share the port
 * (lib/server/cluster.ts, docs/decisions/0020-one-process-per-core.md): the primary starts the
 * database, migrates, makes the CA and runs the background timers; the workers answer requests.
 * With one worker (development) the same process does both, without forking.
 *
 * Run: `node --import tsx --import ./scripts/node-hooks.mjs server.ts` (npm start does it).
 */
import cluster from "node:cluster";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { env } from "@/lib/env";
import { prepareEnvironment } from "@/lib/server/prepare";
import { migrate, MigrationError } from "@/lib/db/migrate";
import { ensureAccessLogPartitions } from "@/lib/audit/mutations";
import { deliverPendingMail } from "@/lib/mail/mutations";
import { sendPasswordExpiryReminders } from "@/lib/securemail/notices";
import { db, disconnectDb } from "@/lib/db/client";
import { connectionLimitWarning } from "@/lib/db/connections";
import { ensureCa, loadCa, purgeUndownloadedKeys } from "@/lib/pki/mutations";
import { checkTerminalCertificate } from "@/lib/pki/queries";
import { issueServerCertificate } from "@/lib/pki/forge";
import { encodeTerminalHeader, TERMINAL_HEADER } from "@/lib/auth/terminal";
import { pruneThrottle } from "@/lib/auth/mutations";
import { refusalPage } from "@/lib/server/refusal-page";
import { CSP_REQUEST_HEADERS, newNonce, policyKindOf, securityHeaders } from "@/lib/server/security-headers";
import { startFromPrimary, superviseWorkers, WORKER_STOP_MS, type TWorkerStart } from "@/lib/server/cluster";
import { seedDemoRegionIfEmpty } from "@/prisma/seed";

/** Headers only server.ts may set: removed from every incoming request first. */
const INTERNAL_HEADERS = [TERMINAL_HEADER, ...CSP_REQUEST_HEADERS];
/** What nginx sends in proxy mode ($ssl_client_escaped_cert), trusted only from TRUSTED_PROXIES. */
const PROXY_CERT_HEADER = "x-ssl-client-cert";

const log = (line: string) => process.stdout.write(`[chiikilink] ${line}\n`);

function stripHeaders(req: http.IncomingMessage, names: string[]) {
  for (const name of names) delete req.headers[name];
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (names.includes(raw[i]!.toLowerCase())) raw.splice(i, 2);
  }
}

function setHeader(req: http.IncomingMessage, name: string, value: string) {
  req.headers[name] = value;
  req.rawHeaders.push(name, value);
}

function peerCertificateDer(req: http.IncomingMessage, trustedProxies: Set<string>): Buffer | null {
  if (env().TLS_MODE === "direct") {
    const cert = (req.socket as TLSSocket).getPeerCertificate?.();
    return cert && cert.raw ? cert.raw : null;
  }
  const escaped = req.headers[PROXY_CERT_HEADER];
  if (!trustedProxies.has(req.socket.remoteAddress ?? "") || typeof escaped !== "string" || !escaped) return null;
  try {
    return Buffer.from(new crypto.X509Certificate(decodeURIComponent(escaped)).raw);
  } catch {
    return null;
  }
}

function remoteAddressOf(req: http.IncomingMessage, trustedProxies: Set<string>): string {
  const direct = req.socket.remoteAddress ?? "";
  if (env().TLS_MODE === "proxy" && trustedProxies.has(direct)) {
    const real = req.headers["x-real-ip"];
    if (typeof real === "string" && real) return real;
  }
  return direct;
}

/** The server's own certificate: a configured one, or one the network CA issues and renews. */
async function serverTlsMaterial(caCertPem: string): Promise<{ key: string; cert: string }> {
  const e = env();
  if (e.TLS_CERT_FILE && e.TLS_KEY_FILE) {
    return { cert: fs.readFileSync(e.TLS_CERT_FILE, "utf8"), key: fs.readFileSync(e.TLS_KEY_FILE, "utf8") };
  }
  const dir = path.join(e.dataDir, "tls");
  const certFile = path.join(dir, "server.crt");
  const keyFile = path.join(dir, "server.key");
  const hostnames = e.PUBLIC_HOSTNAMES.split(",").map((h) => h.trim()).filter(Boolean);
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const x = new crypto.X509Certificate(fs.readFileSync(certFile));
    const ca = new crypto.X509Certificate(caCertPem);
    const sans = x.subjectAltName ?? "";
    const stillGood =
      x.checkIssued(ca) && x.verify(ca.publicKey) && new Date(x.validTo).getTime() - Date.now() > 30 * 86_400_000 && hostnames.every((h) => sans.includes(h));
    if (stillGood) return { cert: fs.readFileSync(certFile, "utf8"), key: fs.readFileSync(keyFile, "utf8") };
  }
  const issued = issueServerCertificate(await loadCa(), hostnames);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(certFile, issued.certPem);
  fs.writeFileSync(keyFile, issued.keyPem, { mode: 0o600 });
  log(`issued the server certificate for ${hostnames.join(", ")}`);
  return { cert: issued.certPem, key: issued.keyPem };
}

/**
 * What happens once however many processes serve: the database, migrations, the background
 * timers (exactly one process runs each: the outbox must not send a mail twice), the CA and its
 * file, the demo seed, the server's certificate. Then the requests are served here (one process)
 * or by forked workers.
 */
async function main() {
  if (cluster.isWorker) return runWorker();
  const workers = env().webConcurrency;
  if (workers > 1 && env().NODE_ENV !== "production") {
    process.stderr.write(`\n[chiikilink] START ABORTED: WEB_CONCURRENCY=${workers} needs NODE_ENV=production (next dev compiles pages in one process). Unset it or set it to 1.\n\n`);
    process.exit(1);
  }
  const { embedded } = await prepareEnvironment(log);
  const e = env();
  try {
    const { applied } = await migrate(e.DATABASE_URL!, undefined, log);
    log(applied.length ? `database migrated (${applied.length} applied)` : "database schema is up to date");
  } catch (err) {
    if (err instanceof MigrationError) {
      process.stderr.write(`\n[chiikilink] START ABORTED: ${err.message}\nNothing of that migration was kept. Fix it and start again.\n\n`);
      await embedded?.stop();
      process.exit(1);
    }
    throw err;
  }
  // The access log's monthly partitions, made ahead now and checked daily (a long-running server crosses months).
  await ensureAccessLogPartitions();
  setInterval(() => void ensureAccessLogPartitions().catch((err) => log(`access-log partitions: ${err instanceof Error ? err.message : String(err)}`)), 24 * 3600_000).unref();
  // password-expiry reminders (secure mail), once per password, checked at start and daily
  const remindPasswords = () =>
    void sendPasswordExpiryReminders(db())
      .then((n) => {
        if (n > 0) log(`password-expiry reminders sent: ${n}`);
      })
      .catch((err) => log(`password-expiry reminders: ${err instanceof Error ? err.message : String(err)}`));
  remindPasswords();
  setInterval(remindPasswords, 24 * 3600_000).unref();
  // sign-in rate-limit windows that have passed are forgotten hourly (the limits count within a window only)
  setInterval(() => void pruneThrottle().catch((err) => log(`sign-in throttle: ${err instanceof Error ? err.message : String(err)}`)), 3600_000).unref();
  // Server-made terminal keys not downloaded within TERMINAL_P12_DOWNLOAD_HOURS are deleted, at
  // start (this also clears the files of certificates issued before the window existed) and hourly.
  const purgeKeys = async () => {
    try {
      const n = await purgeUndownloadedKeys();
      if (n > 0) log(`deleted ${n} terminal key file(s) not downloaded within ${e.TERMINAL_P12_DOWNLOAD_HOURS} h`);
    } catch (err) {
      log(`terminal key files: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  await purgeKeys();
  setInterval(() => void purgeKeys(), 3600_000).unref();
  // notice e-mails left in the outbox (SMTP down, or a retry due) go out within a minute
  setInterval(() => void deliverPendingMail().catch((err) => log(`mail outbox: ${err instanceof Error ? err.message : String(err)}`)), 60_000).unref();
  const { certPem: caCertPem, created } = await ensureCa();
  if (created) log("created the network certificate authority");
  const caFile = path.join(e.dataDir, "tls", "network-ca.crt");
  fs.mkdirSync(path.dirname(caFile), { recursive: true });
  fs.writeFileSync(caFile, caCertPem);

  if (e.DEMO_SEED ?? embedded !== null) await seedDemoRegionIfEmpty({ log });

  const limit = await connectionLimitWarning(workers);
  if (limit) log(`WARNING: ${limit}`);

  const dev = e.NODE_ENV !== "production";
  const start: TWorkerStart = {
    caCertPem,
    // one set of session-ticket keys for every worker, so a terminal's TLS session resumes whichever worker it reaches
    tls: e.TLS_MODE === "direct" ? { ...(await serverTlsMaterial(caCertPem)), ticketKeys: workers > 1 ? crypto.randomBytes(48).toString("base64") : undefined } : null,
  };
  const stopDatabase = async () => {
    await disconnectDb().catch(() => {});
    await embedded?.stop().catch(() => {});
  };
  const readyLine = (how: string) => {
    const scheme = e.TLS_MODE === "direct" ? "https" : "http";
    log(`ready: ${scheme}://localhost:${e.PORT} (${e.TLS_MODE === "direct" ? "mutual TLS" : "behind a TLS-terminating proxy"}, ${dev ? "development" : "production"}${how})`);
    log(`network CA certificate: ${path.relative(process.cwd(), caFile)}`);
  };

  if (workers === 1) {
    const server = await serve(start).catch(async (err: unknown) => {
      await stopDatabase();
      throw err;
    });
    readyLine("");
    const shutdown = async (signal: string) => {
      log(`${signal}: shutting down`);
      server.close();
      await stopDatabase();
      process.exit(0);
    };
    process.on("SIGINT", () => void shutdown("SIGINT"));
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    return;
  }
  superviseWorkers({ workers, start, log, stop: stopDatabase, onReady: (pids) => readyLine(`, ${workers} worker processes: ${pids.join(", ")}`) });
}

/**
 * A forked worker: the environment the primary prepared (its DATABASE_URL and secrets are in this
 * process's environment, inherited at fork), what it decided, and nothing of the once-only work.
 */
async function runWorker() {
  const server = await serve(await startFromPrimary());
  let stopping = false;
  // Ctrl-C reaches the workers and the primary together; the primary's SIGTERM follows.
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Finish the requests in hand, then close; keep-alive connections idle now are closed at once.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const late = new Promise<void>((resolve) => setTimeout(resolve, WORKER_STOP_MS).unref());
    void Promise.race([closed, late]).then(async () => {
      await disconnectDb().catch(() => {});
      process.exit(0);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** Next and the TLS front, listening on PORT: in the one process, or in each worker. */
async function serve(start: TWorkerStart): Promise<http.Server> {
  const e = env();
  const caCertPem = start.caCertPem;
  const dev = e.NODE_ENV !== "production";
  // loaded here: the primary of several workers never runs Next and need not hold it
  const { default: next } = await import("next");
  const app = next({ dev, hostname: "localhost", port: e.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const trustedProxies = new Set(e.TRUSTED_PROXIES.split(",").map((s) => s.trim()));
  const secret = e.AUTH_SECRET!;

  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const requestId = crypto.randomUUID();
    try {
      stripHeaders(req, INTERNAL_HEADERS);
      // Set before anything answers, so every response has them (Next keeps headers already set).
      const nonce = newNonce();
      const kind = policyKindOf(req.url ?? "/");
      const headers = securityHeaders(kind, { nonce, dev });
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      // Next reads the nonce from the request's policy and puts it on the scripts it renders.
      if (kind === "page") setHeader(req, "content-security-policy", headers["content-security-policy"]!);
      if (req.url === "/healthz") {
        await db().$queryRaw`SELECT 1`;
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
        return;
      }
      const der = peerCertificateDer(req, trustedProxies);
      if (e.TLS_MODE === "proxy") stripHeaders(req, [PROXY_CERT_HEADER, "x-real-ip"]);
      const check = await checkTerminalCertificate(der, caCertPem);
      if (!check.ok) {
        // an HTML page whatever was asked for (an API path too): the page policy, its <style> by nonce
        for (const [name, value] of Object.entries(securityHeaders("page", { nonce, dev }))) res.setHeader(name, value);
        res.writeHead(403, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId });
        res.end(refusalPage(check.reason, requestId, nonce));
        return;
      }
      const t = check.identity;
      setHeader(
        req,
        TERMINAL_HEADER,
        encodeTerminalHeader(
          {
            serial: t.serial,
            facilityId: t.facilityId,
            facilityCode: t.facilityCode,
            facilityName: t.facilityName,
            terminalId: t.terminalId,
            terminalName: t.terminalName,
            remoteAddress: remoteAddressOf(req, trustedProxies),
            requestId,
          },
          secret,
        ),
      );
      res.setHeader("x-request-id", requestId);
      await handle(req, res);
    } catch (err) {
      process.stderr.write(`[chiikilink] request ${requestId} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`内部エラーが発生しました (request ${requestId})`);
    }
  };

  const tls = start.tls;
  const server = tls
    ? https.createServer(
        { key: tls.key, cert: tls.cert, ticketKeys: tls.ticketKeys ? Buffer.from(tls.ticketKeys, "base64") : undefined, ca: caCertPem, requestCert: true, rejectUnauthorized: false, minVersion: "TLSv1.2" },
        onRequest,
      )
    : http.createServer(onRequest);
  // A port already taken fails the start here (Next's uncaughtException handler would only log it
  // and leave a process that serves nothing).
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(e.PORT, e.HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

main().catch((err) => {
  process.stderr.write(`[chiikilink] start failed: ${err instanceof Error ? (err.stack ?? err.message) : JSON.stringify(err) ?? String(err)}\n`);
  process.exit(1);
});
