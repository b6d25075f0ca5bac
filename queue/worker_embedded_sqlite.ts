/**
 * The archive worker of the embedded backend, built inside the worker thread: its own
 * connection to `<dataDir>/webchat.db`, the SQLite queue (woken through its `BroadcastChannel`,
 * with a once-a-second look of its own in case a wake-up is lost), archive, recent index and
 * status, run by the same {@link ArchiveWorker} loop as production.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/config.ts";
import { openSqliteDb } from "../store/sqlite_db.ts";
import { SqliteArchive } from "./archive_sqlite.ts";
import { SqliteBroadcastArchive } from "./broadcast_archive_sqlite.ts";
import { SqliteQueue } from "./queue_sqlite.ts";
import { SqliteRecent } from "./recent_sqlite.ts";
import { SqliteWorkerStatus } from "./status_sqlite.ts";
import { ArchiveWorker, type ArchiveWorkerOptions } from "./worker_loop.ts";

/** A worker loop and the connection it runs on. */
export interface EmbeddedArchiveWorker {
  worker: ArchiveWorker;
  /** Closes the connection; call after `worker.stop()` (its last heartbeat needs it). */
  close(): Promise<void>;
}

/**
 * Opens the data folder's database and builds the loop (not started). `workerId` marks the
 * queue rows this worker has in flight and names its status row: keep it stable across
 * restarts so `recover()` takes back what a crashed predecessor held.
 */
export function createEmbeddedArchiveWorker(
  config: ResolvedConfig,
  workerId: string,
  options: Omit<ArchiveWorkerOptions, "queue" | "archive" | "broadcasts" | "recent" | "status"> = {
    server: workerId,
  },
): EmbeddedArchiveWorker {
  const sqlite = openSqliteDb(config.dataDir);
  const worker = new ArchiveWorker({
    queue: new SqliteQueue({ db: sqlite.db, path: sqlite.path, workerId }),
    archive: new SqliteArchive(sqlite.db),
    broadcasts: new SqliteBroadcastArchive(sqlite.db),
    recent: new SqliteRecent(sqlite.db),
    status: new SqliteWorkerStatus(sqlite.db),
    batchSize: config.queue.batchSize,
    leaseMs: config.queue.leaseSeconds * 1000,
    ...options,
  });
  return {
    worker,
    close() {
      sqlite.close();
      return Promise.resolve();
    },
  };
}
