/**
 * What the MySQL and SQLite worker status stores share about the original's
 * `queue_deamon_status` table: the default job name, the columns read and their mapping.
 *
 * @module
 */
import type { WorkerStatus } from "./worker_status.ts";

/** Job and queue name of the chat archive worker (the original's). */
export const CHAT_QUEUE_NAME = "chat:msg-list";

/** The columns of a status row, without a `WHERE`. */
export const SELECT_STATUS =
  `SELECT job_name, queue_name, server, tm, msgcnt_all, msgcnt_day, dostop
  FROM queue_deamon_status`;

/** A row read with {@link SELECT_STATUS} (drivers may answer BIGINT as text). */
export function statusFromRow(row: Record<string, unknown>): WorkerStatus {
  return {
    jobName: String(row.job_name),
    queueName: String(row.queue_name),
    server: String(row.server),
    lastBeat: Number(row.tm),
    processedTotal: Number(row.msgcnt_all),
    processedToday: Number(row.msgcnt_day),
    stopRequested: Number(row.dostop) !== 0,
  };
}
