/**
 * The WebSocket wire contract (docs/protocol.md) as data: close and error codes, inbound frames as
 * a discriminated union parsed at the edge, and the outbound frame shapes.
 *
 * @module
 */
import type { User } from "../store/users.ts";
import type { Contact } from "./contacts.ts";
import type { MessageTypeName } from "../queue/message.ts";
import type { FileInfo } from "../files/file_info.ts";
import {
  type ConversationRequest,
  parseConversationFrame,
  type Quote,
} from "./conversation_frames.ts";

/** Close codes. 4xxx are ours: 44xx = do not retry as is, 4408 = reconnect. */
export const CloseCode = {
  goingAway: 1001,
  tooLarge: 1009,
  tryAgainLater: 1013,
  unauthenticated: 4401,
  forbidden: 4403,
  idle: 4408,
} as const;

/** Error codes, shared by HTTP answers and `error` frames. */
export const ErrorCode = {
  badRequest: "bad_request",
  unauthorized: "unauthorized",
  badCredentials: "bad_credentials",
  forbidden: "forbidden",
  notFound: "not_found",
  conflict: "conflict",
  tooLarge: "too_large",
  rateLimited: "rate_limited",
  unavailable: "unavailable",
  internal: "internal",
} as const;
/** One of {@link ErrorCode}'s values. */
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Frames a client may send. */
export type ClientFrame =
  | { type: "login"; clientName: string }
  | { type: "ping" }
  | { type: "pong" }
  | {
    type: "say";
    chatid: string;
    content: string;
    /** What a client may send: system lines are the server's. */
    msgType: Exclude<MessageTypeName, "system">;
    cid: string;
    fileId: string;
    /** The mid of the message of the same chat this one replies to, "" for none. */
    replyTo: string;
  }
  | ConversationRequest
  | { type: "read"; chatid: string; seq: number | null }
  | { type: "groupset"; chatid: string; title: string; members: string[] }
  | { type: "systemNotice"; chatid: string; action: NoticeAction; title: string }
  | {
    type: "broadcast";
    /** Listed recipients (the `touser` string form "a-b-c" split). */
    member: string[];
    /** Departments (`deptDetail` paths), sub-departments included. */
    depts: string[];
    /** `touser.title`: the label of the recipients. */
    label: string;
    title: string;
    content: string;
    cid: string;
  };

/** The actions of `systemNotice`. */
export const NOTICE_ACTIONS = ["grouptitle", "opennotice", "closenotice"] as const;
/** One of {@link NOTICE_ACTIONS}. */
export type NoticeAction = (typeof NOTICE_ACTIONS)[number];

/** A parse failure: the error frame to answer with. */
export interface FrameError {
  info: ErrorCodeName;
  msg: string;
  cid?: string;
}

/** The server's `say` frame (also the `Say` items of `init.offline` and of history). */
export interface SayFrame {
  type: "say";
  chatid: string;
  fromuser: string;
  message: string;
  msgType: MessageTypeName;
  /** Images and files only. */
  file?: FileInfo;
  time: number;
  mid: string;
  seq: number;
  cid: string;
  /** Group messages that mention someone: who (`@all` for everyone). */
  mentions?: string[];
  /** Set on the frame of a member the message mentions. */
  mention?: true;
  /** A reply: the message it quotes. */
  replyTo?: Quote;
  /** Edited: unix seconds of the last edit. */
  edited?: number;
  /** Recalled (the text and file are gone): by whom, when. */
  recalled?: { by: string; time: number };
}

/** The server's `groupset` frame: a group was created or its members changed. */
export interface GroupsetFrame {
  type: "groupset";
  chatid: string;
  fromuser: string;
  title: string;
  owner: string;
  /** Every member after the change, longest-standing first. */
  members: string[];
  addMember: string[];
  delMember: string[];
  time: number;
}

/** The server's `broadcast` frame. */
export interface BroadcastFrame {
  type: "broadcast";
  bid: string;
  fromuser: string;
  touserTitle: string;
  title: string;
  content: string;
  time: number;
}

/** The server's `init` frame. */
export interface InitFrame {
  type: "init";
  user: User;
  online: string[];
  contacts: Contact[];
  unread: Record<string, number>;
  /** Unread mentions by group (only groups with some). */
  mentions: Record<string, number>;
  broadcastUnread: number;
  /** Whether this account may send broadcasts (`broadcast.senders`/`senderDepts`). */
  mayBroadcast: boolean;
  /** How long after sending a message its sender may recall or edit it (the page's menu). */
  messages: { recallSeconds: number; editSeconds: number };
  muted: string[];
  offline: SayFrame[];
}

const MSG_TYPES: readonly string[] = ["text", "image", "file"];

