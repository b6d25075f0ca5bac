/**
 * The HTTP application: every route, the Origin check, and the one place errors become
 * answers.
 *
 * @module
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { wsHandler } from "../gateway/ws_route.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { authRoutes } from "./auth_routes.ts";
import { broadcastRoutes } from "./broadcast_routes.ts";
import { chatRoutes } from "./chat_routes.ts";
import { ApiError, errorBody } from "./errors.ts";
import { groupRoutes } from "./group_routes.ts";
import { checkOrigin, requireSession } from "./session_middleware.ts";
import { healthRoute, statusRoutes } from "./status_routes.ts";
import { userRoutes } from "./user_routes.ts";
import { webRoutes } from "./web_routes.ts";

/** Builds the Hono app over the given backend and gateway. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    await next();
    // A 101 carries its WebSocket on the Response object itself (Deno.serveHttp, see
    // api/http_connection.ts); setting a header would make Hono copy it and lose the socket.
    if (c.res.status === 101) return;
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
  });
  app.use("*", checkOrigin(deps));
  // JSON bodies are small; uploads (a later issue) will get their own, larger limit.
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.json(errorBody("too_large", "request body larger than 64 KiB"), 413),
    }),
  );
  app.route("/api", authRoutes(deps));
  app.route("/api/users", userRoutes(deps));
  app.route("/api", statusRoutes(deps));
  app.route("/api", chatRoutes(deps));
  app.route("/api/groups", groupRoutes(deps));
  app.route("/api/broadcasts", broadcastRoutes(deps));
  app.route("/", healthRoute(deps));
  app.get("/ws", requireSession(deps), wsHandler(deps.gateway));
  app.route("/", webRoutes());

  app.notFound((c) =>
    c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path}`), 404)
  );
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json(errorBody(error.code, error.message), error.status);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      const code = status === 413 ? "too_large" : status === 401 ? "unauthorized" : "bad_request";
      return c.json(errorBody(code, error.message || "bad request"), status);
    }
    if (isStoreDown(error)) {
      deps.log(`${c.req.method} ${c.req.path}: store unavailable: ${error.message}`);
      return c.json(errorBody("unavailable", "a store is unavailable; retry later"), 503);
    }
    deps.log(`${c.req.method} ${c.req.path}: unexpected error: ${error.stack ?? error}`);
    return c.json(errorBody("internal", "internal server error"), 500);
  });
  return app;
}

/** Connection failures of Redis or MySQL: the request may succeed later. */
export function isStoreDown(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string };
  const codes = ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "PROTOCOL_CONNECTION_LOST"];
  return codes.includes(e?.code ?? "") ||
    /ClientClosedError|ClientOfflineError|SocketClosedUnexpectedlyError|ConnectionTimeoutError/
      .test(e?.name ?? "") ||
    /client is (closed|offline)|connect ECONNREFUSED|Connection lost|ETIMEDOUT/i.test(
      e?.message ?? "",
    );
}
