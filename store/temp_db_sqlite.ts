/**
 * Test support: a fresh embedded database in a temporary data folder, removed by `cleanup()`.
 *
 * @module
 */
import { openSqliteDb, type SqliteDb } from "./sqlite_db.ts";

/** A temporary embedded database. */
export interface TempSqlite extends SqliteDb {
  /** The temporary data folder. */
  dataDir: string;
  /** Another connection to the same file (as the worker thread has); closed by `cleanup()`. */
  connect(): SqliteDb;
  /** Closes every connection and removes the folder. */
  cleanup(): Promise<void>;
}

/** Opens a fresh database; always `await temp.cleanup()` in a `finally`. */
export async function openTempSqlite(): Promise<TempSqlite> {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-sqlite-" });
  const main = openSqliteDb(dataDir);
  const others: SqliteDb[] = [];
  return {
    ...main,
    dataDir,
    connect() {
      const other = openSqliteDb(dataDir);
      others.push(other);
      return other;
    },
    async cleanup() {
      for (const other of others) other.close();
      main.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
