/**
 * The search index on MySQL/MariaDB: `webchat_search` (see `search_sql.ts` for its columns) in
 * InnoDB, partitioned by month of `mid` (which starts with the message's creation time), and
 * `webchat_search_chat`. Written by {@link MysqlArchive} right after each batch's rows (so a
 * message is searchable as soon as it is in history), read by {@link MysqlSearch}.
 *
 * Why partitions: new rows land at the end of their chat's and token's stretch of the key, a
 * different page for nearly every row, so what must stay in the buffer pool for writes to be
 * fast is the whole B-tree being written. One partition per month keeps that to the current
 * month's (a single unpartitioned table slowed the fill from 3,000 to 600 messages a second once
 * it outgrew a 128 MiB buffer pool), while a read stays one statement: InnoDB reads each
 * partition's ordered stretch and merges them, newest first, so `LIMIT 20` still reads about 20
 * entries per partition. (Separate monthly tables did the same writes but cost one statement
 * per month and read, five times slower for a rare word.)
 *
 * @module
 */
import type { MysqlPool } from "../store/mysql_pool.ts";
import { type ChatMessage, firstMidAt } from "./message.ts";
import type { CandidateQuery, MessageSearch } from "./search.ts";
import {
  candidateStatement,
  checkCandidateQuery,
  directChatRows,
  mergeNewest,
  SCOPES_PER_STATEMENT,
  tokenRows,
} from "./search_sql.ts";

// Tokens are lower-cased by the tokenizer and compared exactly (binary collation). The partition
// `pmax` takes mids beyond the last month; it is split before a new month's rows arrive, while
// it is still empty (see `#ensureMonths`).
const TABLES = [
  `CREATE TABLE IF NOT EXISTS webchat_search (
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    token VARCHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    mid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    fromuser VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (chatid, token, mid)
  ) ENGINE=InnoDB COMMENT 'search tokens of archived text messages (CJK bigrams, word prefixes)'
    PARTITION BY RANGE COLUMNS (mid) (PARTITION pmax VALUES LESS THAN (MAXVALUE))`,
  `CREATE TABLE IF NOT EXISTS webchat_search_chat (
    accountid VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (accountid, chatid)
  ) ENGINE=InnoDB COMMENT 'the one-to-one chats each account has messages in'`,
];

/** Rows per INSERT (4 short columns, ~1.5 MB: below any usual `max_allowed_packet`). */
const ROWS_PER_INSERT = 20_000;

/** A month partition's name and the first mid after it (UTC months). */
function monthOf(mid: string): { name: string; end: string } {
  const date = new Date(parseInt(mid.slice(0, 12), 16));
  const year = date.getUTCFullYear(), month = date.getUTCMonth();
  return {
    name: `p${year}${String(month + 1).padStart(2, "0")}`,
    end: firstMidAt(Date.UTC(year, month + 1, 1)),
  };
}

