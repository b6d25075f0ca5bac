/**
 * The message archive on the embedded database: one `webchat_message` table (SQLite needs no
 * monthly split to stay fast at a small team's volume) with the monthly tables' columns,
 * `mid` unique, (chatid, seq) unique and an index on (chatid, time).
 *
 * Like the MySQL archive it does not store `members`: messages read back carry `[a, b]` for
 * one-to-one chat ids `a--b`, `[]` for anything else.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "../store/sqlite_db.ts";
import {
  type HistoryPage,
  type HistoryQuery,
  type MessageArchive,
  MessageRejectedError,
} from "./archive.ts";
import {
  ARCHIVE_COLUMNS as COLUMNS,
  archiveRow,
  changeRow,
  checkChange,
  checkHistoryQuery,
  checkMessage,
  historyConditions,
  messageFromRow,
} from "./archive_sql.ts";
import type { ChatMessage, MessageChange } from "./message.ts";
import { applyChange } from "./message_change.ts";
import { indexMessagesSqlite, reindexMessagesSqlite } from "./search_sqlite.ts";

// node:sqlite reads TEXT up to the first NUL; the client's texts are read as bytes instead,
// so "a\u0000b" comes back as it was stored.
const READ_COLUMNS = "mid, chatid, seq, fromuser, CAST(message AS BLOB) AS message, type, " +
  "fileid, time, CAST(cid AS BLOB) AS cid, mentions, CAST(reply AS BLOB) AS reply, edited, " +
  "recalledby, recalledat";

/** {@link MessageArchive} on SQLite. */
export class SqliteArchive implements MessageArchive {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * All rows in one transaction. A `mid` already archived is skipped by `ON CONFLICT (mid) DO
   * NOTHING`, which (unlike `INSERT OR IGNORE`) still fails on any other constraint: a message
   * whose (chatid, seq) is archived under another `mid` is refused, never dropped. SQLite tests
   * the conflict target first, so a replayed message (same mid, same seq) is simply skipped.
   * Every message is checked first, so a bad one fails the batch instead of being stored wrong.
   */
  saveMessages(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return settle(() => {
      messages.forEach(checkMessage);
      immediate(this.#db, () => {
        const insert = this.#db.prepare(
          `INSERT INTO webchat_message (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (mid) DO NOTHING`,
        );
        for (const m of messages) {
          try {
            insert.run(...archiveRow(m));
          } catch (error) {
            if (!/UNIQUE constraint failed: .*\.seq/.test(String((error as Error)?.message))) {
              throw error;
            }
            throw new MessageRejectedError(
              `Cannot archive message ${m.mid}: seq ${m.seq} of ${m.chatid} is archived ` +
                "already under another mid",
            );
          }
        }
        // Searchable in the same transaction as it becomes history.
        indexMessagesSqlite(this.#db, messages);
      });
    });
  }

  /** One query: `limit + 1` rows tell whether there is more in the direction read. */
  history(query: HistoryQuery): Promise<HistoryPage> {
    return settle(() => {
      checkHistoryQuery(query);
      const forward = query.after !== undefined;
      // SQLite's LIKE has no escape character unless named. It ignores case for ASCII letters
      // only (MySQL's collation does for every script).
      const { where, params } = historyConditions(query, "message LIKE ? ESCAPE '\\'");
      const rows = this.#db.prepare(
        `SELECT ${READ_COLUMNS} FROM webchat_message WHERE ${where}
         ORDER BY seq ${forward ? "ASC" : "DESC"} LIMIT ?`,
      ).all(...params, query.limit + 1);
      const page = rows.slice(0, query.limit);
      if (!forward) page.reverse();
      return { messages: page.map(messageFromRow), hasMore: rows.length > query.limit };
    });
  }

  findMessages(mids: string[]): Promise<Map<string, ChatMessage>> {
    return settle(() => this.#find(mids));
  }

  applyChanges(changes: MessageChange[]): Promise<ChatMessage[]> {
    if (changes.length === 0) return Promise.resolve([]);
    return settle(() =>
      immediate(this.#db, () => {
        changes.forEach(checkChange);
        const found = this.#find(changes.map((c) => c.mid));
        const before = new Map(found);
        const changed = new Map<string, ChatMessage>();
        for (const change of changes) {
          const message = found.get(change.mid);
          if (!message || message.chatid !== change.chatid) continue;
          const after = applyChange(message, change);
          found.set(change.mid, after);
          changed.set(change.mid, after);
        }
        const update = this.#db.prepare(
          `UPDATE webchat_message SET message = ?, fileid = ?, edited = ?, recalledby = ?,
             recalledat = ? WHERE mid = ?`,
        );
        for (const m of changed.values()) update.run(...changeRow(m));
        // The old text leaves the search index with the change; the new one enters it.
        reindexMessagesSqlite(
          this.#db,
          [...changed.keys()].map((mid) => before.get(mid)!),
          [...changed.values()],
        );
        return [...changed.values()];
      })
    );
  }

  /**
   * Puts every archived message into the search index (those archived before the index
   * existed), 2,000 rows per transaction; idempotent. `progress` hears the count read so far.
   * Answers the count read.
   */
  indexAll(progress?: (done: number) => void): Promise<number> {
    return settle(() => {
      let done = 0;
      const read = this.#db.prepare(
        `SELECT id, ${READ_COLUMNS} FROM webchat_message WHERE id > ? ORDER BY id LIMIT 2000`,
      );
      for (let after = 0;;) {
        const rows = read.all(after);
        if (rows.length === 0) break;
        after = Number(rows.at(-1)!.id);
        immediate(this.#db, () => indexMessagesSqlite(this.#db, rows.map(messageFromRow)));
        done += rows.length;
        progress?.(done);
      }
      return done;
    });
  }

  #find(mids: string[]): Map<string, ChatMessage> {
    const found = new Map<string, ChatMessage>();
    const unique = [...new Set(mids)];
    // Bounded lists (a page, a batch): one statement per 500 keeps under SQLite's variable cap.
    for (let i = 0; i < unique.length; i += 500) {
      const part = unique.slice(i, i + 500);
      const rows = this.#db.prepare(
        `SELECT ${READ_COLUMNS} FROM webchat_message WHERE mid IN (${
          part.map(() => "?").join(", ")
        })`,
      ).all(...part);
      for (const row of rows) {
        const message = messageFromRow(row);
        found.set(message.mid, message);
      }
    }
    return found;
  }
}
