/**
 * The admin endpoints behind `chat status` and `chat reload`: `GET /api/admin/status` and
 * `POST /api/admin/reload`. They take a bearer token, not a session: the admin token of the
 * configuration (`admin.token`, for `chat status --url` from another host), or the token of
 * this run that the server wrote into its data folder (`chat.run.json`, mode 0600), which the
 * commands on the same machine read.
 *
 * @module
 */
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { bearerToken, matchesSecret } from "./bearer.ts";
import { ConfigError } from "../config/mod.ts";
import { ApiError, badRequest } from "./errors.ts";
import { queueState } from "./queue_state.ts";
import type { ProcessInfo, ServerStatus } from "./server_status.ts";
import type { ServerReload } from "./server.ts";

/** What the server gives the admin routes about itself. */
export interface AdminHooks {
  /** The token of this run (see the module comment). */
  runToken: string;
  info(): ProcessInfo;
  httpConnections(): number;
  /** Re-reads the configuration and restarts the archive worker (`chat reload`). */
  reload(): Promise<ServerReload>;
}

/** The admin routes (mounted under `/api`). */
export function adminRoutes(deps: AppDeps, hooks: AdminHooks): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/admin/*", async (c, next) => {
    if (!matchesSecret(bearerToken(c), deps.config.admin.token, hooks.runToken)) {
      throw new ApiError(401, "unauthorized", "the admin endpoints need the admin token");
    }
    await next();
  });

  app.get("/admin/status", async (c) => {
    const info = hooks.info();
    const { backend, gateway } = deps;
    const [queue, stores, online] = await Promise.all([
      queueState(backend, deps.config.queue.stallSeconds, deps.workerReport?.()),
      backend.health(),
      backend.presence.list().then((list) => list.length, () => -1),
    ]);
    const status: ServerStatus = {
      process: { ...info, uptimeSeconds: Math.floor(Date.now() / 1000) - info.startedAt },
      connections: {
        webSockets: gateway.size,
        http: hooks.httpConnections(),
        accountsHere: gateway.ctx.hub.accounts,
        accountsOnline: online,
      },
      queue,
      stores,
    };
    return c.json(status);
  });

  app.post("/admin/reload", async (c) => {
    try {
      return c.json(await hooks.reload());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw badRequest(`the configuration does not load, nothing changed: ${error.message}`);
    }
  });
  return app;
}
