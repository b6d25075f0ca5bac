/**
 * What the MySQL and SQLite worker status stores share about the original's
 * `queue_deamon_status` table: the default job name, the columns read and their mapping.
 *
 * @module
 */
import type { WorkerBeat, WorkerStatus } from "./worker_status.ts";

/** Job and queue name of the chat archive worker (the original's). */
export const CHAT_QUEUE_NAME = "chat:msg-list";

/** The columns of a status row, without a `WHERE`. */
export const SELECT_STATUS =
  `SELECT job_name, queue_name, server, tm, msgcnt_all, msgcnt_day, dostop, progress_tm, state
  FROM queue_deamon_status`;

/** Columns this project added to the original's table (added to an old table when missing). */
export const ADDED_COLUMNS = {
  progress_tm: "INT NOT NULL DEFAULT 0",
  state: "VARCHAR(16) NOT NULL DEFAULT 'running'",
} as const;

/** Throws unless `beat` is a heartbeat the table can hold. */
export function checkBeat(beat: WorkerBeat): void {
  if (!Number.isSafeInteger(beat.processed) || beat.processed < 0) {
    throw new RangeError(`Cannot record heartbeat: invalid count ${beat.processed}`);
  }
  if (!Number.isSafeInteger(beat.lastProgress) || beat.lastProgress < 0) {
    throw new RangeError(`Cannot record heartbeat: invalid progress time ${beat.lastProgress}`);
  }
  if (beat.state !== "running" && beat.state !== "stopped") {
    throw new RangeError(`Cannot record heartbeat: invalid state ${beat.state}`);
  }
}

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
    lastProgress: Number(row.progress_tm ?? 0),
    state: row.state === "stopped" ? "stopped" : "running",
  };
}

/** The upsert's values after `job_name, queue_name, server`, in its column order. */
export function beatValues(beat: WorkerBeat, now: Date): (number | string)[] {
  const tm = Math.floor(now.getTime() / 1000);
  return [tm, now.getDate(), beat.processed, beat.processed, beat.lastProgress, beat.state];
}
