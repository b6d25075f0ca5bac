/**
 * What an acknowledgement is worth: how the store that holds queued messages keeps them, said
 * in plain words for `/healthz`, `/api/queue/status`, `chat status` and the log.
 *
 * @module
 */

/** How durable an `ack` is with the store's current settings. */
export interface Durability {
  /** Where acknowledged messages wait for the archive: "redis" or "sqlite". */
  store: "redis" | "sqlite";
  /**
   * How that store keeps them: for Redis "aof-always", "aof-everysec", "aof-no", "rdb",
   * "none" or "unknown" (its settings could not be read); "sqlite-wal" for the embedded file.
   */
  persistence: string;
  /** What an acknowledged message survives, as one sentence. */
  ackSurvives: string;
  /** What an operator should fix, one sentence each; empty with the recommended settings. */
  warnings: string[];
  /** The raw settings read (Redis: appendonly, appendfsync, save, maxmemory-policy, maxmemory). */
  settings?: Record<string, string>;
}

/**
 * The embedded backend's queue is a table in the same SQLite file as the archive, committed in
 * WAL mode with `synchronous = NORMAL` (see `sqlite_db.ts`).
 */
export const EMBEDDED_DURABILITY: Durability = {
  store: "sqlite",
  persistence: "sqlite-wal",
  ackSurvives: "a crash or restart of the server; a power loss or OS crash may lose the " +
    "last commits (synchronous = NORMAL)",
  warnings: [],
};
