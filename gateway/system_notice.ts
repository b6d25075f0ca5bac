/**
 * The `systemNotice` handler, members only: `grouptitle` renames the group (every member's
 * connections hear of it, and the history gets a line); `closenotice` / `opennotice` mute and
 * unmute the group for the actor's account, stored on the server so every device of that
 * person follows (`init.muted`), and told to the actor's own connections only: a mute is
 * nobody else's business. A muted group's messages still arrive and count as unread; the
 * client keeps quiet about them, except for the ones that mention the account.
 *
 * @module
 */
import { type ClientFrame, ErrorCode, type FrameError } from "./protocol.ts";
import { parseChatId } from "./chat_id.ts";
import type { Connection } from "./connection.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { checkTitle } from "./group_rules.ts";
import { displayName, postSystemLine } from "./system_lines.ts";
import type { Group } from "../store/groups.ts";

type NoticeRequest = Extract<ClientFrame, { type: "systemNotice" }>;

/** Handles one `systemNotice` frame of a logged-in connection. */
export async function handleSystemNotice(
  ctx: GatewayContext,
  connection: Connection,
  frame: NoticeRequest,
): Promise<void> {
  const fail = (error: FrameError) => connection.sendError(error);
  const actor = connection.accountid;
  const chat = parseChatId(frame.chatid);
  if (typeof chat === "string") return fail({ info: ErrorCode.badRequest, msg: chat });
  if (chat.kind !== "group") {
    return fail({ info: ErrorCode.badRequest, msg: "systemNotice needs a group chat id" });
  }
  if (frame.action === "grouptitle") {
    const problem = checkTitle(frame.title);
    if (problem) return fail({ info: ErrorCode.badRequest, msg: problem });
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const group = await ctx.groups.find(chat.chatid);
      const members = group?.members.map((m) => m.accountid) ?? [];
      if (!group || !members.includes(actor)) {
        return fail({ info: ErrorCode.forbidden, msg: `you are not a member of ${chat.chatid}` });
      }
      if (frame.action !== "grouptitle") {
        await ctx.groups.setMuted(actor, group.chatid, frame.action === "closenotice");
        ctx.hub.sendTo([actor], notice(actor, group, frame.action));
        return;
      }
      const atMs = Date.now();
      const renamed = frame.title === group.title ? group : await ctx.groups.change(
        group.chatid,
        group.version,
        { add: [], remove: [], title: frame.title, atMs },
      );
      if (!renamed) continue; // changed meanwhile: look again
      await ctx.hub.deliver(members, notice(actor, renamed, "grouptitle"), { key: group.chatid });
      if (renamed === group) return;
      const line = `${await displayName(ctx.users, actor)} renamed the group to “${frame.title}”`;
      return await postSystemLine(ctx, group.chatid, actor, line, members, atMs);
    }
  } catch (error) {
    ctx.log(`systemNotice ${chat.chatid}: ${error}`);
    return fail({
      info: ErrorCode.unavailable,
      msg: "the group could not be changed; retry later",
    });
  }
  fail({ info: ErrorCode.conflict, msg: "the group kept changing meanwhile; try again" });
}

function notice(actor: string, group: Group, action: NoticeRequest["action"]): string {
  return JSON.stringify({
    type: "systemNotice",
    fromuser: actor,
    chatid: group.chatid,
    action,
    title: group.title,
    time: Math.floor(Date.now() / 1000),
  });
}
