/**
 * Operations: `GET /api/queue/status` (session needed) and `GET /healthz` (public).
 *
 * @module
 */
import { Hono } from "hono";
import type { WorkerStatus } from "../queue/worker_status.ts";
import type { Backend } from "../store/backend.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { requireSession } from "./session_middleware.ts";

/** A worker whose last heartbeat is older than this is reported dead. */
export const WORKER_ALIVE_SECONDS = 30;

/** The last worker rows read, per backend, for when the archive cannot be read. */
const lastWorkers = new WeakMap<Backend, WorkerStatus[]>();

/**
 * The queue's state as `/api/queue/status` and `chat status` report it. The worker rows live
 * in the archive database; while it is unreachable the last rows read are shown, with
 * `archive` saying why, because that is exactly when the backlog matters.
 */
export async function queueStatus(backend: Backend) {
  const [rows, counts, durability] = await Promise.all([
    backend.workerStatus.list().then((list) => ({ list, error: "" }), (error: Error) => ({
      list: lastWorkers.get(backend) ?? [],
      error: error.message || String(error),
    })),
    backend.producer.counts(),
    backend.durability(),
  ]);
  if (!rows.error) lastWorkers.set(backend, rows.list);
  const workers = rows.list;
  const now = Math.floor(Date.now() / 1000);
  const lastBeat = Math.max(0, ...workers.map((w) => w.lastBeat));
  return {
    alive: workers.some((w) => now - w.lastBeat <= WORKER_ALIVE_SECONDS),
    lastBeat,
    processedTotal: workers.reduce((sum, w) => sum + w.processedTotal, 0),
    processedToday: workers.reduce((sum, w) => sum + w.processedToday, 0),
    pending: counts.pending,
    inFlight: counts.inFlight,
    parked: counts.parked,
    archive: rows.error ? `unavailable: ${rows.error}` : "ok",
    /** What an acknowledgement survives with the queue store's settings (see the README). */
    durability,
  };
}

/** `/api/queue/status`. */
export function statusRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(
    "/queue/status",
    requireSession(deps),
    async (c) => c.json(await queueStatus(deps.backend)),
  );
  return app;
}

/**
 * `/healthz`: 200 `{"ok":true}` or 503 with what is down. Weak persistence (Redis without AOF,
 * an evicting memory policy) is listed under `warnings` but stays 200: the server works, and
 * it is the operator's configuration; a 503 would make a load balancer take every node out and
 * turn a durability risk into an outage.
 */
export function healthRoute(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/healthz", async (c) => {
    const [stores, { persistence, ackSurvives, warnings }] = await Promise.all([
      deps.backend.health(),
      deps.backend.durability(),
    ]);
    const durability = { persistence, ackSurvives };
    const down = Object.entries(stores).filter(([, state]) => state !== "ok");
    if (down.length === 0) return c.json({ ok: true, stores, durability, warnings });
    return c.json({
      ok: false,
      stores,
      durability,
      warnings,
      error: {
        code: "unavailable",
        message: down.map(([name, state]) => `${name}: ${state}`).join("; "),
      },
    }, 503);
  });
  return app;
}
