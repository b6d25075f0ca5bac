/**
 * The search index on MySQL/MariaDB: the `webchat_search` and `webchat_search_chat` tables of
 * `search_sql.ts` in InnoDB, written by {@link MysqlArchive} right after each batch's rows (so
 * a message is searchable as soon as it is in history), read by {@link MysqlSearch}.
 *
 * @module
 */
import type { MysqlPool } from "../store/mysql_pool.ts";
import type { ChatMessage } from "./message.ts";
import type { CandidateQuery, MessageSearch } from "./search.ts";
import {
  candidateStatement,
  checkCandidateQuery,
  directChatRows,
  mergeNewest,
  SCOPES_PER_STATEMENT,
  tokenRows,
} from "./search_sql.ts";

// Tokens are lower-cased by the tokenizer and compared exactly (binary collation).
const TABLES = [
  `CREATE TABLE IF NOT EXISTS webchat_search (
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    token VARCHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    mid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    fromuser VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (chatid, token, mid)
  ) ENGINE=InnoDB COMMENT 'search tokens of archived text messages (CJK bigrams, word prefixes)'`,
  `CREATE TABLE IF NOT EXISTS webchat_search_chat (
    accountid VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (accountid, chatid)
  ) ENGINE=InnoDB COMMENT 'the one-to-one chats each account has messages in'`,
];

/** Rows per INSERT (4 short columns, ~1.5 MB: below any usual `max_allowed_packet`). */
const ROWS_PER_INSERT = 20_000;

/** {@link MessageSearch} on MySQL, and the index's writer for the archive. */
export class MysqlSearch implements MessageSearch {
  readonly #pool: MysqlPool;
  #ready: Promise<void> | undefined;

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  /** Creates the tables once per process (DDL: outside any transaction). */
  ensure(): Promise<void> {
    this.#ready ??= (async () => {
      for (const sql of TABLES) await this.#pool.query(sql);
    })().catch((error) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** Adds archived messages to the index. Idempotent: rows already there are left alone. */
  async add(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ensure();
    // IGNORE only meets duplicate keys here: every value is the tokenizer's or a checked id.
    const tokens = tokenRows(messages);
    const chats = directChatRows(messages);
    const statements: [string, unknown[][]][] = [];
    for (let i = 0; i < tokens.length; i += ROWS_PER_INSERT) {
      statements.push([
        "INSERT IGNORE INTO webchat_search (chatid, token, mid, fromuser) VALUES ?",
        tokens.slice(i, i + ROWS_PER_INSERT),
      ]);
    }
    if (chats.length > 0) {
      statements.push([
        "INSERT IGNORE INTO webchat_search_chat (accountid, chatid) VALUES ?",
        chats,
      ]);
    }
    // One transaction: one log flush for the batch's rows instead of one per statement.
    const conn = await this.#pool.getConnection();
    let broken = false;
    try {
      await conn.beginTransaction();
      for (const [sql, rows] of statements) await conn.query(sql, [rows]);
      await conn.commit();
    } catch (error) {
      await conn.rollback().catch(() => broken = true);
      throw error;
    } finally {
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
    await this.ensure();
    const byMessage = new Map<string, { chatid: string; tokens: string[] }>();
    for (const [chatid, token, mid] of tokenRows(before)) {
      const entry = byMessage.get(mid) ?? { chatid, tokens: [] };
      entry.tokens.push(token);
      byMessage.set(mid, entry);
    }
    for (const [mid, { chatid, tokens }] of byMessage) {
      await this.#pool.query(
        "DELETE FROM webchat_search WHERE chatid = ? AND mid = ? AND token IN (?)",
        [chatid, mid, tokens],
      );
    }
    await this.add(after);
  }

  async candidates(query: CandidateQuery): Promise<string[]> {
    checkCandidateQuery(query);
    if (query.scopes.length === 0) return [];
    await this.ensure();
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
    await this.ensure();
    const [rows] = await this.#pool.query(
      "SELECT chatid FROM webchat_search_chat WHERE accountid = ?",
      [accountid],
    );
    return (rows as { chatid: string }[]).map((row) => row.chatid);
  }
}
