/**
 * Read receipts: a `read` with a `seq` raises the reader's highest read seq of the chat (one
 * write, whatever it covers) and, when it rose, tells those who wait for it with a `receipt`
 * frame: in a one-to-one chat the other person (the sender sees "read"); in a group the senders
 * of the chat's newest messages that the read covers (the hot last-20 list), who count "read by
 * N of M" under their messages; the full list is `GET /api/chats/:chatid/receipts`. Telling
 * every member of a group instead would cost members² frames per message. A receipt goes out
 * only when a mark rises, which takes a message someone sent (and sends are rate limited), and
 * to at most 20 people. An account that turned receipts off is neither recorded nor announced.
 *
 * @module
 */
import { MessageType } from "../queue/message.ts";
import type { ChatId } from "./chat_id.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { ErrorCode, type FrameError } from "./protocol.ts";

/** The error for a `read` whose seq is beyond the chat's last (nothing may change then). */
export async function checkReadSeq(
  ctx: GatewayContext,
  chatid: string,
  seq: number | null,
): Promise<FrameError | null> {
  if (seq === null) return null;
  let last: number;
  try {
    last = await ctx.producer.lastSeq(chatid);
  } catch {
    return { info: ErrorCode.unavailable, msg: "cannot mark read; retry" };
  }
  if (seq <= last) return null;
  return { info: ErrorCode.badRequest, msg: `seq ${seq} is beyond the chat's last (${last})` };
}

/** Records `reader`'s read up to `seq` of `chat` and tells the others when it rose. */
export async function sendReceipt(
  ctx: GatewayContext,
  reader: string,
  chat: ChatId,
  seq: number | null,
): Promise<void> {
  if (seq === null || seq < 1) return;
  try {
    if (!await ctx.receipts.sending(reader)) return;
    const time = Math.floor(Date.now() / 1000);
    if (!await ctx.receipts.mark(chat.chatid, reader, seq, time)) return;
    const waiting = chat.kind === "direct"
      ? chat.members
      : (await ctx.recent.lastMessages(chat.chatid))
        .filter((m) => m.seq <= seq && m.type !== MessageType.system).map((m) => m.fromuser);
    const others = [...new Set(waiting)].filter((m) => m !== reader);
    if (others.length === 0) return;
    const frame = { type: "receipt", chatid: chat.chatid, accountid: reader, seq, time };
    await ctx.hub.deliver(others, JSON.stringify(frame), { key: chat.chatid });
  } catch (error) {
    // The unread count is cleared already; only the receipt is missed.
    ctx.log(`read: receipt of ${reader} in ${chat.chatid} failed: ${error}`, "warn");
  }
}
