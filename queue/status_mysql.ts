/**
 * Worker heartbeats in the original's `queue_deamon_status` table (its spelling and columns),
 * one row per job, queue and server, so operators find the counters where they used to.
 *
 * @module
 */
import type { MysqlPool } from "../store/mysql_pool.ts";
import {
  ADDED_COLUMNS,
  beatValues,
  CHAT_QUEUE_NAME,
  checkBeat,
  SELECT_STATUS,
  statusFromRow,
} from "./status_table.ts";
import type { WorkerBeat, WorkerStatus, WorkerStatusStore } from "./worker_status.ts";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS queue_deamon_status (
  id INT NOT NULL AUTO_INCREMENT,
  job_name VARCHAR(50) NOT NULL COMMENT 'queue job name',
  queue_name VARCHAR(50) NOT NULL COMMENT 'queue key',
  tm INT NOT NULL DEFAULT 0 COMMENT 'last heartbeat (unix seconds): is the worker alive',
  server VARCHAR(100) NOT NULL COMMENT 'host:port / worker id',
  func VARCHAR(20) NOT NULL DEFAULT '' COMMENT 'handler',
  filepath VARCHAR(100) NOT NULL DEFAULT '' COMMENT 'worker module',
  msgcnt_date TINYINT NOT NULL DEFAULT 0 COMMENT 'local day of month msgcnt_day counts',
  admin VARCHAR(30) NOT NULL DEFAULT '' COMMENT 'operator mail',
  cnname VARCHAR(50) NOT NULL DEFAULT '' COMMENT 'display name',
  dostop TINYINT NOT NULL DEFAULT 0 COMMENT '1: stop at the next heartbeat',
  msgcnt_all BIGINT NOT NULL DEFAULT 0 COMMENT 'messages processed in all',
  msgcnt_day INT NOT NULL DEFAULT 0 COMMENT 'messages processed today',
  progress_tm INT NOT NULL DEFAULT 0 COMMENT 'last archived batch (unix seconds)',
  state VARCHAR(16) NOT NULL DEFAULT 'running' COMMENT 'running, or stopped after a clean stop',
  PRIMARY KEY (id),
  UNIQUE KEY uq_job_queue_server (job_name, queue_name, server)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

// Assignments run left to right, so msgcnt_day is computed from the old msgcnt_date and tm.
// A different day of month, or a beat more than a day after the last, starts a new day.
const UPSERT = `INSERT INTO queue_deamon_status
    (job_name, queue_name, server, tm, func, filepath, cnname, msgcnt_date, msgcnt_all, msgcnt_day,
     progress_tm, state)
  VALUES (?, ?, ?, ?, 'archiveWorker', 'queue/worker.ts', 'webChat聊天队列', ?, ?, ?, ?, ?)
  ON DUPLICATE KEY UPDATE
    msgcnt_day = IF(msgcnt_date = VALUES(msgcnt_date) AND VALUES(tm) - tm < 86400,
                    msgcnt_day + VALUES(msgcnt_day), VALUES(msgcnt_day)),
    msgcnt_date = VALUES(msgcnt_date),
    msgcnt_all = msgcnt_all + VALUES(msgcnt_all),
    tm = VALUES(tm),
    dostop = 0,
    progress_tm = GREATEST(progress_tm, VALUES(progress_tm)),
    state = VALUES(state)`;

type StatusRow = Record<string, unknown>;

/**
 * {@link WorkerStatusStore} on MySQL. A stop request (`dostop = 1`, set by an operator) is
 * reported by the next `beat` and cleared by it, as the original did: the worker stops once,
 * and a restarted server runs its worker again.
 */
export class MysqlWorkerStatus implements WorkerStatusStore {
  readonly #pool: MysqlPool;
  readonly #name: string;
  #created = false;

  /** `name` is both the job and the queue name (default `chat:msg-list`). */
  constructor(pool: MysqlPool, name = CHAT_QUEUE_NAME) {
    this.#pool = pool;
    this.#name = name;
  }

  /** Upserts the row: heartbeat time, counters (today's reset on a new local day), stop flag. */
  async beat(server: string, beat: WorkerBeat, now = new Date()): Promise<WorkerStatus> {
    checkBeat(beat);
    await this.#ensureTable();
    const key = [this.#name, this.#name, server];
    const conn = await this.#pool.getConnection();
    let broken = false;
    try {
      // Read the flag and clear it in one transaction, so a request set meanwhile is not lost.
      await conn.beginTransaction();
      const [before] = await conn.query(
        `SELECT dostop FROM queue_deamon_status
          WHERE job_name = ? AND queue_name = ? AND server = ? FOR UPDATE`,
        key,
      );
      const stop = Number((before as { dostop: number }[])[0]?.dostop ?? 0) !== 0;
      await conn.query(UPSERT, [...key, ...beatValues(beat, now)]);
      const [after] = await conn.query(
        `${SELECT_STATUS} WHERE job_name = ? AND queue_name = ? AND server = ?`,
        key,
      );
      await conn.commit();
      return { ...statusFromRow((after as StatusRow[])[0]), stopRequested: stop };
    } catch (error) {
      await conn.rollback().catch(() => broken = true);
      throw error;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  /** Every row of this job, most recent heartbeat first. */
  async list(): Promise<WorkerStatus[]> {
    await this.#ensureTable();
    const [rows] = await this.#pool.query(
      `${SELECT_STATUS} WHERE job_name = ? AND queue_name = ? ORDER BY tm DESC, server`,
      [this.#name, this.#name],
    );
    return (rows as StatusRow[]).map(statusFromRow);
  }

  /** Creates the table, or adds this project's columns to the original's. */
  async #ensureTable(): Promise<void> {
    if (this.#created) return;
    await this.#pool.query(CREATE_TABLE);
    const [rows] = await this.#pool.query(
      `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'queue_deamon_status'`,
    );
    const present = new Set((rows as { name: string }[]).map((row) => row.name));
    for (const [column, definition] of Object.entries(ADDED_COLUMNS)) {
      if (present.has(column)) continue;
      // Names and definitions are constants of this module, never input.
      await this.#pool.query(
        `ALTER TABLE queue_deamon_status ADD COLUMN ${column} ${definition}`,
      );
    }
    this.#created = true;
  }
}
