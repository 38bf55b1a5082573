import cluster, { type Worker } from "node:cluster";

/*
 * server.ts in several processes (docs/decisions/0020-one-process-per-core.md). The primary does
 * what must happen once (database, migrations, CA, seed, the background timers) and forks
 * WEB_CONCURRENCY workers, each of which runs Next and the TLS front on the same port; cluster
 * hands the port's connections round-robin. A worker keeps nothing another worker needs: sessions,
 * revocations, throttles and second-factor state are rows in PostgreSQL.
 */

/** What a worker needs before it listens, decided once by the primary: the same for every worker. */
export type TWorkerStart = {
  caCertPem: string;
  /** Direct TLS: the server's key and certificate, and session-ticket keys shared so that a TLS session resumes on any worker (base64, 48 bytes). Proxy mode: null. */
  tls: { key: string; cert: string; ticketKeys?: string } | null;
};

const ASK = "chiikilink:start?";
const START = "chiikilink:start";

/** In a worker: what the primary decided. Asked for, not pushed: a message sent before this process listens for it would be lost. */
export function startFromPrimary(): Promise<TWorkerStart> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (!m || typeof m !== "object" || (m as { type?: unknown }).type !== START) return;
      process.off("message", onMessage);
      resolve((m as { start: TWorkerStart }).start);
    };
    process.on("message", onMessage);
    process.send!({ type: ASK });
  });
}

/** How long a stopping worker may finish the requests it is answering. */
export const WORKER_STOP_MS = 10_000;

/**
 * In the primary: forks `workers` processes running this same script, answers their start
 * question, replaces one that dies, and on SIGTERM/SIGINT stops them (each finishes its requests)
 * before `stop` (the database). A worker that dies before it listens stops the whole server: the
 * next one would fail the same way (no build, a port taken), and a loop of forks helps nobody.
 */
export function superviseWorkers(a: {
  workers: number;
  start: TWorkerStart;
  log: (line: string) => void;
  /** Once every first worker listens. */
  onReady: (pids: number[]) => void;
  /** After the workers are gone: the primary's own connections and the embedded database. */
  stop: () => Promise<void>;
}): void {
  // Round-robin is Node's default on Linux but not on Windows, and NODE_CLUSTER_SCHED_POLICY can
  // change it: the kernel's own spreading of accept() piles keep-alive clients onto one worker.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const listened = new Set<number>();
  let ready = false;
  let stopping = false;

  const fork = () => cluster.fork();

  cluster.on("message", (worker: Worker, m: unknown) => {
    if (m && typeof m === "object" && (m as { type?: unknown }).type === ASK) worker.send({ type: START, start: a.start });
  });
  cluster.on("listening", (worker) => {
    if (listened.has(worker.id)) return;
    listened.add(worker.id);
    if (ready) a.log(`worker ${worker.process.pid} serving`);
    else if (listened.size === a.workers) {
      ready = true;
      a.onReady(Object.values(cluster.workers ?? {}).map((w) => w!.process.pid!));
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!listened.has(worker.id)) {
      process.stderr.write(`[chiikilink] START ABORTED: worker ${worker.process.pid} stopped (${how}) before it could serve; see its error above.\n`);
      void shutdown(1);
      return;
    }
    a.log(`worker ${worker.process.pid} stopped (${how}); starting another`);
    fork();
  });

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    await Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((resolve) => {
            // a worker stuck past its own limit is killed; the database must not stop under it
            const kill = setTimeout(() => w.process.kill("SIGKILL"), WORKER_STOP_MS + 5_000);
            w.process.once("exit", () => {
              clearTimeout(kill);
              resolve();
            });
            w.process.kill("SIGTERM");
          }),
      ),
    );
    await a.stop();
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (!stopping) a.log(`${signal}: stopping ${a.workers} worker processes`);
      void shutdown(0);
    });
  }
  for (let i = 0; i < a.workers; i++) fork();
}
