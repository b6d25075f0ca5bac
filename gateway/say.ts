/**
 * The `say` handler: validate, check membership, queue durably (which assigns `mid`/`seq`),
 * acknowledge, deliver to every connection of every participant, then count it unread and
 * keep it for the participants who are offline.
 *
 * @module
 */
import { MessageType, newMid } from "../queue/message.ts";
import type { ChatMessage } from "../queue/message.ts";
import type { EnqueueResult } from "../queue/queue.ts";
import { parseChatId } from "./chat_id.ts";
import type { Connection } from "./connection.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { type ClientFrame, ErrorCode, type FrameError, type SayFrame } from "./protocol.ts";
import { type FileInfo, toFileInfo } from "../files/file_info.ts";
import { sayFile } from "./say_file.ts";

type SayRequest = Extract<ClientFrame, { type: "say" }>;

/** Handles one `say` frame of a logged-in connection. */
export async function handleSay(
  ctx: GatewayContext,
  connection: Connection,
  frame: SayRequest,
): Promise<void> {
  const cid = frame.cid;
  const fail = (info: FrameError["info"], msg: string) => connection.sendError({ info, msg, cid });
  const sender = connection.accountid;

  const chat = parseChatId(frame.chatid);
  if (typeof chat === "string") return fail(ErrorCode.badRequest, chat);
  const problem = checkContent(frame, ctx.config.limits.messageChars);
  if (problem) return fail(ErrorCode.badRequest, problem);
  if (chat.kind === "group") {
    // Groups arrive with the groups issue; until then nobody is a member of one.
    return fail(ErrorCode.forbidden, `you are not a member of ${chat.chatid}`);
  }
  if (!chat.members.includes(sender)) {
    return fail(ErrorCode.forbidden, `you are not a participant of ${chat.chatid}`);
  }
  const members = [...new Set(chat.members)];
  let existing: Set<string>;
  try {
    existing = await ctx.users.existing(members);
  } catch (error) {
    ctx.log(`say: user lookup failed: ${error}`, "warn");
    return fail(ErrorCode.unavailable, "the user directory is unavailable; retry later");
  }
  const unknown = members.filter((m) => !existing.has(m));
  if (unknown.length > 0) return fail(ErrorCode.badRequest, `unknown account: ${unknown[0]}`);
  const attached = await sayFile(ctx, frame, sender);
  if ("info" in attached) return fail(attached.info, attached.msg);
  const { file } = attached;
  const time = Math.floor(Date.now() / 1000);
  if (file) {
    // Recorded before the message is queued: once anyone can see the message, its readers may
    // download the file. (A failed enqueue leaves a permission for a chat the sender chose.)
    try {
      await ctx.files.recordSend(file.id, chat.chatid, time);
    } catch (error) {
      ctx.log(`say: recording the file's chat failed: ${error}`);
      return fail(ErrorCode.unavailable, "files are unavailable; retry later");
    }
  }

  let result: EnqueueResult;
  try {
    result = await ctx.producer.enqueue({
      mid: newMid(),
      chatid: chat.chatid,
      fromuser: sender,
      message: frame.content,
      type: MessageType[frame.msgType],
      fileId: file?.id ?? "",
      time,
      cid,
      members,
    });
  } catch (error) {
    ctx.log(`say: enqueue failed: ${error}`, "warn");
    return fail(ErrorCode.unavailable, "the message could not be queued; nothing was stored");
  }
  const { ack } = result;
  if (!result.duplicate) ctx.metrics?.messagesIn.inc();
  connection.sendJson({
    type: "ack",
    cid,
    chatid: ack.chatid,
    mid: ack.mid,
    seq: ack.seq,
    time: ack.time,
  });
  // A resent cid is acknowledged again; its message was delivered the first time.
  if (result.duplicate) return;
  const { message } = result;

  const text = JSON.stringify(toSayFrame(message, file ? toFileInfo(file) : undefined));
  const readers = members.filter((m) => m !== sender);
  const offline = readers.filter((m) => !ctx.hub.has(m));
  // The counter update is issued before the frame goes out, so a `read` the reader sends on
  // seeing it reaches the store after the increment and leaves the count at 0.
  const counting = ctx.inbox.deliver(message.chatid, readers, offline, text);
  ctx.metrics?.messagesOut.inc(undefined, ctx.hub.sendTo(members, text));
  try {
    await counting;
  } catch (error) {
    // The message itself is safe in the queue; only the counters missed it.
    ctx.log(`say: unread/offline update failed for ${message.mid}: ${error}`, "warn");
  }
}

/** The `say` frame of an accepted message, with its `File` for images and files. */
export function toSayFrame(message: ChatMessage, file?: FileInfo): SayFrame {
  const frame: SayFrame = {
    type: "say",
    chatid: message.chatid,
    fromuser: message.fromuser,
    message: message.message,
    msgType: (["text", "image", "file"] as const)[message.type],
    time: message.time,
    mid: message.mid,
    seq: message.seq,
    cid: message.cid,
  };
  if (file) frame.file = file;
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
