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
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { adminRoutes } from "./admin_routes.ts";
import { authRoutes } from "./auth_routes.ts";
import { metricsRoute } from "./metrics_route.ts";
import { broadcastRoutes } from "./broadcast_routes.ts";
import { searchRoutes } from "./search_routes.ts";
import { chatRoutes } from "./chat_routes.ts";
import { receiptRoutes } from "./receipt_routes.ts";
import { exportRoutes } from "./export_routes.ts";
import { ApiError, errorBody } from "./errors.ts";
import { groupRoutes } from "./group_routes.ts";
import { checkOrigin, requireSession } from "./session_middleware.ts";
import { healthRoute, statusRoutes } from "./status_routes.ts";
import { userRoutes } from "./user_routes.ts";
import { webRoutes } from "./web_routes.ts";
import { chatMembership } from "../gateway/chat_membership.ts";
import { fileRoutes } from "./file_routes.ts";
import { CHUNK_PATH, uploadRoutes } from "./upload_routes.ts";
import { UploadService } from "./upload_service.ts";

/** Builds the Hono app over the given backend and gateway. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const takesPart = chatMembership(deps.backend);
  const uploads = deps.uploads ?? new UploadService({
    config: deps.config,
    files: deps.backend.files,
    storage: deps.backend.storage,
    takesPart,
    log: deps.log,
  });
  app.use("*", async (c, next) => {
    await next();
    deps.metrics?.httpResponses.inc({ status: String(c.res.status) });
    // A 101 carries its WebSocket on the Response object itself (Deno.serveHttp, see
    // api/http_connection.ts); setting a header would make Hono copy it and lose the socket.
    if (c.res.status === 101) return;
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
  });
  app.use("*", checkOrigin(deps));
  // JSON bodies are small. A chunk's body is streamed to disk under its own limit, its length
  // (api/upload_service.ts); wrapping it here would count it against 64 KiB.
  const jsonLimit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => c.json(errorBody("too_large", "request body larger than 64 KiB"), 413),
  });
  app.use("/api/*", (c, next) => {
    if (c.req.method === "PUT" && CHUNK_PATH.test(c.req.path)) return next();
    return jsonLimit(c, next);
  });
  if (deps.admin) app.route("/api", adminRoutes(deps, deps.admin));
  app.route("/api", authRoutes(deps));
  app.route("/api/users", userRoutes(deps));
  app.route("/api", statusRoutes(deps));
  // Before the chat routes, whose session check covers every /api path: a chunk is checked once.
  app.route("/api", uploadRoutes(deps, uploads));
  app.route("/api", receiptRoutes(deps));
  app.route("/api", exportRoutes(deps));
  app.route("/api", chatRoutes(deps));
  app.route("/api", searchRoutes(deps));
  app.route("/files", fileRoutes(deps, takesPart));
  app.route("/api/groups", groupRoutes(deps));
  app.route("/api/broadcasts", broadcastRoutes(deps));
  app.route("/", healthRoute(deps));
  if (deps.metrics) app.route("/", metricsRoute(deps));
  app.get("/ws", requireSession(deps), wsHandler(deps.gateway));
  app.route("/", webRoutes());

  app.notFound((c) => {
    deps.metrics?.error("not_found", "http");
    return c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path}`), 404);
  });
  app.onError((error, c) => {
    const answer = (code: string, message: string, status: ContentfulStatusCode) => {
      deps.metrics?.error(code, "http");
      return c.json(errorBody(code, message), status);
    };
    if (error instanceof ApiError) return answer(error.code, error.message, error.status);
    if (error instanceof HTTPException) {
      const status = error.status;
      const code = status === 413 ? "too_large" : status === 401 ? "unauthorized" : "bad_request";
      return answer(code, error.message || "bad request", status);
    }
    if (isStoreDown(error)) {
      deps.log(`${c.req.method} ${c.req.path}: store unavailable: ${error.message}`, "warn");
      return answer("unavailable", "a store is unavailable; retry later", 503);
    }
    deps.log(`${c.req.method} ${c.req.path}: unexpected error: ${error.stack ?? error}`, "error");
    return answer("internal", "internal server error", 500);
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
