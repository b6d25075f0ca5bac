/**
 * The inbound frames of the conversation features (docs/protocol.md): `recall`, `edit` and
 * `typing`, parsed at the edge like every other frame (`protocol.ts` hands them here).
 *
 * @module
 */
import { type MessageTypeName, messageTypeNames, type ReplyQuote } from "../queue/message.ts";
import { ErrorCode, type FrameError } from "./protocol.ts";

/** A reply's `replyTo` on the wire: the quoted message, or "recalled message" once recalled. */
export interface Quote {
  mid: string;
  fromuser: string;
  /** The start of the quoted text; "" once it was recalled. */
  excerpt: string;
  msgType: MessageTypeName;
  /** The quoted message was recalled since (the page shows "recalled message"). */
  recalled?: true;
}

/** The wire form of a stored quote. */
export function toQuote(quote: ReplyQuote): Quote {
  return {
    mid: quote.mid,
    fromuser: quote.fromuser,
    excerpt: quote.excerpt,
    msgType: messageTypeNames[quote.type] ?? "text",
    ...(quote.recalled ? { recalled: true } : {}),
  };
}

/** `recall`: the message `mid` of `chatid` is to vanish for everybody. */
export interface RecallRequest {
  type: "recall";
  chatid: string;
  mid: string;
  cid: string;
}

/** `edit`: the message `mid` of `chatid` gets the text `content` (same `mid` and `seq`). */
export interface EditRequest {
  type: "edit";
  chatid: string;
  mid: string;
  content: string;
  cid: string;
}

/** `typing`: the sender is typing in `chatid` (never stored). */
export interface TypingRequest {
  type: "typing";
  chatid: string;
}

/** The frames of this module. */
export type ConversationRequest = RecallRequest | EditRequest | TypingRequest;

/** Parses a `recall`, `edit` or `typing` object; never throws. */
export function parseConversationFrame(
  f: Record<string, unknown>,
  cid: string | undefined,
): ConversationRequest | FrameError {
  const bad = (msg: string): FrameError => ({
    info: ErrorCode.badRequest,
    msg,
    ...(cid === undefined ? {} : { cid }),
  });
  if (f.type === "typing") {
    if (typeof f.chatid !== "string") return bad("typing needs a string chatid");
    return { type: "typing", chatid: f.chatid };
  }
  const type = f.type as "recall" | "edit";
  if (f.cid !== undefined && (typeof f.cid !== "string" || f.cid.length > 64)) {
    return bad("cid must be a string of at most 64 characters");
  }
  if (typeof f.chatid !== "string") return bad(`${type} needs a string chatid`);
  if (typeof f.mid !== "string") return bad(`${type} needs a string mid`);
  const common = { chatid: f.chatid, mid: f.mid, cid: (f.cid as string | undefined) ?? "" };
  if (type === "recall") return { type, ...common };
  if (typeof f.content !== "string") return bad("edit needs a string content");
  return { type, ...common, content: f.content };
}
