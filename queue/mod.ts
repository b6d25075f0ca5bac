/**
 * The message queue and everything behind it: the ports (`MessageProducer`/`MessageConsumer`,
 * `MessageArchive`, `RecentIndex`, `WorkerStatusStore`), their Redis and MySQL implementations,
 * and the archive worker that moves messages from the queue into the monthly tables, in a Web
 * Worker of its own (`startArchiveWorker`).
 *
 * @module
 */
export * from "./message.ts";
export type * from "./queue.ts";
export type * from "./archive.ts";
export * from "./recent_index.ts";
export type * from "./worker_status.ts";
export { RedisQueue, type RedisQueueOptions } from "./queue_redis.ts";
export { MysqlArchive } from "./archive_mysql.ts";
export { RecentRedis, type RecentRedisOptions } from "./recent_redis.ts";
export { MysqlWorkerStatus } from "./status_mysql.ts";
export { CHAT_QUEUE_NAME } from "./status_table.ts";
export { ArchiveWorker, type ArchiveWorkerOptions } from "./worker_loop.ts";
export {
  type ArchiveWorkerHandle,
  startArchiveWorker,
  type StartArchiveWorkerOptions,
} from "./worker_host.ts";
