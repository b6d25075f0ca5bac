/**
 * The user directory: `GET /api/users`, `GET /api/users/:accountid`.
 *
 * @module
 */
import { Hono } from "hono";
import { ACCOUNT_ID } from "../store/users.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { badRequest, notFound } from "./errors.ts";
import { intParam } from "./query_params.ts";
import { requireSession } from "./session_middleware.ts";

/** The user routes (mounted under `/api/users`). */
export function userRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requireSession(deps));

  app.get("/", async (c) => {
    const q = (c.req.query("q") ?? "").trim();
    if (q.length > 100) throw badRequest("q must be at most 100 characters");
    const limit = intParam(c, "limit", 1, 5000, 1000)!;
    return c.json({ users: await deps.backend.users.list(q, limit) });
  });

  app.get("/:accountid", async (c) => {
    const accountid = c.req.param("accountid");
    if (!ACCOUNT_ID.test(accountid)) throw badRequest(`"${accountid}" is not an accountid`);
    const user = await deps.backend.users.find(accountid);
    if (!user) throw notFound(`no account "${accountid}"`);
    return c.json({ user });
  });

  return app;
}
