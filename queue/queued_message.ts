/**
 * A message as the queues store it: JSON text of the draft's fields in a fixed order with `seq`
 * spliced in at the end, so the text stays byte-for-byte what the sender wrote (re-encoding it,
 * e.g. with Redis's cjson, would turn `[]` into `{}` and escape "/" differently).
 *
 * @module
 */
import type { ChatMessage, MessageDraft } from "./message.ts";
import type { EnqueueResult, MessageAck, ParkedReason } from "./queue.ts";

/** How long a client id is remembered (the original kept everything a day). */
export const CID_TTL_SECONDS = 86_400;

/**
 * The draft's fields only, in a fixed order, as JSON ending in "}"; the queue appends
 * `,"seq":N}` in place of that brace once it has the chat's next `seq`.
 */
export function draftJson(draft: MessageDraft): string {
  if (typeof draft.chatid !== "string" || draft.chatid === "") {
    throw new TypeError("Cannot enqueue message: chatid is empty");
  }
  if (!Array.isArray(draft.members)) {
    throw new TypeError("Cannot enqueue message: members must be an array");
  }
  return JSON.stringify({
    mid: draft.mid,
    chatid: draft.chatid,
    fromuser: draft.fromuser,
    message: draft.message,
    type: draft.type,
    fileId: draft.fileId,
    time: draft.time,
    cid: draft.cid,
    members: draft.members,
    ...(draft.mentions?.length ? { mentions: draft.mentions } : {}),
    ...(draft.broadcast ? { broadcast: draft.broadcast } : {}),
    ...(draft.replyTo ? { replyTo: draft.replyTo } : {}),
    ...(draft.change ? { change: draft.change } : {}),
  });
}

/**
 * The `cid` record's fields, as JSON ending in "}" like {@link draftJson}'s: what a re-ack
 * needs and nothing more, so 24 h of records cost a few dozen bytes per message, not its text.
 */
export function ackJson(draft: MessageDraft): string {
  return JSON.stringify({ mid: draft.mid, chatid: draft.chatid, cid: draft.cid, time: draft.time });
}

/** `text` (ending in "}") with `,"seq":N` spliced in before its last brace. */
export function withSeq(text: string, seq: number | string): string {
  return `${text.slice(0, -1)},"seq":${seq}}`;
}

/** Reads a `cid` record (or a whole message, as the previous version kept) as an ack. */
export function parseAck(raw: string): MessageAck {
  const ack = JSON.parse(raw) as MessageAck;
  if (typeof ack.mid !== "string" || typeof ack.seq !== "number") {
    throw new TypeError(`Cannot read client id record: malformed ${raw.slice(0, 80)}`);
  }
  return ackOf(ack);
}

function ackOf({ mid, chatid, seq, time, cid }: MessageAck): MessageAck {
  return { mid, chatid, seq, time, cid };
}

/**
 * The result of an enqueue of `draft` that queued `raw` (its JSON with the seq spliced in), or
 * found the `cid` record `raw`. The queued message is the draft with the seq read off the end of
 * `raw`: parsing the whole item again would cost a group's member list once more per message.
 */
export function enqueueResult(
  kind: "queued" | "duplicate",
  raw: string,
  draft: MessageDraft,
): EnqueueResult {
  if (kind === "duplicate") return { duplicate: true, ack: parseAck(raw) };
  const seq = Number(/,"seq":(\d+)\}$/.exec(raw)?.[1]);
  if (!Number.isSafeInteger(seq)) {
    throw new TypeError(`Cannot read queued message: no seq in ${raw.slice(-80)}`);
  }
  const message: ChatMessage = { ...draft, seq };
  return { duplicate: false, ack: ackOf(message), message };
}

/** Reads a queued item back; throws on one without `seq` or `members`. */
export function parseQueued(raw: string): ChatMessage {
  const message = JSON.parse(raw) as ChatMessage;
  if (typeof message.seq !== "number" || !Array.isArray(message.members)) {
    throw new TypeError(`Cannot read queued message: malformed item ${raw.slice(0, 80)}`);
  }
  return message;
}

/** Throws unless `workerId` can name in-flight state (a Redis key part, a column value). */
export function checkWorkerId(workerId: string): void {
  if (!/^[\w.:-]{1,100}$/.test(workerId)) {
    throw new TypeError(`Cannot create queue: invalid workerId "${workerId}"`);
  }
}

/** Throws on a `takeBatch` size or timeout outside the contract. */
export function checkTake(max: number, timeoutSeconds: number): void {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`Cannot take a batch: max must be a positive integer, got ${max}`);
  }
  if (!(timeoutSeconds >= 0)) {
    throw new RangeError(`Cannot take a batch: invalid timeout ${timeoutSeconds}`);
  }
}

/** Parked-message counts by reason as a list, most frequent first. */
export function byCount(counts: Map<string, number>): ParkedReason[] {
  return [...counts].map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
