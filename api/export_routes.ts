/**
 * `GET /api/chats/:chatid/export`: a participant downloads a conversation, or a date range of
 * it, as self-contained HTML or CSV (see `chat_export.ts`). A group member gets what its
 * history shows it, nothing from before it joined.
 *
 * @module
 */
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { chatAccess } from "./chat_access.ts";
import { EXPORT_FORMATS, exportChat, exportFileName, type ExportFormat } from "./chat_export.ts";
import { badRequest } from "./errors.ts";
import { intParam } from "./query_params.ts";
import { requireSession } from "./session_middleware.ts";

const MAX_TIME = 2 ** 31 - 1;

/** The export route (mounted under `/api`). */
export function exportRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { backend } = deps;
  app.use("/chats/:chatid/export", requireSession(deps));

  app.get("/chats/:chatid/export", async (c) => {
    const access = await chatAccess(backend.groups, c.req.param("chatid"), c.get("accountid"));
    const format = c.req.query("format") ?? "html";
    if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
      throw badRequest(`format must be one of ${EXPORT_FORMATS.join(", ")}`);
    }
    const since = intParam(c, "since", 0, MAX_TIME);
    const until = intParam(c, "until", 0, MAX_TIME);
    if (since !== undefined && until !== undefined && since > until) {
      throw badRequest("since must not be after until");
    }
    const { chatid } = access.chat;
    const title = access.chat.kind === "group"
      ? (await backend.groups.find(chatid))?.title
      : undefined;
    const body = exportChat(backend, {
      chatid,
      format: format as ExportFormat,
      since,
      until,
      ...(access.visible ? { visible: access.visible } : {}),
      title,
      baseUrl: deps.config.publicUrl?.replace(/\/$/, "") ?? "",
    });
    return c.body(body, 200, {
      "content-type": format === "html" ? "text/html; charset=utf-8" : "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${
        exportFileName(chatid, format as ExportFormat)
      }"`,
      "cache-control": "private, no-store",
      ...(format === "html"
        ? { "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox" }
        : {}),
    });
  });

  return app;
}
