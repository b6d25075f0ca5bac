/**
 * `POST /api/uploads`, `PUT /api/uploads/:id/chunks/:index` and
 * `POST /api/uploads/:id/complete` (mounted under `/api`). A chunk's body is streamed to the
 * storage as it arrives, never held whole; its limit is its own length (the app's 64 KiB limit
 * for JSON bodies does not apply to it, see `app.ts`).
 *
 * @module
 */
import { Hono } from "hono";
import type { AppEnv } from "./app_env.ts";
import { badRequest } from "./errors.ts";
import { requireSession } from "./session_middleware.ts";
import type { UploadService } from "./upload_service.ts";
import type { AppDeps } from "./app_env.ts";

/** The path of a chunk upload, for the app's body limits. */
export const CHUNK_PATH = /^\/api\/uploads\/[^/]+\/chunks\/[^/]+$/;

/** The upload routes over `service`. */
export function uploadRoutes(deps: AppDeps, service: UploadService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/uploads/*", requireSession(deps));
  app.use("/uploads", requireSession(deps));

  app.post("/uploads", async (c) => {
    const body = await c.req.json().catch(() => {
      throw badRequest('body must be JSON: {"name","size","mime","md5","chatid"}');
    });
    return c.json(await service.start(c.get("accountid"), body));
  });

  app.put("/uploads/:uploadId/chunks/:index", async (c) => {
    await service.putChunk(
      c.get("accountid"),
      c.req.param("uploadId"),
      c.req.param("index"),
      c.req.raw.body,
      c.req.header("content-length"),
    );
    return c.body(null, 204);
  });

  app.post("/uploads/:uploadId/complete", async (c) => {
    return c.json(await service.complete(c.get("accountid"), c.req.param("uploadId")));
  });
  return app;
}
