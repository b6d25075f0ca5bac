/**
 * The `say` handler: validate, check membership (a group's current members), attach a file the
 * sender uploaded, queue durably (which assigns `mid`/`seq`), acknowledge, deliver to every
 * connection of every participant, then count it unread (and mentioned) and keep it for the
 * participants who are offline.
 *
 * @module
 */
import { MessageType, messageTypeNames, newMid } from "../queue/message.ts";
import type { ChatMessage, MessageDraft } from "../queue/message.ts";
import type { EnqueueResult } from "../queue/queue.ts";
import { type FileInfo, toFileInfo } from "../files/file_info.ts";
import { parseChatId } from "./chat_id.ts";
import type { Connection } from "./connection.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { groupAudience } from "./group_audience.ts";
import { mentionedMembers } from "./mentions.ts";
import { type ClientFrame, ErrorCode, type FrameError, type SayFrame } from "./protocol.ts";
import { sayFile } from "./say_file.ts";
import { toQuote } from "./conversation_frames.ts";
import { replyQuote } from "./reply_quote.ts";

type SayRequest = Extract<ClientFrame, { type: "say" }>;

/** A `say` checked and ready to queue, or the error to answer. */
export type PreparedSay =
  | { fail: FrameError }
  | { draft: MessageDraft; file: FileInfo | undefined };

/**
 * Handles one `say` frame of a logged-in connection: {@link prepareSay}, the enqueue, then
 * {@link finishSay}. (The connection pipelines consecutive says with those parts instead.)
 */
export async function handleSay(
  ctx: GatewayContext,
  connection: Connection,
  frame: SayRequest,
): Promise<void> {
  const prepared = await prepareSay(ctx, connection.accountid, frame);
  await finishSay(
    ctx,
    connection,
    prepared,
    "draft" in prepared ? enqueueSay(ctx, prepared) : null,
  );
}

/**
 * Everything of a `say` before it is queued: validation, membership (a group's current
 * members), the quoted message, the attached file (its chat recorded, so that once anyone can
 * see the message its readers may download the file). Sends nothing.
 */
export async function prepareSay(
  ctx: GatewayContext,
  sender: string,
  frame: SayRequest,
): Promise<PreparedSay> {
  const cid = frame.cid;
  const fail = (info: FrameError["info"], msg: string): PreparedSay => ({
    fail: { info, msg, cid },
  });
  const chat = parseChatId(frame.chatid);
  if (typeof chat === "string") return fail(ErrorCode.badRequest, chat);
  const problem = checkContent(frame, ctx.config.limits.messageChars);
  if (problem) return fail(ErrorCode.badRequest, problem);
  let members: string[];
  let mentions: string[] | undefined;
  if (chat.kind === "group") {
    const audience = await groupAudience(ctx, chat.chatid, sender, frame.content);
    if ("info" in audience) return fail(audience.info, audience.msg);
    ({ members, mentions } = audience);
  } else {
    if (!chat.members.includes(sender)) {
      return fail(ErrorCode.forbidden, `you are not a participant of ${chat.chatid}`);
    }
    members = [...new Set(chat.members)];
    let existing: Set<string>;
    try {
      existing = await ctx.users.existing(members);
    } catch (error) {
      ctx.log(`say: user lookup failed: ${error}`, "warn");
      return fail(ErrorCode.unavailable, "the user directory is unavailable; retry later");
    }
    const unknown = members.filter((m) => !existing.has(m));
    if (unknown.length > 0) return fail(ErrorCode.badRequest, `unknown account: ${unknown[0]}`);
  }
  const quote = frame.replyTo ? await replyQuote(ctx, chat.chatid, sender, frame.replyTo) : null;
  if (quote && "info" in quote) return fail(quote.info, quote.msg);
  const attached = await sayFile(ctx, frame, sender);
  if ("info" in attached) return fail(attached.info, attached.msg);
  const { file } = attached;
  const time = Math.floor(Date.now() / 1000);
  if (file) {
    // (A failed enqueue leaves a permission for a chat the sender chose.)
    try {
      await ctx.files.recordSend(file.id, chat.chatid, time);
    } catch (error) {
      ctx.log(`say: recording the file's chat failed: ${error}`);
      return fail(ErrorCode.unavailable, "files are unavailable; retry later");
    }
  }
  return {
    draft: {
      mid: newMid(),
      chatid: chat.chatid,
      fromuser: sender,
      message: frame.content,
      type: MessageType[frame.msgType],
      fileId: file?.id ?? "",
      time,
      cid,
      members,
      ...(mentions ? { mentions } : {}),
      ...(quote ? { replyTo: quote } : {}),
    },
    file: file ? toFileInfo(file) : undefined,
  };
}

/**
 * Queues a prepared say. Called synchronously in the order the sender sent its frames: the
 * store takes the commands in that order, so `seq` follows the sender's order even while
 * several of its messages are on the way.
 */
