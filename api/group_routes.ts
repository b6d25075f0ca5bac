/**
 * Groups: `GET /api/groups/:chatid`, for its current members only (a group one has left, or
 * that does not exist, answers the same 403).
 *
 * @module
 */
import { Hono } from "hono";
import { parseChatId } from "../gateway/chat_id.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { badRequest, forbidden } from "./errors.ts";
import { requireSession } from "./session_middleware.ts";

/** The group routes (mounted under `/api/groups`). */
export function groupRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requireSession(deps));

  app.get("/:chatid", async (c) => {
    const chat = parseChatId(c.req.param("chatid"));
    if (typeof chat === "string") throw badRequest(chat);
    if (chat.kind !== "group") throw badRequest(`${chat.chatid} is not a group chat id`);
    const group = await deps.backend.groups.find(chat.chatid);
    const accountid = c.get("accountid");
    if (!group || !group.members.some((m) => m.accountid === accountid)) {
      throw forbidden(`you are not a member of ${chat.chatid}`);
    }
    return c.json({
      chatid: group.chatid,
      title: group.title,
      owner: group.owner,
      ctime: group.ctime,
      mtime: group.mtime,
      members: group.members.map((m) => ({
        accountid: m.accountid,
        joined: Math.floor(m.joinedMs / 1000),
      })),
    });
  });

  return app;
}
