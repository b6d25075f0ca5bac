/**
 * Broadcasts of the asking account (received or sent): `GET /api/broadcasts` (newest first,
 * `before` a bid, `limit` 1..50, default 5), `GET /api/broadcasts/:bid`, and
 * `POST /api/broadcasts/read`, which clears the unread count. A broadcast appears once the
 * archive worker has stored it (milliseconds after its `ack`).
 *
 * @module
 */
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { badRequest, notFound } from "./errors.ts";
import { intParam } from "./query_params.ts";
import { requireSession } from "./session_middleware.ts";

const BID = /^[0-9a-f]{24}$/;

/** The broadcast routes (mounted under `/api/broadcasts`). */
export function broadcastRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { backend } = deps;
  app.use("*", requireSession(deps));

  app.get("/", async (c) => {
    const before = c.req.query("before") || null;
    if (before !== null && !BID.test(before)) throw badRequest("before must be a bid");
    const limit = intParam(c, "limit", 1, 50, 5)!;
    return c.json(await backend.broadcasts.list(c.get("accountid"), before, limit));
  });

  app.post("/read", async (c) => {
    await backend.inbox.clearBroadcastUnread(c.get("accountid"));
    return c.body(null, 204);
  });

  app.get("/:bid", async (c) => {
    const bid = c.req.param("bid");
    if (!BID.test(bid)) throw badRequest("a bid is 24 hex digits");
    const broadcast = await backend.broadcasts.find(bid, c.get("accountid"));
    // Someone else's broadcast and one that does not exist look the same.
    if (!broadcast) throw notFound(`no broadcast ${bid} sent to you or by you`);
    return c.json({ broadcast });
  });

  return app;
}
