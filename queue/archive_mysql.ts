/**
 * The message archive on MySQL/MariaDB: one InnoDB table per month of message time
 * (`webchat_messageYYYYMM`, local time, as the original), written in one transaction per batch.
 *
 * The archive does not store `members` (they change; groups are the source of truth).
 * Messages read back carry `[a, b]` for one-to-one chat ids `a--b`, `[]` for anything else.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { MysqlPool } from "../store/mysql_pool.ts";
import {
  type HistoryPage,
  type HistoryQuery,
  type MessageArchive,
  MessageRejectedError,
} from "./archive.ts";
import {
  ARCHIVE_COLUMNS as COLUMNS,
  archiveRow,
  changeRow,
  checkChange,
  checkHistoryQuery,
  checkMessage,
  historyConditions,
  messageFromRow,
} from "./archive_sql.ts";
import { type ChatMessage, type MessageChange, monthlyTableName } from "./message.ts";
import { applyChange } from "./message_change.ts";
import { checkedName, type MonthlyTable, MonthlyTables } from "./monthly_tables_mysql.ts";
import { MysqlSearch } from "./search_mysql.ts";

type MessageRow = Record<string, unknown> & { seq: number };

/** {@link MessageArchive} over a mysql2 pool. */
export class MysqlArchive implements MessageArchive {
  readonly #pool: MysqlPool;
  /** Where history is read: a replica (`mysql.readUrl`), or `pool`. */
  readonly #reads: MysqlPool;
  readonly #tables: MonthlyTables;
  readonly #search: MysqlSearch;

  /**
   * `log` hears about upgrades of tables made by an earlier version; `reads` (a replica's pool)
   * serves {@link MysqlArchive.history}, never a write.
   */
  constructor(pool: MysqlPool, log?: Log, reads?: MysqlPool) {
    this.#pool = pool;
    this.#reads = reads ?? pool;
    this.#tables = new MonthlyTables(pool, log);
    this.#search = new MysqlSearch(pool);
  }

  /**
   * One multi-row INSERT per month, all in one transaction. A `mid` already archived is left as
   * it is; a message whose (chatid, seq) is archived under another `mid` is refused with
   * {@link MessageRejectedError}, never dropped (see {@link MysqlArchive.#insert}).
   */
  async saveMessages(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return;
    messages.forEach(checkMessage);
    try {
      await this.#insert(messages);
      // After the rows, every time (also when they were archived by an earlier try): a batch
      // taken again after a failure here still reaches the index, whose rows are idempotent.
      await this.#search.add(messages);
    } catch (error) {
      // SQLSTATE class 22 (data exception) and 23 (integrity), and "incorrect string value"
      // (1366, filed under HY000): this data can never be stored. Anything else (connection,
      // schema, locks) may heal, so it is thrown as it is.
      const { sqlState = "", errno = 0 } = error as { sqlState?: string; errno?: number };
      if (/^2[23]/.test(sqlState) || errno === 1366) {
        throw new MessageRejectedError(
          `Cannot archive messages: MySQL refused them: ${(error as Error).message}`,
        );
      }
      throw error;
    }
  }

