/**
 * What the MySQL and SQLite archives share: the archive's columns, a message as a row and back,
 * and the checks and `WHERE` of a history query.
 *
 * @module
 */
import { type HistoryQuery, MessageRejectedError } from "./archive.ts";
import {
  type ChatMessage,
  type MessageChange,
  REPLY_EXCERPT_CHARS,
  type ReplyQuote,
} from "./message.ts";

/** The archive's columns, in the order of {@link archiveRow}. */
export const ARCHIVE_COLUMNS = "mid, chatid, seq, fromuser, message, type, fileid, time, cid, " +
  "mentions, reply, edited, recalledby, recalledat";

/** Most mentions one message records (the `mentions` column holds them comma separated). */
export const MAX_MENTIONS = 50;

/**
 * A message's values in {@link ARCHIVE_COLUMNS} order (the archive does not keep `members`;
 * `mentions` are kept comma separated, "" for none).
 */
export function archiveRow(m: ChatMessage): [
  string,
  string,
  number,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
  number,
  string,
  number,
] {
  return [
    m.mid,
    m.chatid,
    m.seq,
    m.fromuser,
    m.message,
    m.type,
    m.fileId,
    m.time,
    m.cid,
    (m.mentions ?? []).join(","),
    m.replyTo ? JSON.stringify(m.replyTo) : "",
    m.edited ?? 0,
    m.recalled?.by ?? "",
    m.recalled?.time ?? 0,
  ];
}

/**
 * A changed message's `UPDATE … SET message = ?, fileid = ?, edited = ?, recalledby = ?,
 * recalledat = ? WHERE mid = ?` values.
 */
export function changeRow(m: ChatMessage): [string, string, number, string, number, string] {
  return [m.message, m.fileId, m.edited ?? 0, m.recalled?.by ?? "", m.recalled?.time ?? 0, m.mid];
}

const utf8 = new TextDecoder();

/** A row of {@link ARCHIVE_COLUMNS}; text may come back as bytes (see `archive_sqlite.ts`). */
export function messageFromRow(row: Record<string, unknown>): ChatMessage {
  const chatid = String(row.chatid);
  return {
    mid: String(row.mid),
    chatid,
    seq: Number(row.seq),
    fromuser: String(row.fromuser),
    message: text(row.message),
    type: Number(row.type) as ChatMessage["type"],
    fileId: String(row.fileid),
    time: Number(row.time),
    cid: text(row.cid),
    members: membersOf(chatid),
    ...mentionsOf(row.mentions),
    ...replyOf(row.reply),
    ...(Number(row.edited ?? 0) > 0 ? { edited: Number(row.edited) } : {}),
    ...(row.recalledby
      ? { recalled: { by: String(row.recalledby), time: Number(row.recalledat) } }
      : {}),
  };
}

function replyOf(value: unknown): { replyTo?: ReplyQuote } {
  const raw = text(value);
  return raw === "" ? {} : { replyTo: JSON.parse(raw) as ReplyQuote };
}

function mentionsOf(value: unknown): { mentions?: string[] } {
  const list = typeof value === "string" && value !== "" ? value.split(",") : [];
  return list.length > 0 ? { mentions: list } : {};
}

function text(value: unknown): string {
  return value instanceof Uint8Array ? utf8.decode(value) : String(value ?? "");
}

/** One-to-one chats name their two members (`a--b`); group members are not archived. */
function membersOf(chatid: string): string[] {
  const parts = chatid.split("--");
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") return [];
  return parts[0] === parts[1] ? [parts[0]] : parts;
}

/** Throws on a page size outside 1..100 or an empty chat id. */
export function checkHistoryQuery(query: HistoryQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
    throw new RangeError(`Cannot read history: limit must be 1..100, got ${query.limit}`);
  }
  if (typeof query.chatid !== "string" || query.chatid === "") {
    throw new TypeError("Cannot read history: chatid is empty");
  }
}

/**
 * The query's `WHERE` (without the keyword) and its values. `like` is the engine's text match
 * for one placeholder whose `\` escapes `%`, `_` and itself: MySQL's `LIKE ?` has that escape
 * by default, SQLite's needs `LIKE ? ESCAPE '\'`.
 */