/** {@link MessageSearch} on MySQL, and the index's writer for the archive. */
export class MysqlSearch implements MessageSearch {
  readonly #pool: MysqlPool;
  #ready: Promise<void> | undefined;
  /** The upper bound of the last month partition (mids below it have a partition of theirs). */
  #lastEnd = "";

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  /** Creates the tables once per process (DDL: outside any transaction). */
  #ensure(): Promise<void> {
    this.#ready ??= (async () => {
      for (const sql of TABLES) await this.#pool.query(sql);
      await this.#readPartitions();
    })().catch((error) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #readPartitions(): Promise<void> {
    const [rows] = await this.#pool.query(
      `SELECT PARTITION_DESCRIPTION AS bound FROM information_schema.PARTITIONS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'webchat_search'
          AND PARTITION_NAME <> 'pmax'`,
    );
    const bounds = (rows as { bound: string }[]).map((row) => row.bound.replace(/^'|'$/g, ""));
    this.#lastEnd = bounds.sort().at(-1) ?? "";
  }

  /**
   * Splits a month partition off `pmax` for each month of `mids` beyond the last one, while
   * `pmax` holds nothing yet, so the split moves no rows. Older mids fall into the partitions
   * there are (a month imported late shares the oldest one).
   */
  async #ensureMonths(mids: string[]): Promise<void> {
    await this.#ensure();
    const months = new Map<string, string>();
    for (const mid of mids) {
      // Mids not made by `newMid` (no time in front) go to the partition their text falls in.
      if (mid >= this.#lastEnd && /^[0-9a-f]{12}/.test(mid) && mid < firstMidAt(2 ** 47)) {
        const { name, end } = monthOf(mid);
        months.set(name, end);
      }
    }
    for (const [name, end] of [...months].sort((a, b) => a[1] < b[1] ? -1 : 1)) {
      if (end <= this.#lastEnd) continue;
      try {
        await this.#pool.query(
          `ALTER TABLE webchat_search REORGANIZE PARTITION pmax INTO (
             PARTITION ${name} VALUES LESS THAN ('${end}'),
             PARTITION pmax VALUES LESS THAN (MAXVALUE))`,
        );
      } catch (error) {
        // Another process split it first (the same name, or a month of its own).
        if (![1517, 1493].includes((error as { errno?: number }).errno ?? 0)) throw error;
      }
      await this.#readPartitions();
    }
  }

  /** Adds archived messages to the index, in one transaction. Idempotent. */
  async add(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const tokens = tokenRows(messages);
    await this.#ensureMonths(messages.map((m) => m.mid));
    // IGNORE only meets duplicate keys here: every value is the tokenizer's or a checked id.
    const statements: [string, unknown[]][] = [];
    for (let i = 0; i < tokens.length; i += ROWS_PER_INSERT) {
      statements.push([
        "INSERT IGNORE INTO webchat_search (chatid, token, mid, fromuser) VALUES ?",
        [tokens.slice(i, i + ROWS_PER_INSERT)],
      ]);
    }
    const chats = directChatRows(messages);
    if (chats.length > 0) {
      statements.push([
        "INSERT IGNORE INTO webchat_search_chat (accountid, chatid) VALUES ?",
        [chats],
      ]);
    }
    await this.#transaction(statements);
  }

  /** One transaction: one log flush for the batch's rows instead of one per statement. */
  async #transaction(statements: [string, unknown[]][]): Promise<void> {
    if (statements.length === 0) return;
    const conn = await this.#pool.getConnection();
    let broken = false;
    try {
      await conn.beginTransaction();
      for (const [sql, values] of statements) await conn.query(sql, values);
      await conn.commit();
    } catch (error) {
      await conn.rollback().catch(() => broken = true);
      throw error;
    } finally {
      // A connection that cannot even roll back is not handed to the next caller.
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  /**
   * Replaces the rows of changed messages: `before` as they were indexed, `after` as they are
   * now (a recalled one has none). Safe to repeat.
   */
  async replace(before: ChatMessage[], after: ChatMessage[]): Promise<void> {
    if (before.length === 0 && after.length === 0) return;
    await this.#ensure();
    const deletes: [string, unknown[]][] = [];
    for (const m of before) {
      const tokens = tokenRows([m]).map((row) => row[1]);
      if (tokens.length === 0) continue;
      deletes.push([
        "DELETE FROM webchat_search WHERE chatid = ? AND mid = ? AND token IN (?)",
        [m.chatid, m.mid, tokens],
      ]);
    }
    await this.#transaction(deletes);
    await this.add(after);
  }

  async candidates(query: CandidateQuery): Promise<string[]> {
    checkCandidateQuery(query);
    if (query.scopes.length === 0) return [];
    await this.#ensure();
    const lists: string[][] = [];
    for (let i = 0; i < query.scopes.length; i += SCOPES_PER_STATEMENT) {
      const { sql, params } = candidateStatement(
        query,
        query.scopes.slice(i, i + SCOPES_PER_STATEMENT),
      );
      const [rows] = await this.#pool.query(sql, params);
      lists.push((rows as { mid: string }[]).map((row) => String(row.mid)));
    }
    return mergeNewest(lists, query.limit);
  }

  async directChats(accountid: string): Promise<string[]> {
    await this.#ensure();
    const [rows] = await this.#pool.query(
      "SELECT chatid FROM webchat_search_chat WHERE accountid = ?",
      [accountid],
    );
    return (rows as { chatid: string }[]).map((row) => row.chatid);
  }
}
