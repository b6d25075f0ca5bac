/**
 * The embedded backend: every port on one SQLite file in the data folder (`node:sqlite`, no
 * server to run) plus in-process presence. The default when neither Redis nor MySQL is
 * configured: one process, zero setup, what a team of 50 runs on one box.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import { SqliteArchive } from "../queue/archive_sqlite.ts";
import { SqliteSearch } from "../queue/search_sqlite.ts";
import { SqliteReadReceipts } from "./receipts_sqlite.ts";
import { SqliteBroadcastArchive } from "../queue/broadcast_archive_sqlite.ts";
import { SqliteQueue } from "../queue/queue_sqlite.ts";
import { SqliteRecent } from "../queue/recent_sqlite.ts";
import { SqliteWorkerStatus } from "../queue/status_sqlite.ts";
import { fileStorageFolder } from "../files/file_storage_folder.ts";
import { LocalFileStorage } from "../files/file_storage_local.ts";
import { SqliteFileTable } from "../files/file_table_sqlite.ts";
import type { Backend } from "./backend.ts";
import { EMBEDDED_DURABILITY } from "./durability.ts";
import { CachedGroups } from "./groups_cached.ts";
import { SqliteGroupStore } from "./groups_sqlite.ts";
import { SqliteInbox } from "./inbox_sqlite.ts";
import { SqlitePresence } from "./presence_sqlite.ts";
import { SqliteLoginLimiter, SqliteSessionStore } from "./sessions_sqlite.ts";
import { openSqliteDb } from "./sqlite_db.ts";
import { SqliteUserStore } from "./users_sqlite.ts";

/**
 * Opens (creating when missing) `<dataDir>/webchat.db` and wires every port to it. The archive
 * worker opens its own connection to the same file (see `queue/worker_embedded_sqlite.ts`).
 */
export function openEmbeddedBackend(
  config: ResolvedConfig,
  nodeId: string,
  log: Log,
): Promise<Backend> {
  let sqlite;
  try {
    sqlite = openSqliteDb(config.dataDir, { log });
  } catch (error) {
    return Promise.reject(
      new Error(
        `Cannot start: embedded database in ${config.dataDir}: ${(error as Error).message}`,
      ),
    );
  }
  const { db, path } = sqlite;
  let files: SqliteFileTable, storage: LocalFileStorage;
  try {
    files = new SqliteFileTable(db);
    files.ensureSchema();
    storage = new LocalFileStorage(fileStorageFolder(config));
  } catch (error) {
    sqlite.close();
    return Promise.reject(new Error(`Cannot start: file storage: ${(error as Error).message}`));
  }
  const archive = new SqliteArchive(db);
  const presence = new SqlitePresence();
  presence.start();
  // The seq counters live in the same file as the queue and the archive (no epoch needed).
  const producer = new SqliteQueue({ db, path, workerId: nodeId });
  log(`embedded backend: ${path}`);

  let closed = false;
  return Promise.resolve(
    {
      kind: "embedded",
      users: new SqliteUserStore(db),
      groups: new CachedGroups(new SqliteGroupStore(db)),
      sessions: new SqliteSessionStore(db, config.session.ttlSeconds),
      sessionEndings: null,
      link: null,
      loginLimiter: new SqliteLoginLimiter(db, config.login),
      inbox: new SqliteInbox(db),
      presence,
      receipts: new SqliteReadReceipts(db),
      producer,
      archive,
      search: new SqliteSearch(db),
      broadcasts: new SqliteBroadcastArchive(db),
      recent: new SqliteRecent(db),
      workerStatus: new SqliteWorkerStatus(db),
      files,
      storage,
      health() {
        let state = "ok";
        try {
          if (closed) throw new Error("closed");
          db.prepare("SELECT 1").get();
        } catch (error) {
          state = `down: ${(error as Error).message}`;
        }
        return Promise.resolve({ sqlite: state });
      },
      durability: () => Promise.resolve(EMBEDDED_DURABILITY),
      async close() {
        if (closed) return;
        closed = true;
        await presence.close();
        await producer.close();
        sqlite.close();
      },
    } satisfies Backend,
  );
}
