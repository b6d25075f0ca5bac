/**
 * Operations: `GET /api/queue/status` (session needed) and `GET /healthz` (public).
 *
 * @module
 */
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { queueState } from "./queue_state.ts";
import { requireSession } from "./session_middleware.ts";

/** `/api/queue/status`: the queue's state (see `queue_state.ts`). */
export function statusRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(
    "/queue/status",
    requireSession(deps),
    async (c) =>
      c.json(
        await queueState(deps.backend, deps.config.queue.stallSeconds, deps.workerReport?.()),
      ),
  );
  return app;
}

/**
 * `/healthz`: 200 `{"ok":true}`, or 503 with what is wrong: a store that is down, or an
 * archive worker that is stalled or not running on this node. Weak persistence (Redis without
 * AOF, an evicting memory policy) is listed under `warnings` but stays 200: the server works,
 * and it is the operator's configuration; a 503 would make a load balancer take every node out
 * and turn a durability risk into an outage.
 */
export function healthRoute(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/healthz", async (c) => {
    const [stores, { persistence, ackSurvives, warnings }] = await Promise.all([
      deps.backend.health(),
      deps.backend.durability(),
    ]);
    const durability = { persistence, ackSurvives };
    const problems = Object.entries(stores).filter(([, state]) => state !== "ok")
      .map(([name, state]) => `${name}: ${state}`);
    const local = deps.workerReport?.() ?? null;
    let worker: string | undefined;
    try {
      const queue = await queueState(deps.backend, deps.config.queue.stallSeconds, local);
      worker = queue.worker;
      if (queue.stalled) {
        problems.push(
          `archive worker: stalled (${
            queue.pending + queue.inFlight
          } waiting, oldest for ${queue.archiveLag} s)`,
        );
      } else if (local && (queue.worker === "restarting" || queue.worker === "not running")) {
        problems.push(
          `archive worker: ${queue.worker}${local.lastError ? ` (${local.lastError})` : ""}`,
        );
      }
    } catch (error) {
      // The queue's store is down: already named among the stores.
      worker = `unknown: ${(error as Error).message}`;
    }
    const body = {
      ok: problems.length === 0,
      stores,
      ...(worker ? { worker } : {}),
      durability,
      warnings,
    };
    if (problems.length === 0) return c.json(body);
    return c.json({
      ...body,
      error: { code: "unavailable", message: problems.join("; ") },
    }, 503);
  });
  return app;
}
