/**
 * {@link SeqEpochStore} on MySQL: `webchat_seq_epoch`, one row holding the installation's
 * current epoch, advanced atomically by every node that finds Redis without a valid marker.
 *
 * @module
 */
import type { MysqlPool } from "../store/mysql_pool.ts";
import { MonthlyTables } from "./monthly_tables_mysql.ts";
import type { SeqEpochStore } from "./seq_epochs.ts";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS webchat_seq_epoch (
  id TINYINT UNSIGNED NOT NULL COMMENT 'always 1',
  epoch BIGINT UNSIGNED NOT NULL COMMENT 'a chat''s seq in epoch E starts at E * 2^32 + 1',
  updated INT NOT NULL COMMENT 'unix time the epoch started',
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

/** The seq epoch in MySQL. */
export class MysqlSeqEpochs implements SeqEpochStore {
  readonly #pool: MysqlPool;
  #created = false;

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  async next(atLeast: number): Promise<number> {
    if (!Number.isSafeInteger(atLeast) || atLeast < 0) {
      throw new RangeError(`Cannot start a seq epoch: invalid lower bound ${atLeast}`);
    }
    if (!this.#created) {
      await this.#pool.query(CREATE_TABLE);
      this.#created = true;
    }
    const [rows] = await this.#pool.query("SELECT epoch FROM webchat_seq_epoch WHERE id = 1");
    // Only the first epoch of an installation needs this look: an archive holding messages
    // means seq numbers were given out before (by an earlier version, counters in Redis only),
    // so starting again at 1 could repeat them.
    const first = (rows as unknown[]).length === 0
      ? Math.max(atLeast, await this.#archived() ? 1 : 0)
      : atLeast;
    // LAST_INSERT_ID(expr) hands this connection's own result back in the OK packet, so two
    // nodes advancing at once each learn the value they wrote.
    const [result] = await this.#pool.query(
      `INSERT INTO webchat_seq_epoch (id, epoch, updated) VALUES (1, LAST_INSERT_ID(?), ?)
       ON DUPLICATE KEY UPDATE epoch = LAST_INSERT_ID(GREATEST(epoch + 1, ?)),
         updated = VALUES(updated)`,
      [first, Math.floor(Date.now() / 1000), atLeast],
    );
    return Number((result as { insertId: number | string }).insertId);
  }

  /** True when some monthly table holds a message. */
  async #archived(): Promise<boolean> {
    for (const table of await new MonthlyTables(this.#pool).list(true)) {
      const [rows] = await this.#pool.query(`SELECT 1 FROM \`${table.name}\` LIMIT 1`);
      if ((rows as unknown[]).length > 0) return true;
    }
    return false;
  }
}
