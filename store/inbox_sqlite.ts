/**
 * {@link Inbox} on the embedded database: `unread` (account, chat → count), `offline_message`
 * (the newest {@link OFFLINE_LIMIT} frames per account) and `broadcast_unread`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { type Inbox, OFFLINE_LIMIT } from "./inbox.ts";
import { immediate, settle } from "./sqlite_db.ts";

/** Inbox state in SQLite. */
export class SqliteInbox implements Inbox {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** One transaction for every reader, as the Redis MULTI. */
  deliver(chatid: string, readers: string[], offline: string[], frame: string): Promise<void> {
    if (readers.length === 0 && offline.length === 0) return Promise.resolve();
    return settle(() =>
      immediate(this.#db, () => {
        const count = this.#db.prepare(
          `INSERT INTO unread (accountid, chatid, count) VALUES (?, ?, 1)
           ON CONFLICT (accountid, chatid) DO UPDATE SET count = count + 1`,
        );
        for (const reader of readers) count.run(reader, chatid);
        const push = this.#db.prepare(
          "INSERT INTO offline_message (accountid, frame) VALUES (?, ?)",
        );
        // Keeps the newest OFFLINE_LIMIT rows, like LTRIM 0 49 on a list pushed at the left.
        const trim = this.#db.prepare(
          `DELETE FROM offline_message WHERE accountid = ? AND id <= (
             SELECT id FROM offline_message WHERE accountid = ?
             ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        );
        for (const account of offline) {
          push.run(account, frame);
          trim.run(account, account, OFFLINE_LIMIT);
        }
      })
    );
  }

  unread(accountid: string): Promise<Record<string, number>> {
    return settle(() => {
      const rows = this.#db.prepare(
        "SELECT chatid, count FROM unread WHERE accountid = ? AND count > 0",
      ).all(accountid);
      const counts: Record<string, number> = {};
      for (const row of rows) counts[String(row.chatid)] = Number(row.count);
      return counts;
    });
  }

  markRead(accountid: string, chatid: string): Promise<void> {
    return settle(() => {
      this.#db.prepare("DELETE FROM unread WHERE accountid = ? AND chatid = ?")
        .run(accountid, chatid);
    });
  }

  /** Reads and deletes in one transaction, so a frame delivered meanwhile is not lost. */
  takeOffline(accountid: string): Promise<string[]> {
    return settle(() =>
      immediate(this.#db, () => {
        const rows = this.#db.prepare(
          "DELETE FROM offline_message WHERE accountid = ? RETURNING id, frame",
        ).all(accountid);
        // RETURNING has no guaranteed order; ids are the arrival order.
        return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((row) => String(row.frame));
      })
    );
  }

  broadcastUnread(accountid: string): Promise<number> {
    return settle(() => {
      const row = this.#db.prepare("SELECT count FROM broadcast_unread WHERE accountid = ?")
        .get(accountid);
      return Number(row?.count ?? 0);
    });
  }
}