  /**
   * A plain INSERT, not `ON DUPLICATE KEY UPDATE` (which fires on every unique key, so a row
   * repeating a (chatid, seq) would vanish silently) nor INSERT IGNORE (which also turns
   * truncation and bad values into warnings). Only when it meets a duplicate, which is rare (a
   * batch taken again after a crash), are the mids already archived looked up and left out.
   */
  async #insert(messages: ChatMessage[]): Promise<void> {
    const byTable = groupByTable(messages);
    // DDL commits implicitly in MySQL, so tables are made before the transaction opens.
    await this.#tables.ensure(byTable.keys());
    try {
      await this.#write(byTable);
      return;
    } catch (error) {
      if ((error as { errno?: number }).errno !== ER_DUP_ENTRY) throw error;
    }
    const fresh = await this.#unarchived(byTable);
    if (fresh.size === 0) return;
    try {
      await this.#write(fresh);
    } catch (error) {
      if ((error as { errno?: number }).errno !== ER_DUP_ENTRY) throw error;
      const text = (error as Error).message;
      if (/uq_chat_seq/.test(text)) {
        const only = [...fresh.values()].flat();
        const what = only.length === 1
          ? `message ${only[0][0]}: seq ${only[0][2]} of ${only[0][1]} is`
          : "messages: a seq is";
        throw new MessageRejectedError(
          `Cannot archive ${what} archived already under another mid (${text})`,
        );
      }
      // Another worker archived one of these mids meanwhile: the next try skips it. (Plain
      // Error: MySQL's own would read as "refused for good" to saveMessages.)
      throw new Error(`Cannot archive messages yet: ${text}`);
    }
  }

  /** The rows whose mid no table holds yet, each mid once. */
  async #unarchived(byTable: Map<string, unknown[][]>): Promise<Map<string, unknown[][]>> {
    const fresh = new Map<string, unknown[][]>();
    for (const [table, rows] of byTable) {
      const [found] = await this.#pool.query(
        `SELECT mid FROM \`${table}\` WHERE mid IN (?)`,
        [rows.map((row) => row[0])],
      );
      const seen = new Set((found as { mid: string }[]).map((row) => row.mid));
      const keep = rows.filter((row) => {
        const mid = String(row[0]);
        if (seen.has(mid)) return false;
        seen.add(mid);
        return true;
      });
      if (keep.length > 0) fresh.set(table, keep);
    }
    return fresh;
  }

  /** The rows in one statement (autocommit) or, when they need several, one transaction. */
  async #write(byTable: Map<string, unknown[][]>): Promise<void> {
    const insert = (table: string) => `INSERT INTO \`${table}\` (${COLUMNS}) VALUES ?`;
    const statements = [...byTable].flatMap(([table, rows]) =>
      chunkBySize(rows).map((chunk) => [insert(table), chunk] as const)
    );
    if (statements.length === 1) {
      // One statement is atomic on its own (autocommit): no BEGIN/COMMIT round trips needed.
      const [[sql, rows]] = statements;
      await this.#pool.query(sql, [rows]).catch((error) => {
        if ((error as { code?: string }).code === "ER_NO_SUCH_TABLE") this.#tables.forget();
        throw error;
      });
      return;
    }
    const conn = await this.#pool.getConnection();
    let broken = false;
    try {
      await conn.beginTransaction();
      for (const [sql, rows] of statements) await conn.query(sql, [rows]);
      await conn.commit();
    } catch (error) {
      if ((error as { code?: string }).code === "ER_NO_SUCH_TABLE") this.#tables.forget();
      await conn.rollback().catch(() => broken = true);
      throw error;
    } finally {
      // A connection that cannot even roll back is not handed to the next caller.
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  /** Reads month after month (newest first, or oldest first for `after`) until a page is full. */
  async history(query: HistoryQuery): Promise<HistoryPage> {
    checkHistoryQuery(query);
    const forward = query.after !== undefined;
    const tables = (await this.#tables.list()).filter((t) => overlaps(t, query));
    if (!forward) tables.reverse();
    // Backslash is LIKE's default escape character in MySQL.
    const { where, params } = historyConditions(query, "message LIKE ?");
    const found: MessageRow[] = [];
    for (const table of tables) {
      const need = query.limit + 1 - found.length;
      if (need <= 0) break;
      const [rows] = await this.#reads.query(
        `SELECT ${COLUMNS} FROM \`${table.name}\` WHERE ${where}
          ORDER BY seq ${forward ? "ASC" : "DESC"} LIMIT ?`,
        [...params, need],
      );
      found.push(...rows as MessageRow[]);
    }
    // Sorting again guards against a message whose time and seq straddle a month boundary.
    found.sort((a, b) => forward ? a.seq - b.seq : b.seq - a.seq);
    const page = found.slice(0, query.limit);
    if (!forward) page.reverse();
    return { messages: page.map(messageFromRow), hasMore: found.length > query.limit };
  }
  /**
   * Looks in the table of each mid's month first (a mid starts with its creation time, which is
   * the message's time), then, for mids not found there (a message made across a month's turn,
   * or one from the PHP original), in every other table: one index lookup each.
   */
  async findMessages(mids: string[]): Promise<Map<string, ChatMessage>> {
    const found = new Map<string, ChatMessage>();
    const unique = [...new Set(mids)].filter((mid) => mid !== "");
    if (unique.length === 0) return found;
    const tables = await this.#tables.list();
    const names = new Set(tables.map((t) => t.name));
    const byTable = new Map<string, string[]>();
    for (const mid of unique) {
      const ms = parseInt(mid.slice(0, 12), 16);
      const table = Number.isSafeInteger(ms) ? safeTableName(ms / 1000) : null;
      if (table && names.has(table)) byTable.set(table, [...byTable.get(table) ?? [], mid]);
    }
    const read = async (table: string, wanted: string[]) => {
      const [rows] = await this.#pool.query(
        `SELECT ${COLUMNS} FROM \`${checkedName(table)}\` WHERE mid IN (?)`,
        [wanted],
      );
      for (const row of rows as MessageRow[]) {
        const message = messageFromRow(row);
        found.set(message.mid, message);
      }
    };
    for (const [table, wanted] of byTable) await read(table, wanted);
    for (const table of [...tables].reverse()) {
      const left = unique.filter((mid) => !found.has(mid));
      if (left.length === 0) break;
      if (!byTable.has(table.name)) await read(table.name, left);
    }
    return found;
  }

  /**
   * Puts every archived message into the search index (those archived before the index
   * existed, or brought over by `chat upgrade`), month by month, {@link INDEX_ROWS} rows at a
   * time; idempotent. `progress` hears the count read so far. Answers the count read.
   */
  async indexAll(progress?: (done: number) => void): Promise<number> {
    let done = 0;
    for (const table of await this.#tables.list(true)) {
      for (let after = 0;;) {
        const [rows] = await this.#pool.query(
          `SELECT id, ${COLUMNS} FROM \`${checkedName(table.name)}\` WHERE id > ?
            ORDER BY id LIMIT ?`,
          [after, INDEX_ROWS],
        );
        const list = rows as MessageRow[];
        if (list.length === 0) break;
        after = Number(list.at(-1)!.id);
        await this.#search.add(list.map(messageFromRow));
        done += list.length;
        progress?.(done);
      }
    }
    return done;
  }

  /** Computes each message's state in order, then one UPDATE per changed message. */
  async applyChanges(changes: MessageChange[]): Promise<ChatMessage[]> {
    if (changes.length === 0) return [];
    changes.forEach(checkChange);
    const found = await this.findMessages(changes.map((c) => c.mid));
    const before = new Map(found);
    const changed = new Map<string, ChatMessage>();
    for (const change of changes) {
      const message = found.get(change.mid);
      if (!message || message.chatid !== change.chatid) continue;
      const after = applyChange(message, change);
      found.set(change.mid, after);
      changed.set(change.mid, after);
    }
    for (const m of changed.values()) {
      // Each UPDATE sets the final state, so a batch applied twice (after a crash) is harmless;
      // the row is in the table of its time (see groupByTable).
      await this.#pool.query(
        `UPDATE \`${checkedName(monthlyTableName(m.time))}\` SET message = ?, fileid = ?,
           edited = ?, recalledby = ?, recalledat = ? WHERE mid = ?`,
        changeRow(m),
      );
    }
    // The old text leaves the search index, the new one enters it. Applied again after a crash
    // in between, `before` is already the new text: stale rows of the old one may stay behind,
    // which search's check of every candidate against the text itself makes harmless.
    await this.#search.replace(
      [...changed.keys()].map((mid) => before.get(mid)!),
      [...changed.values()],
    );
    return [...changed.values()];
  }
}