export function historyConditions(
  query: HistoryQuery,
  like: string,
): { where: string; params: (string | number)[] } {
  const where = ["chatid = ?"];
  const params: (string | number)[] = [query.chatid];
  const add = (sql: string, value: string | number) => {
    where.push(sql);
    params.push(value);
  };
  if (query.before !== undefined) add("seq < ?", query.before);
  if (query.after !== undefined) add("seq > ?", query.after);
  if (query.type !== undefined) add("type = ?", query.type);
  if (query.since !== undefined) add("time >= ?", query.since);
  if (query.until !== undefined) add("time <= ?", query.until);
  if (query.visible !== undefined) {
    // Mids start with their creation time in ms (`newMid`), so ranges of them are ranges of time.
    const ranges = query.visible.map((r) => r.to === null ? "mid >= ?" : "(mid >= ? AND mid < ?)");
    where.push(ranges.length === 0 ? "0 = 1" : `(${ranges.join(" OR ")})`);
    for (const r of query.visible) params.push(r.from, ...(r.to === null ? [] : [r.to]));
  }
  for (const word of (query.q ?? "").split(/\s+/).filter((w) => w !== "")) {
    // % and _ in a word are literal text.
    add(like, `%${word.replace(/[\\%_]/g, "\\$&")}%`);
  }
  return { where: where.join(" AND "), params };
}

/**
 * Refuses a recall or edit that no archive can apply, with {@link MessageRejectedError} (the
 * gateway never queues one; a hand-made queue item might).
 */
export function checkChange(c: MessageChange): void {
  const fields = [c?.mid, c?.chatid, c?.by, c?.text];
  const problem = !["recall", "edit"].includes(c?.kind)
    ? "kind must be recall or edit"
    : fields.some((value) => typeof value !== "string")
    ? "a text field is missing"
    : !Number.isSafeInteger(c.time) || c.time < 0 || c.time > 0x7fffffff
    ? `time ${c.time} is not a unix time`
    : !c.text.isWellFormed() || c.text.length > 1_000_000
    ? "text is not valid Unicode of a message's length"
    : c.mid.length > WIDTHS.mid || c.chatid.length > WIDTHS.chatid || c.by.length > WIDTHS.fromuser
    ? "an id is too long"
    : null;
  if (problem) {
    throw new MessageRejectedError(`Cannot apply a change of ${String(c?.mid)}: ${problem}`);
  }
}

/** Longest value of each text column, in characters (the MySQL tables' widths). */
const WIDTHS = { mid: 24, chatid: 100, fromuser: 40, fileId: 64, cid: 64 } as const;

/**
 * Refuses a message that no archive can store, with {@link MessageRejectedError}: the gateway
 * never produces one, so this guards the archive against a bug or a hand-made queue item.
 */
export function checkMessage(m: ChatMessage): void {
  const reason = messageProblem(m);
  if (reason) {
    throw new MessageRejectedError(`Cannot archive message ${String(m?.mid)}: ${reason}`);
  }
}

function messageProblem(m: ChatMessage): string | null {
  const text = [m?.mid, m?.chatid, m?.fromuser, m?.message, m?.fileId, m?.cid];
  if (text.some((value) => typeof value !== "string")) return "a text field is missing";
  if (m.mid === "" || m.chatid === "") return "mid and chatid must not be empty";
  if (!Number.isSafeInteger(m.seq) || m.seq < 1) {
    return `seq ${m.seq} is not a positive integer`;
  }
  if (!Number.isSafeInteger(m.time) || m.time < 0 || m.time > 0x7fffffff) {
    return `time ${m.time} is not a unix time`;
  }
  if (![0, 1, 2, 3].includes(m.type)) return `type ${m.type} is not 0, 1, 2 or 3`;
  if (m.mentions !== undefined) {
    if (!Array.isArray(m.mentions) || m.mentions.length > MAX_MENTIONS) {
      return `mentions must be a list of at most ${MAX_MENTIONS}`;
    }
    if (!m.mentions.every((id) => typeof id === "string" && /^@?[A-Za-z0-9_.]{1,40}$/.test(id))) {
      return "mentions must be accountids";
    }
  }
  if (m.replyTo !== undefined) {
    const r = m.replyTo;
    if (
      typeof r?.mid !== "string" || typeof r.fromuser !== "string" ||
      typeof r.excerpt !== "string" || ![0, 1, 2, 3].includes(r.type) ||
      r.mid.length > WIDTHS.mid || r.fromuser.length > WIDTHS.fromuser ||
      [...r.excerpt].length > REPLY_EXCERPT_CHARS || !r.excerpt.isWellFormed()
    ) return "replyTo is not a quote of a message";
  }
  for (const [field, width] of Object.entries(WIDTHS)) {
    if ([...m[field as keyof typeof WIDTHS]].length > width) return `${field} is too long`;
  }
  if (!text.every((value) => (value as string).isWellFormed())) return "text is not valid Unicode";
  return null;
}
