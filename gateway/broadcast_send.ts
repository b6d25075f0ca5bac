/**
 * The `broadcast` handler: a notice to listed accounts and whole departments (`deptDetail`
 * paths, sub-departments included), from whoever `broadcast.senders` / `broadcast.senderDepts`
 * allow (everyone when both are empty, as in the original). Queued durably (the worker archives
 * it in `webchat_broadcastYYYY` with a row per recipient), acknowledged, then delivered in slices
 * to every connection of every recipient; recipients without a connection get their broadcast
 * unread count raised instead.
 *
 * @module
 */
import { BROADCAST_CHATID } from "../queue/broadcast.ts";
import { MAX_BROADCAST_LABEL, MAX_BROADCAST_TITLE } from "../queue/broadcast_archive.ts";
import { MessageType, newMid } from "../queue/message.ts";
import type { EnqueueResult } from "../queue/queue.ts";
import { ACCOUNT_ID, type User } from "../store/users.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import type { Connection } from "./connection.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { type BroadcastFrame, type ClientFrame, ErrorCode, type FrameError } from "./protocol.ts";

type BroadcastRequest = Extract<ClientFrame, { type: "broadcast" }>;

/** Departments one broadcast may name. */
const MAX_DEPTS = 50;

/** Handles one `broadcast` frame of a logged-in connection. */
export async function handleBroadcast(
  ctx: GatewayContext,
  connection: Connection,
  frame: BroadcastRequest,
): Promise<void> {
  const cid = frame.cid;
  const fail = (info: FrameError["info"], msg: string) => connection.sendError({ info, msg, cid });
  const sender = connection.accountid;
  const problem = checkText(frame, ctx.config.limits.messageChars);
  if (problem) return fail(ErrorCode.badRequest, problem);
  let recipients: string[];
  try {
    const me = await ctx.users.find(sender);
    if (!me || !mayBroadcast(ctx.config.broadcast, me)) {
      return fail(ErrorCode.forbidden, "you may not send broadcasts");
    }
    const found = await resolveRecipients(ctx, frame);
    if (typeof found === "string") return fail(ErrorCode.badRequest, found);
    recipients = found;
  } catch (error) {
    ctx.log(`broadcast: user lookup failed: ${error}`);
    return fail(ErrorCode.unavailable, "the user directory is unavailable; retry later");
  }

  let result: EnqueueResult;
  try {
    result = await ctx.producer.enqueue({
      mid: newMid(),
      chatid: BROADCAST_CHATID,
      fromuser: sender,
      message: frame.content,
      type: MessageType.text,
      fileId: "",
      time: Math.floor(Date.now() / 1000),
      cid,
      members: recipients,
      broadcast: { title: frame.title, touserTitle: frame.label },
    });
  } catch (error) {
    ctx.log(`broadcast: enqueue failed: ${error}`);
    return fail(ErrorCode.unavailable, "the broadcast could not be queued; nothing was stored");
  }
  connection.sendJson({ type: "ack", cid, bid: result.ack.mid, time: result.ack.time });
  if (result.duplicate) return;
  const { message } = result;
  const out: BroadcastFrame = {
    type: "broadcast",
    bid: message.mid,
    fromuser: sender,
    touserTitle: frame.label,
    title: frame.title,
    content: frame.content,
    time: message.time,
  };
  const offline = recipients.filter((id) => !ctx.hub.has(id) && !ctx.presence.isOnline(id));
  const counting = ctx.inbox.addBroadcastUnread(offline);
  await ctx.hub.deliver(recipients, JSON.stringify(out), { key: BROADCAST_CHATID });
  await counting.catch((error) =>
    ctx.log(`broadcast ${message.mid}: unread counts not raised: ${error}`)
  );
}

/** True when the configuration lets `user` broadcast. */
export function mayBroadcast(rules: ResolvedConfig["broadcast"], user: User): boolean {
  if (rules.senders.length === 0 && rules.senderDepts.length === 0) return true;
  if (rules.senders.includes(user.accountid)) return true;
  const path = user.deptDetail.toLowerCase();
  return rules.senderDepts.some((dept) => {
    const d = dept.toLowerCase();
    return path === d || path.startsWith(d + ",");
  });
}

/** Every recipient, each once, or why there are none or too many or some do not exist. */
async function resolveRecipients(
  ctx: GatewayContext,
  frame: BroadcastRequest,
): Promise<string[] | string> {
  const max = ctx.config.broadcast.maxRecipients;
  const listed = [...new Set(frame.member)];
  const malformed = listed.find((id) => !ACCOUNT_ID.test(id));
  if (malformed !== undefined) {
    return `touser: ${JSON.stringify(malformed.slice(0, 50))} is not an accountid`;
  }
  if (listed.length > max) return `a broadcast goes to at most ${max} people`;
  const depts = [...new Set(frame.depts.map((d) => d.trim()))];
  if (depts.length > MAX_DEPTS) return `a broadcast names at most ${MAX_DEPTS} departments`;
  if (depts.some((d) => d === "" || d.length > 128 || !d.isWellFormed())) {
    return "touser.depts: a department path is empty or longer than 128 characters";
  }
  const existing = await ctx.users.existing(listed);
  const unknown = listed.filter((id) => !existing.has(id));
  if (unknown.length > 0) {
    const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : "";
    return `unknown recipient${unknown.length > 1 ? "s" : ""}: ${
      unknown.slice(0, 5).join(", ")
    }${more}`;
  }
  const all = new Set(listed);
  for (const dept of depts) {
    const people = await ctx.users.inDepartments([dept], max + 1);
    if (people.length === 0) return `nobody is in department ${JSON.stringify(dept)}`;
    for (const id of people) all.add(id);
    if (all.size > max) return `a broadcast goes to at most ${max} people`;
  }
  if (all.size === 0) return "a broadcast needs at least one recipient";
  return [...all];
}

function checkText(frame: BroadcastRequest, maxChars: number): string | null {
  const texts = [frame.content, frame.title, frame.label, frame.cid];
  if (!texts.every((t) => t.isWellFormed())) return "broadcast text must be valid Unicode";
  if (frame.content.trim() === "") return "content must not be empty";
  if (frame.content.length > maxChars && [...frame.content].length > maxChars) {
    return `content is longer than ${maxChars} characters`;
  }
  if ([...frame.title].length > MAX_BROADCAST_TITLE) {
    return `title is longer than ${MAX_BROADCAST_TITLE} characters`;
  }
  if ([...frame.label].length > MAX_BROADCAST_LABEL) {
    return `touser.title is longer than ${MAX_BROADCAST_LABEL} characters`;
  }
  return null;
}