const ER_DUP_ENTRY = 1062;

/** Rows `indexAll` reads and indexes at a time. */
const INDEX_ROWS = 2000;

function safeTableName(time: number): string | null {
  try {
    return monthlyTableName(Math.floor(time));
  } catch {
    return null;
  }
}

/** Each message's row under the table of its month. */
function groupByTable(messages: ChatMessage[]): Map<string, unknown[][]> {
  const byTable = new Map<string, unknown[][]>();
  for (const m of messages) {
    const table = checkedName(monthlyTableName(m.time));
    const rows = byTable.get(table) ?? [];
    rows.push(archiveRow(m));
    byTable.set(table, rows);
  }
  return byTable;
}

function overlaps(table: MonthlyTable, query: HistoryQuery): boolean {
  if (query.since !== undefined && table.end <= query.since) return false;
  if (query.until !== undefined && table.start > query.until) return false;
  return true;
}

/**
 * Most bytes of message text in one INSERT: well under MySQL's smallest usual
 * `max_allowed_packet` (16 MiB in MariaDB 10.x, 4 MiB in older MySQL), whatever the batch size
 * and `limits.messageChars` are.
 */
const STATEMENT_BYTES = 3 * 1024 * 1024;

/** Splits rows so that no statement carries more than {@link STATEMENT_BYTES} of text. */
function chunkBySize(rows: unknown[][]): unknown[][][] {
  const chunks: unknown[][][] = [];
  let chunk: unknown[][] = [];
  let bytes = 0;
  for (const row of rows) {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; 200 covers the other columns.
    const size = String(row[4]).length * 3 + 200;
    if (chunk.length > 0 && bytes + size > STATEMENT_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
