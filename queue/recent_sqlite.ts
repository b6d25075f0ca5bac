/**
 * The recent index on the embedded database: `recent_message` (each chat's last 20 messages as
 * JSON, one row per `mid`) and `recent_contact` (account, chat → time of its last message).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "../store/sqlite_db.ts";
import type { ChatMessage } from "./message.ts";
import { RECENT_MESSAGES_PER_CHAT, type RecentContact, type RecentIndex } from "./recent_index.ts";

/** {@link RecentIndex} on SQLite. */
export class SqliteRecent implements RecentIndex {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * One transaction for the batch. Rows are keyed by `mid`, so a batch replayed after a crash
   * adds nothing and never pushes real messages out of the last 20.
   */
  record(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return settle(() =>
      immediate(this.#db, () => {
        const add = this.#db.prepare(
          `INSERT INTO recent_message (chatid, seq, mid, payload) VALUES (?, ?, ?, ?)
           ON CONFLICT (chatid, mid) DO NOTHING`,
        );
        const touch = this.#db.prepare(
          `INSERT INTO recent_contact (accountid, chatid, time) VALUES (?, ?, ?)
           ON CONFLICT (accountid, chatid) DO UPDATE SET time = MAX(time, excluded.time)`,
        );
        const chats = new Set<string>();
        // Each member once per chat and batch: 500 messages into a group of 2,000 are 2,000
        // contact updates, not a million.
        const latest = new Map<string, Map<string, number>>(); // chat → account → time
        for (const m of messages) {
          add.run(m.chatid, m.seq, m.mid, JSON.stringify(m));
          chats.add(m.chatid);
          const times = latest.get(m.chatid) ?? new Map<string, number>();
          for (const account of m.members) {
            times.set(account, Math.max(times.get(account) ?? 0, m.time));
          }
          latest.set(m.chatid, times);
        }
        for (const [chatid, times] of latest) {
          // MAX: a late or replayed older message never moves a chat down the list.
          for (const [account, time] of times) touch.run(account, chatid, time);
        }
        const trim = this.#db.prepare(
          `DELETE FROM recent_message WHERE chatid = ? AND mid NOT IN (
             SELECT mid FROM recent_message WHERE chatid = ? ORDER BY seq DESC LIMIT ?)`,
        );
        for (const chatid of chats) trim.run(chatid, chatid, RECENT_MESSAGES_PER_CHAT);
      })
    );
  }

  /** Rewrites the rows of the changed messages that are still kept. */
  amend(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return settle(() =>
      immediate(this.#db, () => {
        const update = this.#db.prepare(
          "UPDATE recent_message SET payload = ? WHERE chatid = ? AND mid = ?",
        );
        for (const m of messages) update.run(JSON.stringify(m), m.chatid, m.mid);
      })
    );
  }

  /** The chat's newest messages in ascending `seq`. */
  lastMessages(chatid: string): Promise<ChatMessage[]> {
    return settle(() => {
      const rows = this.#db.prepare(
        "SELECT payload FROM recent_message WHERE chatid = ? ORDER BY seq DESC LIMIT ?",
      ).all(chatid, RECENT_MESSAGES_PER_CHAT);
      return rows.reverse().map((row) => JSON.parse(String(row.payload)) as ChatMessage);
    });
  }

  /** The account's chats, most recent message first (ties as Redis's ZREVRANGE orders them). */
  contacts(accountid: string, limit: number): Promise<RecentContact[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      return Promise.reject(
        new RangeError(`Cannot list contacts: limit must be a positive integer, got ${limit}`),
      );
    }
    return settle(() =>
      this.#db.prepare(
        `SELECT chatid, time FROM recent_contact WHERE accountid = ?
         ORDER BY time DESC, chatid DESC LIMIT ?`,
      ).all(accountid, limit).map((row) => ({ chatid: String(row.chatid), time: Number(row.time) }))
    );
  }

  /** Removes the chat from the account's contacts. */
  removeContact(accountid: string, chatid: string): Promise<void> {
    return settle(() => {
      this.#db.prepare("DELETE FROM recent_contact WHERE accountid = ? AND chatid = ?")
        .run(accountid, chatid);
    });
  }
}
