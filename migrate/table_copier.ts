/**
 * What every copier of `chat migrate` shares: where it writes ({@link MigrationTarget}), its
 * shape ({@link TableCopier}) and the small reads of the embedded database they all make.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { MessageRejectedError } from "../queue/archive.ts";
import type { MysqlFileTable } from "../files/file_table_mysql.ts";
import type { MysqlArchive } from "../queue/archive_mysql.ts";
import type { MysqlBroadcastArchive } from "../queue/broadcast_archive_mysql.ts";
import type { RedisQueue } from "../queue/queue_redis.ts";
import type { RecentRedis } from "../queue/recent_redis.ts";
import type { MysqlWorkerStatus } from "../queue/status_mysql.ts";
import type { RedisGroupCache } from "../store/group_cache_redis.ts";
import type { MysqlGroupStore } from "../store/groups_mysql.ts";
import type { MysqlPool } from "../store/mysql_pool.ts";
import type { RedisClient } from "../store/redis_client.ts";
import type { RedisSessionStore } from "../store/sessions_redis.ts";
import type { MysqlUserStore } from "../store/users_mysql.ts";

/** Where the copiers write. */
export interface MigrationTarget {
  pool: MysqlPool;
  redis: RedisClient;
  prefix: string;
  users: MysqlUserStore;
  archive: MysqlArchive;
  broadcasts: MysqlBroadcastArchive;
  groups: MysqlGroupStore;
  groupCache: RedisGroupCache;
  files: MysqlFileTable;
  recent: RecentRedis;
  queue: RedisQueue;
  status: MysqlWorkerStatus;
  sessions: RedisSessionStore;
  /** The embedded installation's file folder (`files.dir`, else `<data>/files`). */
  filesFrom: string;
  /** Where the production servers will keep files (`--to-files`); null: they use `filesFrom`. */
  filesTo: string | null;
}

/** One kind of data. */
export interface TableCopier {
  /** What it copies, as the report names it. */
  name: string;
  /** Only with `--sessions`. */
  onlyWithSessions?: boolean;
  /** Rows it will read (for the progress bar). */
  count(db: DatabaseSync): number;
  /** Copies; `progress` hears each row read; answers the report's line. */
  copy(db: DatabaseSync, to: MigrationTarget, progress: (rows: number) => void): Promise<string>;
}

/** Rows read from the embedded database per step. */
export const PAGE = 1000;

/** True when the embedded database has the table (an older one may lack a later issue's). */
export function hasTable(db: DatabaseSync, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !==
    undefined;
}

/** The table's rows; 0 when it does not exist. */
export function rowsOf(db: DatabaseSync, table: string): number {
  if (!hasTable(db, table)) return 0;
  // Table names are constants of the copiers, never input.
  return Number(db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n ?? 0);
}

/** `n thing` / `n things`. */
export function plural(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? "" : "s"}`;
}

/**
 * Saves `items` in one call, or, when that call refuses them (`MessageRejectedError`), one by
 * one: answers how many were refused (counted, not fatal).
 */
export async function saveEach<T>(
  items: T[],
  save: (items: T[]) => Promise<void>,
): Promise<number> {
  try {
    await save(items);
    return 0;
  } catch (error) {
    if (!(error instanceof MessageRejectedError)) throw error;
  }
  let refused = 0;
  for (const item of items) {
    await save([item]).catch((error) => {
      if (!(error instanceof MessageRejectedError)) throw error;
      refused++;
    });
  }
  return refused;
}
