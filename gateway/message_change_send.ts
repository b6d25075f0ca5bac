/**
 * The `recall` and `edit` handlers: the sender may recall a message within
 * `messages.recallSeconds` and edit it within `messages.editSeconds`; a group's owner may recall
 * any message of the group. The change goes through the queue (so the archive and the hot
 * history follow, in order after the message), is acknowledged, and every connection of every
 * participant is told (`recall` / `edit` frames). A recalled message cannot be changed again.
 *
 * @module
 */
import type { EnqueueResult } from "../queue/queue.ts";
import { type ChatMessage, type MessageChange, MessageType, newMid } from "../queue/message.ts";
import { CHANGE_CHATID } from "../queue/message_change.ts";
import { findChatMessage, participation } from "./chat_message_lookup.ts";
import type { Connection } from "./connection.ts";
import type { EditRequest, RecallRequest } from "./conversation_frames.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { ErrorCode, type FrameError } from "./protocol.ts";

/** Handles one `recall` or `edit` frame of a logged-in connection. */
export async function handleMessageChange(
  ctx: GatewayContext,
  connection: Connection,
  frame: RecallRequest | EditRequest,
): Promise<void> {
  const { cid } = frame;
  const fail = (error: FrameError) => connection.sendError({ ...error, cid });
  const by = connection.accountid;
  const part = await participation(ctx, frame.chatid, by);
  if ("info" in part) return fail(part);
  if (frame.type === "edit") {
    const problem = checkText(frame.content, ctx.config.limits.messageChars);
    if (problem) return fail({ info: ErrorCode.badRequest, msg: problem });
  }
  const target = await findChatMessage(ctx, part.chat.chatid, frame.mid);
  if ("info" in target) return fail(target);
  const time = Math.floor(Date.now() / 1000);
  const refused = frame.type === "recall"
    ? mayRecall(ctx, target, by, part.owner, time)
    : mayEdit(ctx, target, by, time, frame.content);
  if (refused) return fail(refused);

  const change: MessageChange = {
    kind: frame.type,
    chatid: target.chatid,
    mid: target.mid,
    by,
    text: frame.type === "edit" ? frame.content : "",
    time,
  };
  let result: EnqueueResult;
  try {
    result = await ctx.producer.enqueue({
      mid: newMid(),
      chatid: CHANGE_CHATID,
      fromuser: by,
      message: "",
      type: MessageType.text,
      fileId: "",
      time,
      // Scoped to the change: a resent recall is one, a cid reused for another message is not
      // taken for it (ids and the client's 64 characters: a short key all the same).
      cid: cid === "" ? "" : `${frame.type}:${target.mid}:${cid}`,
      members: [],
      change,
    });
  } catch (error) {
    ctx.log(`${frame.type}: enqueue failed: ${error}`, "warn");
    return fail({ info: ErrorCode.unavailable, msg: `the ${frame.type} could not be queued` });
  }
  connection.sendJson({
    type: "ack",
    cid,
    chatid: target.chatid,
    mid: target.mid,
    seq: target.seq,
    time: result.ack.time,
  });
  if (result.duplicate) return;
  const told = frame.type === "recall"
    ? {
      type: "recall",
      chatid: target.chatid,
      mid: target.mid,
      seq: target.seq,
      fromuser: target.fromuser,
      by,
      time,
    }
    : {
      type: "edit",
      chatid: target.chatid,
      mid: target.mid,
      seq: target.seq,
      fromuser: target.fromuser,
      message: change.text,
      edited: time,
    };
  await ctx.hub.deliver(part.members, JSON.stringify(told), { key: target.chatid });
}

function mayRecall(
  ctx: GatewayContext,
  target: ChatMessage,
  by: string,
  owner: string | null,
  now: number,
): FrameError | null {
  const unchangeable = fixed(target);
  if (unchangeable) return unchangeable;
  // A group's owner keeps the group clean, whoever wrote it and whenever.
  if (owner === by) return null;
  if (target.fromuser !== by) {
    return { info: ErrorCode.forbidden, msg: "you may recall only your own messages" };
  }
  return pastWindow("recall", target, now, ctx.config.messages.recallSeconds);
}

function mayEdit(
  ctx: GatewayContext,
  target: ChatMessage,
  by: string,
  now: number,
  content: string,
): FrameError | null {
  const unchangeable = fixed(target);
  if (unchangeable) return unchangeable;
  if (target.fromuser !== by) {
    return { info: ErrorCode.forbidden, msg: "you may edit only your own messages" };
  }
  if (target.type === MessageType.text && content.trim() === "") {
    return { info: ErrorCode.badRequest, msg: "content must not be empty" };
  }
  return pastWindow("edit", target, now, ctx.config.messages.editSeconds);
}

/** System lines and recalled messages stay as they are. */
function fixed(target: ChatMessage): FrameError | null {
  if (target.recalled) {
    return { info: ErrorCode.conflict, msg: `message ${target.mid} was recalled already` };
  }
  if (target.type === MessageType.system) {
    return { info: ErrorCode.badRequest, msg: "the server's own lines cannot be changed" };
  }
  return null;
}

function pastWindow(
  what: "recall" | "edit",
  target: ChatMessage,
  now: number,
  seconds: number,
): FrameError | null {
  if (now - target.time <= seconds) return null;
  return {
    info: ErrorCode.forbidden,
    msg: `too late to ${what} this message: at most ${seconds} seconds after sending`,
  };
}

function checkText(content: string, maxChars: number): string | null {
  if (!content.isWellFormed()) return "content must be valid Unicode text";
  if (content.length > maxChars && [...content].length > maxChars) {
    return `content is longer than ${maxChars} characters`;
  }
  return null;
}
