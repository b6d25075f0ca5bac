/**
 * `chat search-index`: puts every message of the archive into the search index, for messages
 * archived before the index existed or brought over by `chat upgrade` (new messages are indexed
 * by the archive worker as they are archived). Safe to repeat and to run beside the server.
 *
 * @module
 */
import { MysqlArchive } from "../queue/archive_mysql.ts";
import { SqliteArchive } from "../queue/archive_sqlite.ts";
import { openMysql } from "../store/mysql_pool.ts";
import { openSqliteDb } from "../store/sqlite_db.ts";
import type { CommandInput } from "./command_line.ts";

/** Runs `chat search-index`. */
export async function searchIndexCommand(input: CommandInput): Promise<number> {
  const { config } = input;
  const began = Date.now();
  let last = began;
  const progress = (done: number) => {
    if (Date.now() - last < 5000) return;
    last = Date.now();
    console.error(`search index: ${done} messages read`);
  };
  let done: number;
  if (config.mysqlUrl && config.redisUrl) {
    const pool = await openMysql(config.mysqlUrl);
    try {
      done = await new MysqlArchive(pool).indexAll(progress);
    } finally {
      await pool.end();
    }
  } else {
    const sqlite = openSqliteDb(config.dataDir);
    try {
      done = await new SqliteArchive(sqlite.db).indexAll(progress);
    } finally {
      sqlite.close();
    }
  }
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  console.log(`search index: ${done} messages indexed in ${seconds} s`);
  return 0;
}
