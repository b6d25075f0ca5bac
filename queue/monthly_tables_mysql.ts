/**
 * The archive's `webchat_messageYYYYMM` tables: created on first use, listed for reads.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { MysqlPool } from "../store/mysql_pool.ts";
import { upgradeMonthlyTable } from "./monthly_table_upgrade_mysql.ts";

/** The only shape a table name may have before it is written into SQL. */
const TABLE_NAME = /^webchat_message(\d{4})(\d{2})$/;

/** How long a listing of the tables is trusted, in milliseconds (other processes add tables). */
const LIST_TTL_MS = 30_000;

/** A monthly table and the span of message times it holds (local time, end exclusive). */
export interface MonthlyTable {
  name: string;
  start: number;
  end: number;
}

/** Creates and lists the monthly message tables of one database. */
export class MonthlyTables {
  readonly #pool: MysqlPool;
  readonly #log: Log;
  readonly #created = new Set<string>();
  #listed: { at: number; tables: MonthlyTable[] } | undefined;

  /** `log` hears about upgrades of tables made by an earlier version. */
  constructor(pool: MysqlPool, log: Log = (line) => console.error(line)) {
    this.#pool = pool;
    this.#log = log;
  }

  /**
   * Creates the tables that this process has not seen yet, or upgrades them when an earlier
   * version made them (see `monthly_table_upgrade_mysql.ts`), before anything is written to
   * them. Must run outside a transaction (DDL commits).
   */
  async ensure(names: Iterable<string>): Promise<void> {
    for (const name of names) {
      if (this.#created.has(name)) continue;
      await this.#pool.query(createTableSql(checkedName(name)));
      await upgradeMonthlyTable(this.#pool, name, this.#log);
      this.#created.add(name);
      this.#listed = undefined;
    }
  }

  /** Forgets what is known, e.g. after "no such table" (somebody dropped it). */
  forget(): void {
    this.#created.clear();
    this.#listed = undefined;
  }

  /**
   * Every monthly table, oldest first, each upgraded (once per process) when an earlier version
   * made it. `fresh` forces a new listing.
   */
  async list(fresh = false): Promise<MonthlyTable[]> {
    const now = Date.now();
    const current = monthOf(new Date());
    const stale = this.#listed === undefined || now - this.#listed.at > LIST_TTL_MS ||
      // The current month's table appears the moment a message of it is archived elsewhere.
      (now - this.#listed.at > 1000 && !this.#listed.tables.some((t) => t.name === current));
    if (fresh || stale) {
      const [rows] = await this.#pool.query(
        `SELECT TABLE_NAME AS name FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'webchat\\_message%'`,
      );
      const tables = (rows as { name: string }[])
        .map((row) => describe(row.name))
        .filter((table): table is MonthlyTable => table !== undefined)
        .sort((a, b) => a.start - b.start);
      // A month written before this version and never since is brought up to today's shape
      // before it is read: reads name today's columns.
      for (const table of tables) {
        if (this.#created.has(table.name)) continue;
        await upgradeMonthlyTable(this.#pool, table.name, this.#log);
        this.#created.add(table.name);
      }
      this.#listed = { at: now, tables };
    }
    return this.#listed!.tables;
  }
}

/** Throws unless `name` is exactly `webchat_messageYYYYMM`; the name is then safe in SQL. */
export function checkedName(name: string): string {
  if (describe(name) === undefined) {
    throw new RangeError(`Cannot use message table "${name}": not webchat_messageYYYYMM`);
  }
  return name;
}

function describe(name: string): MonthlyTable | undefined {
  const match = TABLE_NAME.exec(name);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  if (year < 1970 || month < 1 || month > 12) return undefined;
  return {
    name,
    start: new Date(year, month - 1, 1).getTime() / 1000,
    end: new Date(year, month, 1).getTime() / 1000,
  };
}

function monthOf(date: Date): string {
  return `webchat_message${date.getFullYear()}${String(date.getMonth() + 1).padStart(2, "0")}`;
}

// mid and chatid are ASCII with a binary collation: ids compare exactly ("Bob" is not "bob").
// `message` keeps the database's case-insensitive utf8mb4 collation, which `q` relies on.
// seq is BIGINT: after a Redis data loss a chat continues at epoch × 2^32 + 1 (queue_redis.ts);
// (chatid, seq) is unique so a repeated seq is refused instead of stored twice.
// type 3 is a line of the server's own in a group's history ("alice added bob").
/** The `CREATE TABLE IF NOT EXISTS` of one monthly table (`name` must be checked first). */
export function createTableSql(name: string): string {
  return `CREATE TABLE IF NOT EXISTS \`${name}\` (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    mid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    seq BIGINT UNSIGNED NOT NULL,
    fromuser VARCHAR(40) NOT NULL,
    message MEDIUMTEXT NOT NULL,
    type TINYINT NOT NULL DEFAULT 0 COMMENT '0 text, 1 image, 2 file, 3 system line',
    fileid VARCHAR(64) NOT NULL DEFAULT '',
    time INT NOT NULL,
    cid VARCHAR(64) NOT NULL DEFAULT '',
    mentions VARCHAR(2100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT ''
      COMMENT 'accountids a group message mentions, comma separated; @all for everyone',
    reply VARCHAR(2000) NOT NULL DEFAULT '' COMMENT 'the quote of a reply, JSON',
    edited INT NOT NULL DEFAULT 0 COMMENT 'time of the last edit, 0 for none',
    recalledby VARCHAR(40) NOT NULL DEFAULT '' COMMENT 'who recalled it, empty for nobody',
    recalledat INT NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY uq_mid (mid),
    UNIQUE KEY uq_chat_seq (chatid, seq),
    KEY idx_chat_time (chatid, time)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;
}
