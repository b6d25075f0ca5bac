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
    msgType: MessageTypeName;
    cid: string;
    fileId: string;
  }
  | { type: "read"; chatid: string; seq: number | null };

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
}

/** The server's `init` frame. */
export interface InitFrame {
  type: "init";
  user: User;
  online: string[];
  contacts: Contact[];
  unread: Record<string, number>;
  broadcastUnread: number;
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
      return {
        type: "say",
        chatid: f.chatid,
        content: f.content,
        msgType: msgType as MessageTypeName,
        cid: (f.cid as string | undefined) ?? "",
        fileId: (f.fileId as string | undefined) ?? "",
      };
    }
    case "read": {
      if (typeof f.chatid !== "string") return bad("read needs a string chatid");
      if (f.seq !== undefined && (!Number.isSafeInteger(f.seq) || (f.seq as number) < 0)) {
        return bad("seq must be a non-negative integer");
      }
      return { type: "read", chatid: f.chatid, seq: (f.seq as number | undefined) ?? null };
    }
    case undefined:
      return bad("frame needs a type");
    default:
      return bad(`unknown frame type ${describe(f.type)}`, cid);
  }
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
