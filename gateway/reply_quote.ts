/**
 * Replies: a `say` with `replyTo` quotes another message of the same chat that the sender can
 * read. The quote (sender, start of the text, type) travels with the reply; once the quoted
 * message is recalled, readers see "recalled message" instead of its excerpt.
 *
 * @module
 */
import type { MessageArchive } from "../queue/archive.ts";
import {
  type ChatMessage,
  firstMidAt,
  REPLY_EXCERPT_CHARS,
  type ReplyQuote,
} from "../queue/message.ts";
import { findChatMessage, participation } from "./chat_message_lookup.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { ErrorCode, type FrameError } from "./protocol.ts";

/** The quote of `mid` for a reply of `sender` into `chatid`, or the error to answer. */
export async function replyQuote(
  ctx: GatewayContext,
  chatid: string,
  sender: string,
  mid: string,
): Promise<ReplyQuote | FrameError> {
  const part = await participation(ctx, chatid, sender);
  if ("info" in part) return part;
  const quoted = await findChatMessage(ctx, part.chat.chatid, mid);
  if ("info" in quoted) return quoted;
  // A member reads a group from its joining on: what came before is not its to quote.
  if (part.sinceMs > 0 && quoted.mid < firstMidAt(part.sinceMs)) {
    return { info: ErrorCode.notFound, msg: `no message ${mid} in ${chatid}` };
  }
  if (quoted.recalled) {
    return { info: ErrorCode.conflict, msg: `message ${mid} was recalled: it cannot be quoted` };
  }
  return {
    mid: quoted.mid,
    fromuser: quoted.fromuser,
    excerpt: [...quoted.message].slice(0, REPLY_EXCERPT_CHARS).join(""),
    type: quoted.type,
  };
}

/**
 * `messages` with the quotes of recalled messages emptied and marked `recalled` (one archive
 * lookup for the whole list).
 */
export async function withQuoteState(
  archive: MessageArchive,
  messages: ChatMessage[],
): Promise<ChatMessage[]> {
  const mids = messages.flatMap((m) => m.replyTo ? [m.replyTo.mid] : []);
  if (mids.length === 0) return messages;
  const quoted = await archive.findMessages(mids);
  return messages.map((m) =>
    m.replyTo && quoted.get(m.replyTo.mid)?.recalled
      ? { ...m, replyTo: { ...m.replyTo, excerpt: "", recalled: true } }
      : m
  );
}
