/**
 * Read receipts on the embedded database (the tables of `receipts.ts`).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { ReadReceipts } from "./receipts.ts";
import { settle } from "./sqlite_db.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webchat_read_receipt (
  chatid TEXT NOT NULL,
  accountid TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (chatid, accountid)
) STRICT;
CREATE TABLE IF NOT EXISTS webchat_receipt_setting (
  accountid TEXT NOT NULL PRIMARY KEY,
  sending INTEGER NOT NULL,
  time INTEGER NOT NULL
) STRICT;
`;

/** {@link ReadReceipts} on SQLite. */
export class SqliteReadReceipts implements ReadReceipts {
  readonly #db: DatabaseSync;

  /** Creates the tables when missing. */
  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  mark(chatid: string, accountid: string, seq: number, time: number): Promise<boolean> {
    return settle(() => {
      const result = this.#db.prepare(
        `INSERT INTO webchat_read_receipt (chatid, accountid, seq, time) VALUES (?, ?, ?, ?)
         ON CONFLICT (chatid, accountid) DO UPDATE SET seq = excluded.seq, time = excluded.time
         WHERE excluded.seq > webchat_read_receipt.seq`,
      ).run(chatid, accountid, seq, time);
      return Number(result.changes) > 0;
    });
  }

  of(chatid: string): Promise<Record<string, number>> {
    return settle(() => {
      const rows = this.#db.prepare(
        `SELECT r.accountid, r.seq FROM webchat_read_receipt r
           LEFT JOIN webchat_receipt_setting s ON s.accountid = r.accountid
         WHERE r.chatid = ? AND COALESCE(s.sending, 1) = 1`,
      ).all(chatid);
      return Object.fromEntries(rows.map((row) => [String(row.accountid), Number(row.seq)]));
    });
  }

  sending(accountid: string): Promise<boolean> {
    return settle(() => {
      const row = this.#db.prepare(
        "SELECT sending FROM webchat_receipt_setting WHERE accountid = ?",
      ).get(accountid);
      return row === undefined || Number(row.sending) === 1;
    });
  }

  setSending(accountid: string, on: boolean, time: number): Promise<void> {
    return settle(() => {
      this.#db.prepare(
        `INSERT INTO webchat_receipt_setting (accountid, sending, time) VALUES (?, ?, ?)
         ON CONFLICT (accountid) DO UPDATE SET sending = excluded.sending, time = excluded.time`,
      ).run(accountid, on ? 1 : 0, time);
    });
  }
}
