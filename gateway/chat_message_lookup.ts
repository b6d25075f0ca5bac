/**
 * What the recall, edit, reply, receipt and typing handlers ask first: is the asker a
 * participant of this chat now (and who else is), and which archived message of it does a
 * `mid` name.
 *
 * @module
 */
import type { ChatMessage } from "../queue/message.ts";
import { type ChatId, parseChatId } from "./chat_id.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { ErrorCode, type FrameError } from "./protocol.ts";

/** A chat the asker takes part in now, with its participants. */
export interface Participation {
  chat: ChatId;
  /** Every participant now, the asker included. */
  members: string[];
  /** A group's owner; null for a one-to-one chat. */
  owner: string | null;
  /** Groups: the millisecond the asker's current membership began; 0 for one-to-one chats. */
  sinceMs: number;
}

/**
 * The asker's participation in `chatid` from the cached group (no query of the store's own for
 * a typing indicator), or the error to answer (the same for "no such group").
 */

export async function participation(
  ctx: GatewayContext,
  chatid: string,
  accountid: string,
): Promise<Participation | FrameError> {
  const chat = parseChatId(chatid);
  if (typeof chat === "string") return { info: ErrorCode.badRequest, msg: chat };
  if (chat.kind === "direct") {
    if (!chat.members.includes(accountid)) {
      return { info: ErrorCode.forbidden, msg: `you are not a participant of ${chat.chatid}` };
    }
    return { chat, members: [...new Set(chat.members)], owner: null, sinceMs: 0 };
  }
  try {
    const group = await ctx.groups.find(chat.chatid);
    const me = group?.members.find((m) => m.accountid === accountid);
    if (!group || !me) {
      return { info: ErrorCode.forbidden, msg: `you are not a member of ${chat.chatid}` };
    }
    return {
      chat,
      members: group.members.map((m) => m.accountid),
      owner: group.owner,
      // The current stretch began when the member list says it joined.
      sinceMs: me.joinedMs,
    };
  } catch (error) {
    ctx.log(`conversation: group lookup failed: ${error}`);
    return { info: ErrorCode.unavailable, msg: "the group directory is unavailable; retry later" };
  }
}

const MID = /^[0-9a-f]{24}$/;
/** A message younger than this may still be on its way into the archive: looked for again. */
const FRESH_MS = 10_000;
const LOOK_AGAIN_MS = 100;
const LOOKS = 10;

/**
 * The archived message `mid` of `chatid`, or the error to answer: `not_found` alike for an
 * unknown mid and one of another chat (a mid says nothing about chats the asker is not in). A
 * message sent a moment ago reaches the archive milliseconds after its `ack`: it is looked for
 * again for up to a second.
 */
export async function findChatMessage(
  ctx: GatewayContext,
  chatid: string,
  mid: string,
): Promise<ChatMessage | FrameError> {
  if (!MID.test(mid)) return { info: ErrorCode.badRequest, msg: "mid must be 24 hex digits" };
  const fresh = Date.now() - parseInt(mid.slice(0, 12), 16) < FRESH_MS;
  for (let look = 1;; look++) {
    let message: ChatMessage | undefined;
    try {
      message = (await ctx.archive.findMessages([mid])).get(mid);
    } catch (error) {
      ctx.log(`conversation: archive lookup failed: ${error}`, "warn");
      return { info: ErrorCode.unavailable, msg: "the archive is unavailable; retry later" };
    }
    if (message && message.chatid === chatid) return message;
    if (message || !fresh || look >= LOOKS) {
      return { info: ErrorCode.notFound, msg: `no message ${mid} in ${chatid}` };
    }
    await new Promise((resolve) => setTimeout(resolve, LOOK_AGAIN_MS));
  }
}
