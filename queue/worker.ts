/**
 * The archive worker's Web Worker entry: runs the queue loop on its own connections, so the
 * blocking pop and the archive inserts never touch the main thread's event loop.
 *
 * Messages in: `{type: "start", config, workerId, nodeName}`, `{type: "stop"}`.
 * Messages out: `{type: "ready"}`, `{type: "error", message}`, `{type: "log", line}`,
 * `{type: "progress", processed}` (after each archived batch), `{type: "stopped", byOperator}`
 * (after a `stop`, or by itself when an operator set `dostop` in `queue_deamon_status`).
 *
 * @module
 */
import type { ResolvedConfig } from "../config/config.ts";
import type { Log, LogLevel } from "../ops/log.ts";
import { type MysqlPool, openMysql } from "../store/mysql_pool.ts";
import { closeRedis, connectRedis, type RedisClient } from "../store/redis_client.ts";
import { MysqlArchive } from "./archive_mysql.ts";
import { MysqlBroadcastArchive } from "./broadcast_archive_mysql.ts";
import { RedisQueue } from "./queue_redis.ts";
import { RecentRedis } from "./recent_redis.ts";
import { MysqlWorkerStatus } from "./status_mysql.ts";
import { createEmbeddedArchiveWorker } from "./worker_embedded_sqlite.ts";
import { ArchiveWorker, type BatchReport } from "./worker_loop.ts";

/** What the host sends. */
export type WorkerCommand =
  | { type: "start"; config: ResolvedConfig; workerId: string; nodeName: string }
  | { type: "stop" };

/** What the worker answers. */
export type WorkerReport =
  | { type: "ready" }
  | { type: "error"; message: string }
  | { type: "log"; line: string; level?: LogLevel }
  | { type: "progress"; processed: number; batch: BatchReport }
  | { type: "stopped"; byOperator: boolean };

// The worker scope's own typing (deno.worker) is not the default lib; this is all we use of it.
const scope = self as unknown as {
  postMessage(report: WorkerReport): void;
  onmessage: ((event: MessageEvent<WorkerCommand>) => void) | null;
};

let running: { worker: ArchiveWorker; close(): Promise<void> } | undefined;
let closing: Promise<void> | undefined;
/** Set when the stop came from the host rather than from the status row's `dostop`. */
let commanded = false;

scope.onmessage = (event) => {
  const command = event.data;
  if (command.type === "start") {
    start(command.config, command.workerId, command.nodeName).then(
      () => scope.postMessage({ type: "ready" }),
      (error) => scope.postMessage({ type: "error", message: String(error?.message ?? error) }),
    );
  } else if (command.type === "stop") {
    commanded = true;
    void shutdown();
  }
};

async function start(config: ResolvedConfig, workerId: string, nodeName: string): Promise<void> {
  if (running) throw new TypeError("Cannot start archive worker: already started");
  // Lines go to the host, which writes them where the server logs (the file under start -d).
  const log: Log = (line, level) => scope.postMessage({ type: "log", line, level });
  const loopOptions = {
    server: nodeName,
    leaseMs: config.queue.leaseSeconds * 1000,
    log,
    onProgress: (processed: number, batch: BatchReport) =>
      scope.postMessage({ type: "progress", processed, batch }),
    // Stopped by the status row's flag (or by shutdown): report it and let go of the stores.
    onStopped: () => void shutdown(),
  };
  if (config.redisUrl === null || config.mysqlUrl === null) {
    // The embedded backend (the config loader allows both or neither): the same loop on SQLite.
    const embedded = createEmbeddedArchiveWorker(config, workerId, loopOptions);
    running = embedded;
    try {
      await embedded.worker.start();
    } catch (error) {
      running = undefined;
      await embedded.close();
      throw error;
    }
    return;
  }
  const opened: { redis?: RedisClient; blocking?: RedisClient; pool?: MysqlPool } = {};
  const closeAll = async () => {
    for (const client of [opened.blocking, opened.redis]) if (client) await closeRedis(client);
    await opened.pool?.end();
  };
  try {
    const onError = (error: Error) => log(`archive worker: redis: ${error.message}`, "warn");
    opened.redis = await connectRedis(config.redisUrl, { name: `archive:${workerId}`, onError });
    // Its own connection for the blocking pop: a blocked connection can do nothing else.
    opened.blocking = await connectRedis(config.redisUrl, {
      name: `archive-wait:${workerId}`,
      onError,
    });
    // MySQL may be down: the loop retries its inserts and heartbeats until it is back, so the
    // worker starts (and keeps its lease) as long as Redis answers.
    opened.pool = await openMysql(config.mysqlUrl, { connectionLimit: 2, requireServer: false });
    const prefix = config.redisPrefix;
    const worker = new ArchiveWorker({
      queue: new RedisQueue({ redis: opened.redis, blocking: opened.blocking, prefix, workerId }),
      archive: new MysqlArchive(opened.pool),
      broadcasts: new MysqlBroadcastArchive(opened.pool),
      recent: new RecentRedis({ redis: opened.redis, prefix }),
      status: new MysqlWorkerStatus(opened.pool),
      batchSize: config.queue.batchSize,
      ...loopOptions,
    });
    running = { worker, close: closeAll };
    await worker.start();
  } catch (error) {
    running = undefined;
    await closeAll();
    throw error;
  }
}

function shutdown(): Promise<void> {
  return closing ??= (async () => {
    try {
      if (running) {
        await running.worker.stop();
        await running.close();
      }
    } catch (error) {
      console.error(`[archive worker] shutdown: ${(error as Error)?.message ?? error}`);
    } finally {
      scope.postMessage({ type: "stopped", byOperator: !commanded });
    }
  })();
}
