/**
 * Read receipts over HTTP: who has read how far in a chat (the list behind "read by N of M"),
 * and the account setting that turns sending receipts off.
 *
 * @module
 */
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { chatAccess } from "./chat_access.ts";
import { badRequest } from "./errors.ts";
import { intParam } from "./query_params.ts";
import { requireSession } from "./session_middleware.ts";

/** The receipt routes (mounted under `/api`). */
export function receiptRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { backend } = deps;
  // Scoped to these paths: a "*" here would run for every /api route mounted after this one.
  app.use("/chats/:chatid/receipts", requireSession(deps));
  app.use("/me/settings", requireSession(deps));

  app.get("/chats/:chatid/receipts", async (c) => {
    const accountid = c.get("accountid");
    const { chat } = await chatAccess(backend.groups, c.req.param("chatid"), accountid);
    const seq = intParam(c, "seq", 1, Number.MAX_SAFE_INTEGER);
    const members = chat.kind === "direct"
      ? [...new Set(chat.members)]
      : (await backend.groups.find(chat.chatid))?.members.map((m) => m.accountid) ?? [];
    const current = new Set(members);
    // Former members' marks are history: only the current participants count.
    const receipts = Object.fromEntries(
      Object.entries(await backend.receipts.of(chat.chatid)).filter(([id]) => current.has(id)),
    );
    const readBy = seq === undefined ? undefined : Object.keys(receipts)
      .filter((id) => id !== accountid && receipts[id] >= seq).sort();
    return c.json({ receipts, members, ...(readBy ? { readBy } : {}) });
  });

  app.get("/me/settings", async (c) => {
    return c.json({ readReceipts: await backend.receipts.sending(c.get("accountid")) });
  });

  app.put("/me/settings", async (c) => {
    const body = await c.req.json().catch(() => null) as Record<string, unknown> | null;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw badRequest("the body must be a JSON object");
    }
    const unknown = Object.keys(body).filter((key) => key !== "readReceipts");
    if (unknown.length > 0) throw badRequest(`unknown setting: ${unknown[0].slice(0, 40)}`);
    if (typeof body.readReceipts !== "boolean") throw badRequest("readReceipts must be a boolean");
    const accountid = c.get("accountid");
    await backend.receipts.setSending(accountid, body.readReceipts, Math.floor(Date.now() / 1000));
    return c.json({ readReceipts: body.readReceipts });
  });

  return app;
}