/** Parses one text frame; never throws. */
export function parseClientFrame(text: string): ClientFrame | FrameError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return bad("frame is not valid JSON");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return bad("frame must be a JSON object");
  }
  const f = data as Record<string, unknown>;
  const cid = typeof f.cid === "string" ? f.cid.slice(0, 64) : undefined;
  switch (f.type) {
    case "login":
      if (typeof f.clientName !== "string") return bad("login needs a string clientName");
      return { type: "login", clientName: f.clientName };
    case "ping":
    case "pong":
      return { type: f.type };
    case "say": {
      if (f.cid !== undefined && (typeof f.cid !== "string" || f.cid.length > 64)) {
        return bad("cid must be a string of at most 64 characters", cid);
      }
      if (typeof f.chatid !== "string") return bad("say needs a string chatid", cid);
      if (typeof f.content !== "string") return bad("say needs a string content", cid);
      const msgType = f.msgType === undefined || f.msgType === "" ? "text" : f.msgType;
      if (typeof msgType !== "string" || !MSG_TYPES.includes(msgType)) {
        return bad(`msgType must be "text", "image", "file" or empty`, cid);
      }
      if (f.fileId !== undefined && typeof f.fileId !== "string") {
        return bad("fileId must be a string", cid);
      }
      if (f.replyTo !== undefined && typeof f.replyTo !== "string") {
        return bad("replyTo must be the mid of a message", cid);
      }
      return {
        type: "say",
        chatid: f.chatid,
        content: f.content,
        msgType: msgType as Exclude<MessageTypeName, "system">,
        cid: (f.cid as string | undefined) ?? "",
        fileId: (f.fileId as string | undefined) ?? "",
        replyTo: (f.replyTo as string | undefined) ?? "",
      };
    }
    case "recall":
    case "edit":
    case "typing":
      return parseConversationFrame(f, cid);
    case "read": {
      if (typeof f.chatid !== "string") return bad("read needs a string chatid");
      if (f.seq !== undefined && (!Number.isSafeInteger(f.seq) || (f.seq as number) < 0)) {
        return bad("seq must be a non-negative integer");
      }
      return { type: "read", chatid: f.chatid, seq: (f.seq as number | undefined) ?? null };
    }
    case "groupset": {
      if (typeof f.chatid !== "string") return bad("groupset needs a string chatid");
      if (f.title !== undefined && typeof f.title !== "string") {
        return bad("title must be a string");
      }
      if (!isStringList(f.members)) return bad("groupset needs members: a list of accountids");
      return { type: "groupset", chatid: f.chatid, title: f.title ?? "", members: f.members };
    }
    case "systemNotice": {
      if (typeof f.chatid !== "string") return bad("systemNotice needs a string chatid");
      if (typeof f.action !== "string" || !NOTICE_ACTIONS.includes(f.action as NoticeAction)) {
        return bad(`action must be one of ${NOTICE_ACTIONS.join(", ")}`);
      }
      if (f.title !== undefined && typeof f.title !== "string") {
        return bad("title must be a string");
      }
      return {
        type: "systemNotice",
        chatid: f.chatid,
        action: f.action as NoticeAction,
        title: f.title ?? "",
      };
    }
    case "broadcast":
      return parseBroadcast(f, cid);
    case undefined:
      return bad("frame needs a type");
    default:
      return bad(`unknown frame type ${describe(f.type)}`, cid);
  }
}

/** `broadcast`: `touser` is `{member, depts, title}` or the original's string form "a-b-c". */
function parseBroadcast(
  f: Record<string, unknown>,
  cid: string | undefined,
): ClientFrame | FrameError {
  if (f.cid !== undefined && (typeof f.cid !== "string" || f.cid.length > 64)) {
    return bad("cid must be a string of at most 64 characters", cid);
  }
  if (typeof f.content !== "string") return bad("broadcast needs a string content", cid);
  if (f.title !== undefined && typeof f.title !== "string") {
    return bad("title must be a string", cid);
  }
  let member: string[] = [], depts: string[] = [], label = "";
  if (typeof f.touser === "string") {
    member = f.touser.split("-").filter((id) => id !== "");
  } else if (typeof f.touser === "object" && f.touser !== null && !Array.isArray(f.touser)) {
    const to = f.touser as Record<string, unknown>;
    if (to.member !== undefined && !isStringList(to.member)) {
      return bad("touser.member must be a list of accountids", cid);
    }
    if (to.depts !== undefined && !isStringList(to.depts)) {
      return bad("touser.depts must be a list of department paths", cid);
    }
    if (to.title !== undefined && typeof to.title !== "string") {
      return bad("touser.title must be a string", cid);
    }
    member = (to.member as string[] | undefined) ?? [];
    depts = (to.depts as string[] | undefined) ?? [];
    label = (to.title as string | undefined) ?? "";
  } else {
    return bad('broadcast needs touser: {"member": [...], "depts": [...]} or "a-b-c"', cid);
  }
  return {
    type: "broadcast",
    member,
    depts,
    label,
    title: (f.title as string | undefined) ?? "",
    content: f.content,
    cid: (f.cid as string | undefined) ?? "",
  };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * A client's value, shown in an error without touching it: `String(value)` would call a
 * `toString` the client chose (`{"toString":1}` makes it throw).
 */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  return Array.isArray(value) ? "(an array)" : "(an object)";
}

function bad(msg: string, cid?: string): FrameError {
  return cid === undefined ? { info: ErrorCode.badRequest, msg } : {
    info: ErrorCode.badRequest,
    msg,
    cid,
  };
}

/** Serializes an `error` frame. */
export function errorFrame(error: FrameError): string {
  return JSON.stringify({ type: "error", ...error });
}