export function enqueueSay(
  ctx: GatewayContext,
  prepared: Extract<PreparedSay, { draft: unknown }>,
): Promise<EnqueueResult> {
  return ctx.producer.enqueue(prepared.draft);
}

/** Answers a say (the error, or the ack once queued) and delivers what was queued. */
export async function finishSay(
  ctx: GatewayContext,
  connection: Connection,
  prepared: PreparedSay,
  enqueued: Promise<EnqueueResult> | null,
): Promise<void> {
  if ("fail" in prepared) return connection.sendError(prepared.fail);
  let result: EnqueueResult;
  try {
    result = await enqueued!;
  } catch (error) {
    ctx.log(`say: enqueue failed: ${error}`, "warn");
    return connection.sendError({
      info: ErrorCode.unavailable,
      msg: "the message could not be queued; nothing was stored",
      cid: prepared.draft.cid,
    });
  }
  const { ack } = result;
  if (!result.duplicate) ctx.metrics?.messagesIn.inc();
  connection.sendJson({
    type: "ack",
    cid: prepared.draft.cid,
    chatid: ack.chatid,
    mid: ack.mid,
    seq: ack.seq,
    time: ack.time,
  });
  // A resent cid is acknowledged again; its message was delivered the first time.
  if (result.duplicate) return;
  await deliverMessage(ctx, result.message, { file: prepared.file });
}

/** Options of {@link deliverMessage}. */
export interface DeliveryChoice {
  /** Count it unread for the other members and keep it for the offline ones (default true). */
  unread?: boolean;
  /** The attached image or file, shown in the frame. */
  file?: FileInfo;
}

/**
 * Delivers an accepted message to every connection of its members (in slices for a big group,
 * in `seq` order per chat), mentioned members getting the frame with `"mention": true`; with
 * `unread` (default) it also counts it unread (and mentioned) for the other members and keeps
 * it for those without a connection. Never throws for the counters: the message is queued.
 * Resolves once every connection was sent the frame; the counters go on in the background.
 */
export async function deliverMessage(
  ctx: GatewayContext,
  message: ChatMessage,
  { unread = true, file }: DeliveryChoice = {},
): Promise<void> {
  const frame = toSayFrame(message, file);
  const text = JSON.stringify(frame);
  const mentioned = mentionedMembers(message.mentions, message.members, message.fromuser);
  const mentionText = mentioned.length > 0 ? JSON.stringify({ ...frame, mention: true }) : text;
  const marked = new Set(mentioned);
  let counting: Promise<void> = Promise.resolve();
  if (unread) {
    const readers = message.members.filter((m) => m !== message.fromuser);
    const offline = readers.filter((m) => !ctx.hub.has(m) && !ctx.presence.isOnline(m));
    // The counter update is issued before the frame goes out, so a `read` the reader sends on
    // seeing it reaches the store after the increment and leaves the count at 0.
    counting = ctx.inbox.deliver(
      message.chatid,
      readers,
      offline,
      text,
      mentioned.length > 0 ? { accountids: mentioned, frame: mentionText } : undefined,
    );
  }
  // Not awaited: the next frame need not wait for the counters (they are issued in order on
  // the store's connection). The message itself is safe in the queue; only they may miss it.
  counting.catch((error) =>
    ctx.log(`say: unread/offline update failed for ${message.mid}: ${error}`, "warn")
  );
  // Awaited: a sender into a big group waits for its delivery (backpressure).
  const sent = await ctx.hub.deliver(message.members, text, {
    key: message.chatid,
    seq: message.seq,
    textFor: marked.size > 0 ? (id) => marked.has(id) ? mentionText : text : undefined,
  });
  ctx.metrics?.messagesOut.inc(undefined, sent);
}

/** The `say` frame of an accepted message, with its `File` for images and files. */
export function toSayFrame(message: ChatMessage, file?: FileInfo): SayFrame {
  const frame: SayFrame = {
    type: "say",
    chatid: message.chatid,
    fromuser: message.fromuser,
    message: message.message,
    msgType: messageTypeNames[message.type],
    time: message.time,
    mid: message.mid,
    seq: message.seq,
    cid: message.cid,
    ...(message.mentions?.length ? { mentions: message.mentions } : {}),
    ...(message.replyTo && !message.recalled ? { replyTo: toQuote(message.replyTo) } : {}),
    ...(message.edited ? { edited: message.edited } : {}),
    ...(message.recalled ? { recalled: message.recalled } : {}),
  };
  if (file && !message.recalled) frame.file = file;
  return frame;
}

function checkContent(frame: SayRequest, maxChars: number): string | null {
  const content = frame.content;
  if (!content.isWellFormed() || !frame.cid.isWellFormed()) {
    return "content must be valid Unicode text";
  }
  if (frame.msgType === "text" && content.trim() === "") return "content must not be empty";
  // Count characters (code points), not UTF-16 units; the quick test avoids the spread.
  if (content.length > maxChars && [...content].length > maxChars) {
    return `content is longer than ${maxChars} characters`;
  }
  return null;
}
