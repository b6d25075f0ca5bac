/**
 * The broadcast archive on MySQL/MariaDB: one InnoDB table per year of broadcast time
 * (`webchat_broadcastYYYY`, local time, as the original) holding each broadcast once, and one
 * `webchat_broadcast_recipient` table (accountid, bid) → time with a row for every recipient
 * and for the sender, so "my broadcasts" is a range read of its primary key instead of the
 * original's `LIKE '%-me-%'` over every row. Text is stored as it was sent (the original
 * escaped it twice).
 *
 * @module
 */
import type { RowDataPacket } from "mysql2/promise";
import type { MysqlPool } from "../store/mysql_pool.ts";
import { MessageRejectedError } from "./archive.ts";
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

/** The only shape a yearly table name may have before it is written into SQL. */
const TABLE_NAME = /^webchat_broadcast(\d{4})$/;

const RECIPIENTS_TABLE = `CREATE TABLE IF NOT EXISTS webchat_broadcast_recipient (
  accountid VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  bid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  time INT NOT NULL COMMENT 'the broadcast''s time: names its webchat_broadcastYYYY',
  PRIMARY KEY (accountid, bid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT 'a row per recipient and one for the sender of every broadcast'`;

/** The DDL of one yearly table (also the upgrade's, which fills one from the original's). */
export function yearTableSql(name: string): string {
  return `CREATE TABLE IF NOT EXISTS \`${name}\` (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    bid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    fromuser VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    touserTitle VARCHAR(500) NOT NULL,
    title VARCHAR(200) NOT NULL,
    content MEDIUMTEXT NOT NULL,
    time INT NOT NULL,
    recipients INT UNSIGNED NOT NULL COMMENT 'how many; who: webchat_broadcast_recipient',
    PRIMARY KEY (id),
    UNIQUE KEY uq_bid (bid)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;
}

/** `webchat_broadcastYYYY` of a broadcast time, local time like the monthly message tables. */
export function yearlyTableName(time: number): string {
  const year = new Date(time * 1000).getFullYear();
  const name = `webchat_broadcast${year}`;
  if (!TABLE_NAME.test(name) || year < 1970) {
    throw new RangeError(`Cannot name a broadcast table: time ${time} is out of range`);
  }
  return name;
}

/** Rows per INSERT of recipients: 10,000 recipients go in two statements. */
const RECIPIENT_ROWS = 5000;

/** {@link BroadcastArchive} over a mysql2 pool. */
export class MysqlBroadcastArchive implements BroadcastArchive {
  readonly #pool: MysqlPool;
  readonly #created = new Set<string>();

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  /** Creates the recipients table (the yearly tables are made on first use). */
  async ensureSchema(): Promise<void> {
    if (this.#created.has("recipients")) return;
    await this.#pool.query(RECIPIENTS_TABLE);
    this.#created.add("recipients");
  }

  /** The tables first (DDL commits), then everything new in one transaction. */
  async saveBroadcasts(broadcasts: Broadcast[]): Promise<void> {
    if (broadcasts.length === 0) return;
    broadcasts.forEach(checkBroadcast);
    const byTable = new Map<string, Broadcast[]>();
    for (const b of broadcasts) {
      const table = yearlyTableName(b.time);
      byTable.set(table, [...byTable.get(table) ?? [], b]);
    }
    await this.ensureSchema();
    for (const table of byTable.keys()) {
      if (this.#created.has(table)) continue;
      await this.#pool.query(yearTableSql(table));
      this.#created.add(table);
    }
    const conn = await this.#pool.getConnection();
    let broken = false;
    try {
      await conn.beginTransaction();
      for (const [table, list] of byTable) {
        const [found] = await conn.query<RowDataPacket[]>(
          `SELECT bid FROM \`${table}\` WHERE bid IN (?) FOR UPDATE`,
          [list.map((b) => b.bid)],
        );
        const seen = new Set(found.map((row) => String(row.bid)));
        const fresh = list.filter((b) => !seen.has(b.bid) && seen.add(b.bid));
        if (fresh.length === 0) continue;
        await conn.query(`INSERT INTO \`${table}\` (${COLUMNS}) VALUES ?`, [
          fresh.map(broadcastRow),
        ]);
        const rows = fresh.flatMap(recipientRows);
        for (let i = 0; i < rows.length; i += RECIPIENT_ROWS) {
          await conn.query(
            "INSERT INTO webchat_broadcast_recipient (accountid, bid, time) VALUES ?",
            [rows.slice(i, i + RECIPIENT_ROWS)],
          );
        }
      }
      await conn.commit();
    } catch (error) {
      await conn.rollback().catch(() => broken = true);
      if ((error as { code?: string }).code === "ER_NO_SUCH_TABLE") this.#created.clear();
      const { sqlState = "" } = error as { sqlState?: string };
      if (/^22/.test(sqlState)) {
        throw new MessageRejectedError(
          `Cannot archive broadcasts: MySQL refused them: ${(error as Error).message}`,
        );
      }
      throw error;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  async list(accountid: string, before: string | null, limit: number): Promise<BroadcastPage> {
    checkListQuery(before, limit);
    await this.ensureSchema();
    const [refs] = await this.#pool.query<RowDataPacket[]>(
      `SELECT bid, time FROM webchat_broadcast_recipient
       WHERE accountid = ? AND bid < ? ORDER BY bid DESC LIMIT ?`,
      [accountid, before ?? "g", limit + 1],
    );
    const page = refs.slice(0, limit);
    const found = await this.#read(page.map((ref) => [String(ref.bid), Number(ref.time)]));
    return {
      broadcasts: page.map((ref) => found.get(String(ref.bid))).filter((b) => b !== undefined),
      hasMore: refs.length > limit,
    };
  }

  async find(bid: string, accountid: string): Promise<ListedBroadcast | null> {
    if (!/^[0-9a-f]{24}$/.test(bid)) return null;
    await this.ensureSchema();
    const [refs] = await this.#pool.query<RowDataPacket[]>(
      "SELECT bid, time FROM webchat_broadcast_recipient WHERE accountid = ? AND bid = ?",
      [accountid, bid],
    );
    if (refs.length === 0) return null;
    return (await this.#read([[bid, Number(refs[0].time)]])).get(bid) ?? null;
  }

  /** The broadcasts of `refs` (bid, time), one query per year. */
  async #read(refs: [string, number][]): Promise<Map<string, ListedBroadcast>> {
    const byTable = new Map<string, string[]>();
    for (const [bid, time] of refs) {
      const table = yearlyTableName(time);
      byTable.set(table, [...byTable.get(table) ?? [], bid]);
    }
    const found = new Map<string, ListedBroadcast>();
    for (const [table, bids] of byTable) {
      const [rows] = await this.#pool.query<RowDataPacket[]>(
        `SELECT ${COLUMNS} FROM \`${table}\` WHERE bid IN (?)`,
        [bids],
      );
      for (const row of rows) found.set(String(row.bid), listedFromRow(row));
    }
    return found;
  }
}
