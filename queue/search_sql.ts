/**
 * What the MySQL and SQLite search indexes share: the rows a message puts into the index, and
 * the one statement that finds candidates in many chats at once.
 *
 * Tables (the same columns in both engines):
 * - `webchat_search` (MySQL: partitioned by month, see `search_mysql.ts`): chatid, token,
 *   mid, fromuser; primary key (chatid, token, mid). One
 *   chat's messages carrying one token are one contiguous, mid-ordered stretch of the key, so
 *   "the newest 20 with 会议 in this chat" reads 20 index entries however often 会议 occurs in
 *   other chats, or further back in this one.
 * - `webchat_search_chat`: accountid, chatid; primary key both: the one-to-one chats an
 *   account has messages in (groups come from the group store, with join times).
 *
 * @module
 */
import type { CandidateQuery, SearchScope } from "./search.ts";
import { type ChatMessage, MessageType } from "./message.ts";
import { textTokens } from "./search_tokens.ts";

/** Most scopes in one statement (SQLite allows 500 terms in a compound SELECT). */
export const SCOPES_PER_STATEMENT = 100;

/** The index rows (chatid, token, mid, fromuser) of messages: text messages not recalled. */
export function tokenRows(messages: ChatMessage[]): [string, string, string, string][] {
  const rows: [string, string, string, string][] = [];
  for (const m of messages) {
    if (m.type !== MessageType.text || m.recalled) continue;
    for (const token of textTokens(m.message)) rows.push([m.chatid, token, m.mid, m.fromuser]);
  }
  return rows;
}

/** The (accountid, chatid) rows of the one-to-one chats among `messages`, each once. */
export function directChatRows(messages: ChatMessage[]): [string, string][] {
  const rows = new Map<string, [string, string]>();
  for (const m of messages) {
    const parts = m.chatid.split("--");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") continue;
    for (const accountid of parts) rows.set(`${accountid} ${m.chatid}`, [accountid, m.chatid]);
  }
  return [...rows.values()];
}

/**
 * The candidate statement over `scopes` (at most {@link SCOPES_PER_STATEMENT}): one ordered,
 * limited index read per scope, glued with UNION ALL, newest first overall. Both engines take
 * the derived-table form (SQLite has no parenthesised compound members).
 */
export function candidateStatement(
  query: CandidateQuery,
  scopes: SearchScope[],
): { sql: string; params: (string | number)[] } {
  const table = "webchat_search";
  const params: (string | number)[] = [];
  const parts = scopes.map((scope, i) => {
    const where = ["s.chatid = ?", "s.token = ?"];
    params.push(scope.chatid, query.tokens[0]);
    const bound = (sql: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(sql);
      params.push(value);
    };
    bound("s.mid < ?", query.beforeMid);
    bound("s.mid >= ?", query.sinceMid);
    bound("s.mid < ?", query.untilMid);
    bound("s.fromuser = ?", query.fromuser);
    if (scope.visible) {
      const ranges = scope.visible.map((r) =>
        r.to === null ? "s.mid >= ?" : "(s.mid >= ? AND s.mid < ?)"
      );
      where.push(ranges.length === 0 ? "0 = 1" : `(${ranges.join(" OR ")})`);
      for (const r of scope.visible) params.push(r.from, ...(r.to === null ? [] : [r.to]));
    }
    for (const token of query.tokens.slice(1)) {
      // The other tokens: one primary-key lookup per candidate row.
      where.push(
        `EXISTS (SELECT 1 FROM ${table} t WHERE t.chatid = s.chatid AND t.token = ? ` +
          "AND t.mid = s.mid)",
      );
      params.push(token);
    }
    params.push(query.limit);
    return `SELECT mid FROM (SELECT s.mid FROM ${table} s WHERE ${where.join(" AND ")}
      ORDER BY s.mid DESC LIMIT ?) AS c${i}`;
  });
  params.push(query.limit);
  return { sql: `${parts.join(" UNION ALL ")} ORDER BY mid DESC LIMIT ?`, params };
}

/** Throws `RangeError` unless the query can be run as it is. */
export function checkCandidateQuery(query: CandidateQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 500) {
    throw new RangeError(`Cannot search: limit must be 1..500, got ${query.limit}`);
  }
  if (query.tokens.length < 1 || query.tokens.length > 6) {
    throw new RangeError(`Cannot search: 1..6 tokens, got ${query.tokens.length}`);
  }
}

/** Merges per-statement answers (each newest first) into the newest `limit`, each mid once. */
export function mergeNewest(lists: string[][], limit: number): string[] {
  return [...new Set(lists.flat())].sort((a, b) => a < b ? 1 : a > b ? -1 : 0).slice(0, limit);
}
