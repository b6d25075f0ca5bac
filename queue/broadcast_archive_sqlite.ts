/**
 * The broadcast archive on the embedded database: one `webchat_broadcast` table (a small team's
 * volume needs no yearly split) with the yearly tables' columns, and
 * `webchat_broadcast_recipient` (accountid, bid) → time, a row per recipient and one for the
 * sender, as in MySQL.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "../store/sqlite_db.ts";
import type { Broadcast } from "./broadcast.ts";
import type { BroadcastArchive, BroadcastPage, ListedBroadcast } from "./broadcast_archive.ts";
import {
  BROADCAST_COLUMNS as COLUMNS,
  broadcastRow,
  checkBroadcast,
  checkListQuery,
  listedFromRow,
  recipientRows,
} from "./broadcast_sql.ts";

// Text read as bytes: node:sqlite stops a TEXT value at its first NUL.
const READ_COLUMNS = "b.bid, b.fromuser, CAST(b.touserTitle AS BLOB) AS touserTitle, " +
  "CAST(b.title AS BLOB) AS title, CAST(b.content AS BLOB) AS content, b.time, b.recipients";

/** {@link BroadcastArchive} on SQLite. */
export class SqliteBroadcastArchive implements BroadcastArchive {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  saveBroadcasts(broadcasts: Broadcast[]): Promise<void> {
    if (broadcasts.length === 0) return Promise.resolve();
    return settle(() => {
      broadcasts.forEach(checkBroadcast);
      immediate(this.#db, () => {
        const insert = this.#db.prepare(
          `INSERT INTO webchat_broadcast (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (bid) DO NOTHING`,
        );
        const recipient = this.#db.prepare(
          `INSERT INTO webchat_broadcast_recipient (accountid, bid, time) VALUES (?, ?, ?)
           ON CONFLICT (accountid, bid) DO NOTHING`,
        );
        for (const b of broadcasts) {
          if (Number(insert.run(...broadcastRow(b)).changes) === 0) continue; // archived already
          for (const row of recipientRows(b)) recipient.run(...row);
        }
      });
    });
  }

  list(accountid: string, before: string | null, limit: number): Promise<BroadcastPage> {
    return settle(() => {
      checkListQuery(before, limit);
      const rows = this.#db.prepare(
        `SELECT ${READ_COLUMNS} FROM webchat_broadcast_recipient r
         JOIN webchat_broadcast b ON b.bid = r.bid
         WHERE r.accountid = ? AND r.bid < ? ORDER BY r.bid DESC LIMIT ?`,
      ).all(accountid, before ?? "g", limit + 1);
      return {
        broadcasts: rows.slice(0, limit).map(listedFromRow),
        hasMore: rows.length > limit,
      };
    });
  }

  find(bid: string, accountid: string): Promise<ListedBroadcast | null> {
    return settle(() => {
      const row = this.#db.prepare(
        `SELECT ${READ_COLUMNS} FROM webchat_broadcast_recipient r
         JOIN webchat_broadcast b ON b.bid = r.bid WHERE r.accountid = ? AND r.bid = ?`,
      ).get(accountid, bid);
      return row ? listedFromRow(row) : null;
    });
  }
}
