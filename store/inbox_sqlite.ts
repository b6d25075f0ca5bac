/**
 * {@link Inbox} on the embedded database: `unread` (account, chat → count), `mention_unread`
 * (account, chat → count), `offline_message` (the newest {@link OFFLINE_LIMIT} frames per
 * account) and `broadcast_unread`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { type Inbox, type MentionDelivery, OFFLINE_LIMIT } from "./inbox.ts";
import { immediate, settle } from "./sqlite_db.ts";

/** Inbox state in SQLite. */
export class SqliteInbox implements Inbox {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** One transaction for every reader, as the Redis script. */
  deliver(
    chatid: string,
    readers: string[],
    offline: string[],
    frame: string,
    mention?: MentionDelivery,
  ): Promise<void> {
    const mentioned = mention?.accountids ?? [];
    if (readers.length === 0 && offline.length === 0 && mentioned.length === 0) {
      return Promise.resolve();
    }
    return settle(() =>
      immediate(this.#db, () => {
        const count = (table: string) =>
          this.#db.prepare(
            `INSERT INTO ${table} (accountid, chatid, count) VALUES (?, ?, 1)
             ON CONFLICT (accountid, chatid) DO UPDATE SET count = count + 1`,
          );
        const unread = count("unread");
        for (const reader of readers) unread.run(reader, chatid);
        const mentions = count("mention_unread");
        for (const account of mentioned) mentions.run(account, chatid);
        const push = this.#db.prepare(
          "INSERT INTO offline_message (accountid, frame) VALUES (?, ?)",
        );
        // Keeps the newest OFFLINE_LIMIT rows, like LTRIM 0 49 on a list pushed at the left.
        const trim = this.#db.prepare(
          `DELETE FROM offline_message WHERE accountid = ? AND id <= (
             SELECT id FROM offline_message WHERE accountid = ?
             ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        );
        const marked = new Set(mentioned);
        for (const account of offline) {
          push.run(account, marked.has(account) ? mention!.frame : frame);
          trim.run(account, account, OFFLINE_LIMIT);
        }
      })
    );
  }

  unread(accountid: string): Promise<Record<string, number>> {
    return settle(() => this.#counts("unread", accountid));
  }

  mentions(accountid: string): Promise<Record<string, number>> {
    return settle(() => this.#counts("mention_unread", accountid));
  }

  markRead(accountid: string, chatid: string): Promise<void> {
    return settle(() =>
      immediate(this.#db, () => {
        this.#db.prepare("DELETE FROM unread WHERE accountid = ? AND chatid = ?")
          .run(accountid, chatid);
        this.#db.prepare("DELETE FROM mention_unread WHERE accountid = ? AND chatid = ?")
          .run(accountid, chatid);
      })
    );
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

  addBroadcastUnread(accountids: string[]): Promise<void> {
    if (accountids.length === 0) return Promise.resolve();
    return settle(() =>
      immediate(this.#db, () => {
        const add = this.#db.prepare(
          `INSERT INTO broadcast_unread (accountid, count) VALUES (?, 1)
           ON CONFLICT (accountid) DO UPDATE SET count = count + 1`,
        );
        for (const account of accountids) add.run(account);
      })
    );
  }

  clearBroadcastUnread(accountid: string): Promise<void> {
    return settle(() => {
      this.#db.prepare("DELETE FROM broadcast_unread WHERE accountid = ?").run(accountid);
    });
  }

  /** `table` is one of this module's constants, never input. */
  #counts(table: string, accountid: string): Record<string, number> {
    const rows = this.#db.prepare(
      `SELECT chatid, count FROM ${table} WHERE accountid = ? AND count > 0`,
    ).all(accountid);
    const counts: Record<string, number> = {};
    for (const row of rows) counts[String(row.chatid)] = Number(row.count);
    return counts;
  }
}
