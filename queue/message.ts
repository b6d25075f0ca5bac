/**
 * The chat message as it travels through the queue, the archive and the history API.
 *
 * @module
 */

/**
 * Message types as stored in the archive's `type` column (the original's numbering, and 3 for
 * the server's own lines in a group's history: "alice added bob").
 */
export const MessageType = { text: 0, image: 1, file: 2, system: 3 } as const;
/** One of {@link MessageType}'s values. */
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** Wire names of {@link MessageType}, by code. */
export const messageTypeNames = ["text", "image", "file", "system"] as const;
/** `"text" | "image" | "file" | "system"`. */
export type MessageTypeName = (typeof messageTypeNames)[number];

/** What the gateway hands to the queue: a validated message without its per-chat `seq`. */
export interface MessageDraft {
  /** Unique forever (see `newMid`). */
  mid: string;
  chatid: string;
  /** Sender accountid. */
  fromuser: string;
  /** Plain text, stored and returned verbatim. */
  message: string;
  type: MessageTypeCode;
  /** Upload id for image/file messages, "" otherwise. */
  fileId: string;
  /** Unix seconds, assigned by the gateway. */
  time: number;
  /** The client's idempotency id, "" when none was sent. */
  cid: string;
  /** Every participant at send time (the sender included): whose recent contacts to update. */
  members: string[];
  /**
   * Group messages only: the members the text mentions (`@accountid`), or `["@all"]` for the
   * owner's `@all`. Absent when none.
   */
  mentions?: string[];
  /** Broadcasts only (see `broadcast.ts`): the subject and the recipients' label. */
  broadcast?: BroadcastHeader;
  /** A reply: the message of the same chat it quotes. */
  replyTo?: ReplyQuote;
  /** Recalls and edits only (see `message_change.ts`): what changes in which message. */
  change?: MessageChange;
}

/** What a reply carries of the message it quotes (as it was when the reply was sent). */
export interface ReplyQuote {
  mid: string;
  fromuser: string;
  /** The start of the quoted text (at most {@link REPLY_EXCERPT_CHARS} characters). */
  excerpt: string;
  type: MessageTypeCode;
  /** Set when read back once the quoted message was recalled (its excerpt is then ""). */
  recalled?: true;
}

/** Longest excerpt a reply carries of the quoted text, in characters. */
export const REPLY_EXCERPT_CHARS = 100;

/** A recall (the text is gone) or an edit (new text, same `mid` and `seq`) of a message. */
export interface MessageChange {
  kind: "recall" | "edit";
  /** The chat and the message changed. */
  chatid: string;
  mid: string;
  /** Who changed it: the sender, or for a recall also the group's owner. */
  by: string;
  /** The new text of an edit; "" for a recall. */
  text: string;
  /** Unix seconds of the change. */
  time: number;
}

/** Who recalled a message, and when. */
export interface Recall {
  by: string;
  time: number;
}

/** What a broadcast carries besides its text. */
export interface BroadcastHeader {
  /** The subject. */
  title: string;
  /** The label of the recipients the sender chose ("R&D; Sales"). */
  touserTitle: string;
}

/** A message that has been accepted: the draft plus its place in the chat. */
export interface ChatMessage extends MessageDraft {
  /** 1, 2, 3 … per chat. */
  seq: number;
  /** Archived messages that were edited: unix seconds of the last edit. */
  edited?: number;
  /** Archived messages that were recalled (their text and file are gone). */
  recalled?: Recall;
}

/** The archive's table for a message time: `webchat_messageYYYYMM` in local time. */
export function monthlyTableName(time: number): string {
  const date = new Date(time * 1000);
  const year = date.getFullYear();
  const month = date.getMonth() + 1;
  if (!Number.isInteger(year) || year < 1970 || year > 9999) {
    throw new RangeError(`Cannot name a message table: time ${time} is out of range`);
  }
  return `webchat_message${year}${String(month).padStart(2, "0")}`;
}

/**
 * A new message id: 12 hex digits of milliseconds then 12 hex digits that start random and,
 * within one millisecond of this process, count up: ids sort by creation time, also between
 * messages (or broadcasts) made in the same millisecond, and never collide across processes.
 */
export function newMid(nowMs = Date.now()): string {
  let tail: bigint;
  if (nowMs === lastMid.ms && lastMid.tail < TAIL_MAX) {
    tail = ++lastMid.tail;
  } else {
    const random = crypto.getRandomValues(new Uint8Array(6));
    // The top bit stays clear, so a millisecond has room to count up from where it starts.
    tail = BigInt("0x" + Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("")) >>
      1n;
    // An explicit earlier time (a change's own moment) leaves the counter of "now" alone.
    if (nowMs > lastMid.ms) lastMid = { ms: nowMs, tail };
  }
  return nowMs.toString(16).padStart(12, "0") + tail.toString(16).padStart(12, "0");
}

const TAIL_MAX = (1n << 48n) - 1n;
let lastMid = { ms: -1, tail: 0n };

/**
 * The smallest mid that can be created at `ms` (12 hex digits of ms, then zeros): ranges of
 * mids are ranges of creation time, which is how a group member's stretches of membership
 * become what it may read of the history.
 */
export function firstMidAt(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) {
    throw new RangeError(`Cannot make a mid: time ${ms} is out of range`);
  }
  return ms.toString(16).padStart(12, "0") + "0".repeat(12);
}
