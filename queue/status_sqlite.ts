/**
 * Worker heartbeats in the embedded database's `queue_deamon_status` (the original's table name
 * and columns, as in MySQL), one row per job, queue and server.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "../store/sqlite_db.ts";
import {
  beatValues,
  CHAT_QUEUE_NAME,
  checkBeat,
  SELECT_STATUS,
  statusFromRow,
} from "./status_table.ts";
import type { WorkerBeat, WorkerStatus, WorkerStatusStore } from "./worker_status.ts";

// In an upsert's SET, SQLite reads every unqualified column as its old value, so msgcnt_day is
// computed from the old msgcnt_date and tm. A different day of month, or a beat more than a day
// after the last, starts a new day.
const UPSERT = `INSERT INTO queue_deamon_status
    (job_name, queue_name, server, tm, func, filepath, cnname, msgcnt_date, msgcnt_all, msgcnt_day,
     progress_tm, state)
  VALUES (?, ?, ?, ?, 'archiveWorker', 'queue/worker.ts', 'webChat聊天队列', ?, ?, ?, ?, ?)
  ON CONFLICT (job_name, queue_name, server) DO UPDATE SET
    msgcnt_day = CASE WHEN msgcnt_date = excluded.msgcnt_date AND excluded.tm - tm < 86400
                      THEN msgcnt_day + excluded.msgcnt_day ELSE excluded.msgcnt_day END,
    msgcnt_date = excluded.msgcnt_date,
    msgcnt_all = msgcnt_all + excluded.msgcnt_all,
    tm = excluded.tm,
    dostop = 0,
    progress_tm = MAX(progress_tm, excluded.progress_tm),
    state = excluded.state`;

/**
 * {@link WorkerStatusStore} on SQLite. A stop request (`dostop = 1`, set by an operator) is
 * reported by the next `beat` and cleared by it, as in MySQL and the original.
 */
export class SqliteWorkerStatus implements WorkerStatusStore {
  readonly #db: DatabaseSync;
  readonly #name: string;

  /** `name` is both the job and the queue name (default `chat:msg-list`). */
  constructor(db: DatabaseSync, name = CHAT_QUEUE_NAME) {
    this.#db = db;
    this.#name = name;
  }

  /** Upserts the row: heartbeat time, counters (today's reset on a new local day), stop flag. */
  beat(server: string, beat: WorkerBeat, now = new Date()): Promise<WorkerStatus> {
    try {
      checkBeat(beat);
    } catch (error) {
      return Promise.reject(error);
    }
    const key = [this.#name, this.#name, server];
    // Read the flag and clear it in one transaction, so a request set meanwhile is not lost.
    return settle(() =>
      immediate(this.#db, () => {
        const before = this.#db.prepare(
          `SELECT dostop FROM queue_deamon_status
            WHERE job_name = ? AND queue_name = ? AND server = ?`,
        ).get(...key);
        const stop = Number(before?.dostop ?? 0) !== 0;
        this.#db.prepare(UPSERT).run(...key, ...beatValues(beat, now));
        const after = this.#db.prepare(
          `${SELECT_STATUS} WHERE job_name = ? AND queue_name = ? AND server = ?`,
        ).get(...key);
        return { ...statusFromRow(after!), stopRequested: stop };
      })
    );
  }

  /** Every row of this job, most recent heartbeat first. */
  list(): Promise<WorkerStatus[]> {
    return settle(() =>
      this.#db.prepare(
        `${SELECT_STATUS} WHERE job_name = ? AND queue_name = ? ORDER BY tm DESC, server`,
      )
        .all(this.#name, this.#name).map(statusFromRow)
    );
  }
}
