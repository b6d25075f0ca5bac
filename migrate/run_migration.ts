/**
 * `chat migrate --to-mysql URL --redis URL`: an embedded installation (the SQLite database of
 * its data folder) copied into MySQL and Redis by the copiers of `copiers.ts`, with progress.
 * The data folder is locked meanwhile, so the embedded server cannot start and write while
 * it is copied; the embedded database itself is only read.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { lockDataFolder, probeServer } from "../api/run_files.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import { fileStorageFolder } from "../files/file_storage_folder.ts";
import { MysqlFileTable } from "../files/file_table_mysql.ts";
import { MysqlArchive } from "../queue/archive_mysql.ts";
import { MysqlBroadcastArchive } from "../queue/broadcast_archive_mysql.ts";
import { RedisQueue } from "../queue/queue_redis.ts";
import { RecentRedis } from "../queue/recent_redis.ts";
import { MysqlWorkerStatus } from "../queue/status_mysql.ts";
import { RedisGroupCache } from "../store/group_cache_redis.ts";
import { MysqlGroupStore } from "../store/groups_mysql.ts";
import { openMysql } from "../store/mysql_pool.ts";
import { closeRedis, connectRedis, redactUrl } from "../store/redis_client.ts";
import { RedisSessionStore } from "../store/sessions_redis.ts";
import { openSqliteDb, SQLITE_FILE } from "../store/sqlite_db.ts";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { MIGRATION_COPIERS, type MigrationTarget } from "./copiers.ts";

/** The migration cannot start; nothing was copied. */
export class MigrationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationRefused";
  }
}

/** Options of {@link runMigration}. */
export interface MigrationOptions {
  /** Copy the sessions too. */
  sessions?: boolean;
  /** Copy the files' bytes into this folder (the production servers' `files.dir`). */
  filesTo?: string;
  /** A copier starts (with the rows it will read), then hears each row read. */
  onProgress?: (copier: string, total: number | null, rows: number) => void;
}

/** Copies `config.dataDir`'s embedded database into `config.mysqlUrl` and `config.redisUrl`. */
export async function runMigration(
  config: ResolvedConfig,
  options: MigrationOptions = {},
): Promise<string[]> {
  const mysqlUrl = config.mysqlUrl!, redisUrl = config.redisUrl!;
  if (!existsSync(join(config.dataDir, SQLITE_FILE))) {
    throw new MigrationRefused(`no embedded database in ${config.dataDir} (--data)`);
  }
  const lock = await lockDataFolder(config);
  if (!lock) {
    const probe = probeServer(config);
    throw new MigrationRefused(
      `the embedded server runs on ${config.dataDir}${
        probe.running && probe.pid ? ` (pid ${probe.pid})` : ""
      }: stop it first (chat stop)`,
    );
  }
  const source = openSqliteDb(config.dataDir);
  let redis;
  let pool;
  try {
    redis = await connectRedis(redisUrl).catch((error) => {
      throw new MigrationRefused(`Redis at ${redactUrl(redisUrl)}: ${error.message}`);
    });
    pool = await openMysql(mysqlUrl).catch((error) => {
      throw new MigrationRefused(`MySQL at ${redactUrl(mysqlUrl)}: ${error.message}`);
    });
    const users = new MysqlUserStore(pool);
    await users.ensureSchema();
    const prefix = config.redisPrefix;
    const target: MigrationTarget = {
      pool,
      redis,
      prefix,
      users,
      archive: new MysqlArchive(pool, () => {}),
      broadcasts: new MysqlBroadcastArchive(pool),
      groups: new MysqlGroupStore(pool),
      groupCache: new RedisGroupCache(redis, prefix),
      files: new MysqlFileTable(pool),
      recent: new RecentRedis({ redis, prefix }),
      queue: new RedisQueue({ redis, prefix, workerId: `migrate-${Deno.pid}` }),
      status: new MysqlWorkerStatus(pool),
      sessions: new RedisSessionStore(redis, prefix, config.session.ttlSeconds),
      filesFrom: fileStorageFolder(config),
      filesTo: options.filesTo ?? null,
    };
    const lines: string[] = [];
    for (const copier of MIGRATION_COPIERS) {
      if (copier.onlyWithSessions && !options.sessions) {
        lines.push(`${copier.name}: not copied (--sessions copies them; people log in again)`);
        continue;
      }
      options.onProgress?.(copier.name, copier.count(source.db), 0);
      const progress = (rows: number) => options.onProgress?.(copier.name, null, rows);
      lines.push(await copier.copy(source.db, target, progress));
    }
    return lines;
  } finally {
    if (redis) await closeRedis(redis);
    await pool?.end();
    source.close();
    lock.release();
  }
}
