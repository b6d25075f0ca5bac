/**
 * The search index on the embedded database: the `webchat_search` and `webchat_search_chat`
 * tables of `search_sql.ts` (created with the rest of the schema, `store/sqlite_db.ts`),
 * written by {@link SqliteArchive} inside its own transactions, read by {@link SqliteSearch}.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { settle } from "../store/sqlite_db.ts";
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

/**
 * Adds messages to the index; run inside the transaction that archives them. Idempotent
 * (rows already there are left alone).
 */
export function indexMessagesSqlite(db: DatabaseSync, messages: ChatMessage[]): void {
  if (messages.length === 0) return;
  const token = db.prepare(
    "INSERT OR IGNORE INTO webchat_search (chatid, token, mid, fromuser) VALUES (?, ?, ?, ?)",
  );
  for (const row of tokenRows(messages)) token.run(...row);
  const chat = db.prepare(
    "INSERT OR IGNORE INTO webchat_search_chat (accountid, chatid) VALUES (?, ?)",
  );
  for (const row of directChatRows(messages)) chat.run(...row);
}

/**
 * Replaces the index rows of changed messages: `before` as they were indexed, `after` as they
 * are now (a recalled one has no rows any more). Run inside the transaction that changes them.
 */
export function reindexMessagesSqlite(
  db: DatabaseSync,
  before: ChatMessage[],
  after: ChatMessage[],
): void {
  const remove = db.prepare(
    "DELETE FROM webchat_search WHERE chatid = ? AND token = ? AND mid = ?",
  );
  for (const [chatid, token, mid] of tokenRows(before)) remove.run(chatid, token, mid);
  indexMessagesSqlite(db, after);
}

/** {@link MessageSearch} on SQLite. */
export class SqliteSearch implements MessageSearch {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  candidates(query: CandidateQuery): Promise<string[]> {
    return settle(() => {
      checkCandidateQuery(query);
      if (query.scopes.length === 0) return [];
      const lists: string[][] = [];
      for (let i = 0; i < query.scopes.length; i += SCOPES_PER_STATEMENT) {
        const { sql, params } = candidateStatement(
          query,
          query.scopes.slice(i, i + SCOPES_PER_STATEMENT),
        );
        lists.push(this.#db.prepare(sql).all(...params).map((row) => String(row.mid)));
      }
      return mergeNewest(lists, query.limit);
    });
  }

  directChats(accountid: string): Promise<string[]> {
    return settle(() =>
      this.#db.prepare("SELECT chatid FROM webchat_search_chat WHERE accountid = ?")
        .all(accountid).map((row) => String(row.chatid))
    );
  }
}
