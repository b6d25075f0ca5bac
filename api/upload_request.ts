/**
 * The body of `POST /api/uploads`, checked at the edge: `{"name","size","mime","md5","chatid"}`.
 *
 * @module
 */
import { parseChatId } from "../gateway/chat_id.ts";
import { cleanFileName } from "../files/file_name.ts";
import { badRequest } from "./errors.ts";

/** A checked start of an upload. */
export interface UploadStart {
  /** Cleaned (see `files/file_name.ts`). */
  name: string;
  size: number;
  /** The declared type, lower case; `application/octet-stream` when none or malformed. */
  mime: string;
  /** Lower-case hex. */
  md5: string;
  /** The chat it is meant for, when the client said (checked by the caller). */
  chatid: string | null;
}

const MIME = /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/;

/** Parses the body or throws 400 naming the field. */
export function parseUploadStart(body: unknown): UploadStart {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("body must be a JSON object with name, size and md5");
  }
  const b = body as Record<string, unknown>;
  const name = cleanFileName(b.name);
  if ("problem" in name) throw badRequest(name.problem);
  if (!Number.isSafeInteger(b.size) || (b.size as number) < 0) {
    throw badRequest("size must be a non-negative integer (bytes)");
  }
  if (typeof b.md5 !== "string" || !/^[0-9a-fA-F]{32}$/.test(b.md5)) {
    throw badRequest("md5 must be 32 hexadecimal digits (the MD5 of the whole file)");
  }
  if (b.mime !== undefined && typeof b.mime !== "string") throw badRequest("mime must be a string");
  const declared = typeof b.mime === "string" ? b.mime.split(";")[0].trim().toLowerCase() : "";
  let chatid: string | null = null;
  if (b.chatid !== undefined && b.chatid !== null && b.chatid !== "") {
    const chat = parseChatId(b.chatid);
    if (typeof chat === "string") throw badRequest(chat);
    chatid = chat.chatid;
  }
  return {
    name: name.name,
    size: b.size as number,
    mime: MIME.test(declared) && declared.length <= 127 ? declared : "application/octet-stream",
    md5: b.md5.toLowerCase(),
    chatid,
  };
}

/** Whether `mime` is allowed by a list of types and `type/*` patterns (empty: everything). */
export function typeAllowed(mime: string, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  const [kind] = mime.split("/");
  return allowed.some((pattern) => pattern === mime || pattern === `${kind}/*`);
}
