/**
 * The message archive on the embedded database: one `webchat_message` table (SQLite needs no
 * monthly split to stay fast at a small team's volume) with the monthly tables' columns,
 * `mid` unique and indexes on (chatid, seq) and (chatid, time).
 *
 * Like the MySQL archive it does not store `members`: messages read back carry `[a, b]` for
 * one-to-one chat ids `a--b`, `[]` for anything else.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "../store/sqlite_db.ts";
import type { HistoryPage, HistoryQuery, MessageArchive } from "./archive.ts";
import type { ChatMessage } from "./message.ts";

const COLUMNS = "mid, chatid, seq, fromuser, message, type, fileid, time, cid";
// node:sqlite reads TEXT up to the first NUL; the client's texts are read as bytes instead,
// so "a\u0000b" comes back as it was stored.
const READ_COLUMNS = "mid, chatid, seq, fromuser, CAST(message AS BLOB) AS message, type, " +
  "fileid, time, CAST(cid AS BLOB) AS cid";
const utf8 = new TextDecoder();

type Row = Record<string, unknown>;

/** {@link MessageArchive} on SQLite. */
export class SqliteArchive implements MessageArchive {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * All rows in one transaction. A `mid` already archived is skipped by `ON CONFLICT (mid) DO
   * NOTHING`, which (unlike `INSERT OR IGNORE`) still fails on any other constraint, and every
   * message is checked first, so a bad one fails the batch instead of being stored wrong.
   */
  saveMessages(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return settle(() => {
      messages.forEach(checkMessage);
      immediate(this.#db, () => {
        const insert = this.#db.prepare(
          `INSERT INTO webchat_message (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (mid) DO NOTHING`,
        );
        for (const m of messages) {
          insert.run(
            m.mid,
            m.chatid,
            m.seq,
            m.fromuser,
            m.message,
            m.type,
            m.fileId,
            m.time,
            m.cid,
          );
        }
      });
    });
  }

  /** One query: `limit + 1` rows tell whether there is more in the direction read. */
  history(query: HistoryQuery): Promise<HistoryPage> {
    return settle(() => {
      checkQuery(query);
      const forward = query.after !== undefined;
      const { where, params } = conditions(query);
      const rows = this.#db.prepare(
        `SELECT ${READ_COLUMNS} FROM webchat_message WHERE ${where}
         ORDER BY seq ${forward ? "ASC" : "DESC"} LIMIT ?`,
      ).all(...params, query.limit + 1);
      const page = rows.slice(0, query.limit);
      if (!forward) page.reverse();
      return { messages: page.map(toMessage), hasMore: rows.length > query.limit };
    });
  }

  /** Highest archived `seq` of the chat; 0 when none. */
  maxSeq(chatid: string): Promise<number> {
    return settle(() => {
      const row = this.#db.prepare("SELECT MAX(seq) AS seq FROM webchat_message WHERE chatid = ?")
        .get(chatid);
      return Number(row?.seq ?? 0);
    });
  }
}

function checkMessage(m: ChatMessage): void {
  const text = [m.mid, m.chatid, m.fromuser, m.message, m.fileId, m.cid];
  if (
    text.some((value) => typeof value !== "string") || m.mid === "" || m.chatid === "" ||
    !Number.isSafeInteger(m.seq) || m.seq < 1 || !Number.isSafeInteger(m.time) ||
    ![0, 1, 2].includes(m.type)
  ) {
    throw new TypeError(`Cannot archive message: malformed message ${String(m?.mid)}`);
  }
}

function checkQuery(query: HistoryQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
    throw new RangeError(`Cannot read history: limit must be 1..100, got ${query.limit}`);
  }
  if (typeof query.chatid !== "string" || query.chatid === "") {
    throw new TypeError("Cannot read history: chatid is empty");
  }
}

function conditions(query: HistoryQuery): { where: string; params: (string | number)[] } {
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
  for (const word of (query.q ?? "").split(/\s+/).filter((w) => w !== "")) {
    // SQLite's LIKE has no escape character unless named; % and _ in a word are literal text.
    // It ignores case for ASCII letters only (MySQL's collation does for every script).
    add("message LIKE ? ESCAPE '\\'", `%${word.replace(/[\\%_]/g, "\\$&")}%`);
  }
  return { where: where.join(" AND "), params };
}

function toMessage(row: Row): ChatMessage {
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
  };
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
