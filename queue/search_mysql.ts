/**
 * The search index on MySQL/MariaDB: one InnoDB `webchat_searchYYYYMM` table per month of
 * message time, beside the archive's `webchat_messageYYYYMM` (see `search_sql.ts` for the
 * columns), and `webchat_search_chat`. Written by {@link MysqlArchive} right after each batch's
 * rows (so a message is searchable as soon as it is in history), read by {@link MysqlSearch}.
 *
 * Why monthly: new rows land at the end of their chat's and token's stretch of the key, which is
 * a different page for nearly every row; what must stay in the buffer pool for writes to be fast
 * is then the whole table. With one table per month that is the current month's index, not the
 * whole history's (a single table slowed the fill from 3,000 to 600 messages a second once it
 * outgrew a 128 MiB buffer pool). Reads go month by month, newest first, and stop once a page is
 * full.
 *
 * @module
 */
import type { MysqlPool } from "../store/mysql_pool.ts";
import { type ChatMessage, monthlyTableName } from "./message.ts";
import type { CandidateQuery, MessageSearch } from "./search.ts";
import {
  candidateStatement,
  checkCandidateQuery,
  directChatRows,
  mergeNewest,
  SCOPES_PER_STATEMENT,
  tokenRows,
} from "./search_sql.ts";

/** The only shape a monthly search table's name may have before it is written into SQL. */
const TABLE_NAME = /^webchat_search(\d{4})(\d{2})$/;

/** How long a listing of the tables is trusted, in milliseconds (other processes add tables). */
const LIST_TTL_MS = 30_000;

const CHAT_TABLE = `CREATE TABLE IF NOT EXISTS webchat_search_chat (
    accountid VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (accountid, chatid)
  ) ENGINE=InnoDB COMMENT 'the one-to-one chats each account has messages in'`;

// Tokens are lower-cased by the tokenizer and compared exactly (binary collation).
function monthTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS \`${name}\` (
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    token VARCHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    mid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    fromuser VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (chatid, token, mid)
  ) ENGINE=InnoDB COMMENT 'search tokens of a month of text messages (CJK bigrams, word prefixes)'`;
}

/** Rows per INSERT (4 short columns, ~1.5 MB: below any usual `max_allowed_packet`). */
const ROWS_PER_INSERT = 20_000;

/** The search table of a message time (the month of its archive table). */
function searchTableOf(time: number): string {
  return monthlyTableName(time).replace("webchat_message", "webchat_search");
}

/** {@link MessageSearch} on MySQL, and the index's writer for the archive. */
export class MysqlSearch implements MessageSearch {
  readonly #pool: MysqlPool;
  readonly #created = new Set<string>();
  #listed: { at: number; names: string[] } | undefined;

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  /** Creates the tables this process has not made yet (DDL: outside any transaction). */
  async #ensure(names: Iterable<string>): Promise<void> {
    for (const name of ["webchat_search_chat", ...names]) {
      if (this.#created.has(name)) continue;
      if (name !== "webchat_search_chat" && !TABLE_NAME.test(name)) {
        throw new RangeError(`Cannot index: "${name}" is not webchat_searchYYYYMM`);
      }
      await this.#pool.query(name === "webchat_search_chat" ? CHAT_TABLE : monthTable(name));
      this.#created.add(name);
      this.#listed = undefined;
    }
  }

  /** Every monthly search table, newest first (listing cached for {@link LIST_TTL_MS}). */
  async #tables(): Promise<string[]> {
    const now = Date.now();
    const current = searchTableOf(Math.floor(now / 1000));
    const stale = this.#listed === undefined || now - this.#listed.at > LIST_TTL_MS ||
      (now - this.#listed.at > 1000 && !this.#listed.names.includes(current));
    if (stale) {
      const [rows] = await this.#pool.query(
        `SELECT TABLE_NAME AS name FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'webchat\\_search%'`,
      );
      const names = (rows as { name: string }[]).map((row) => row.name)
        .filter((name) => TABLE_NAME.test(name)).sort().reverse();
      this.#listed = { at: now, names };
    }
    return this.#listed!.names;
  }

  /** Adds archived messages to the index, in one transaction. Idempotent. */
  async add(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTable = new Map<string, ChatMessage[]>();
    for (const m of messages) {
      const table = searchTableOf(m.time);
      const list = byTable.get(table) ?? [];
      list.push(m);
      byTable.set(table, list);
    }
    await this.#ensure(byTable.keys());
    // IGNORE only meets duplicate keys here: every value is the tokenizer's or a checked id.
    const statements: [string, unknown[]][] = [];
    for (const [table, list] of byTable) {
      const tokens = tokenRows(list);
      for (let i = 0; i < tokens.length; i += ROWS_PER_INSERT) {
        statements.push([
          `INSERT IGNORE INTO \`${table}\` (chatid, token, mid, fromuser) VALUES ?`,
          [tokens.slice(i, i + ROWS_PER_INSERT)],
        ]);
      }
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
      if ((error as { code?: string }).code === "ER_NO_SUCH_TABLE") this.#created.clear();
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
    const deletes: [string, unknown[]][] = [];
    const tables = new Set<string>();
    for (const m of before) {
      const tokens = tokenRows([m]).map((row) => row[1]);
      if (tokens.length === 0) continue;
      const table = searchTableOf(m.time);
      tables.add(table);
      deletes.push([
        `DELETE FROM \`${table}\` WHERE chatid = ? AND mid = ? AND token IN (?)`,
        [m.chatid, m.mid, tokens],
      ]);
    }
    await this.#ensure(tables);
    await this.#transaction(deletes);
    await this.add(after);
  }

  /** Month by month, newest first, until `limit` candidates are found. */
  async candidates(query: CandidateQuery): Promise<string[]> {
    checkCandidateQuery(query);
    if (query.scopes.length === 0) return [];
    const lists: string[][] = [];
    let found = 0;
    for (const table of await this.#tables()) {
      const month = TABLE_NAME.exec(table)!;
      // The month's span of mids (local time, as the archive's tables): skip what the bounds
      // leave out.
      const startMs = new Date(Number(month[1]), Number(month[2]) - 1, 1).getTime();
      const endMs = new Date(Number(month[1]), Number(month[2]), 1).getTime();
      const lowest = query.sinceMid ?? "";
      const highest = [query.beforeMid, query.untilMid].filter((m) => m !== undefined).sort()[0];
      if (highest !== undefined && highest < midPrefix(startMs - 1000)) continue;
      if (lowest !== "" && lowest >= midPrefix(endMs + 1000)) break;
      for (let i = 0; i < query.scopes.length; i += SCOPES_PER_STATEMENT) {
        const { sql, params } = candidateStatement(
          query,
          query.scopes.slice(i, i + SCOPES_PER_STATEMENT),
          table,
        );
        const [rows] = await this.#pool.query(sql, params);
        const mids = (rows as { mid: string }[]).map((row) => String(row.mid));
        lists.push(mids);
        found += mids.length;
      }
      if (found >= query.limit) break;
    }
    return mergeNewest(lists, query.limit);
  }

  async directChats(accountid: string): Promise<string[]> {
    await this.#ensure([]);
    const [rows] = await this.#pool.query(
      "SELECT chatid FROM webchat_search_chat WHERE accountid = ?",
      [accountid],
    );
    return (rows as { chatid: string }[]).map((row) => row.chatid);
  }
}

/** The 12 hex digits of milliseconds a mid made at `ms` starts with. */
function midPrefix(ms: number): string {
  return Math.max(0, ms).toString(16).padStart(12, "0");
}
