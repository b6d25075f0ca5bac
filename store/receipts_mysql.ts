/**
 * Read receipts on MySQL/MariaDB (the tables of `receipts.ts`). Call
 * {@link MysqlReadReceipts.ensureSchema} once before use.
 *
 * @module
 */
import type { MysqlPool } from "./mysql_pool.ts";
import type { ReadReceipts } from "./receipts.ts";

const ID = "CHARACTER SET ascii COLLATE ascii_bin NOT NULL";
const TABLES = [
  `CREATE TABLE IF NOT EXISTS webchat_read_receipt (
    chatid VARCHAR(100) ${ID},
    accountid VARCHAR(40) ${ID},
    seq BIGINT UNSIGNED NOT NULL COMMENT 'the highest seq the account has read',
    time INT NOT NULL COMMENT 'unix seconds of that read',
    PRIMARY KEY (chatid, accountid)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  `CREATE TABLE IF NOT EXISTS webchat_receipt_setting (
    accountid VARCHAR(40) ${ID},
    sending TINYINT NOT NULL COMMENT '0: the account sends no read receipts',
    time INT NOT NULL,
    PRIMARY KEY (accountid)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
];

/** {@link ReadReceipts} over a mysql2 pool. */
export class MysqlReadReceipts implements ReadReceipts {
  readonly #pool: MysqlPool;

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  /** Creates the tables when missing. */
  async ensureSchema(): Promise<void> {
    for (const sql of TABLES) await this.#pool.query(sql);
  }

  /**
   * A conditional UPDATE (matching only when the seq rises; mysql2 counts matched rows, so an
   * upsert could not tell "raised" from "as high already"), and an INSERT for the first read:
   * one query for a read that raises the mark, three for one that does not.
   */
  async mark(chatid: string, accountid: string, seq: number, time: number): Promise<boolean> {
    const raise = async () => {
      const [result] = await this.#pool.query(
        `UPDATE webchat_read_receipt SET seq = ?, time = ?
          WHERE chatid = ? AND accountid = ? AND seq < ?`,
        [seq, time, chatid, accountid, seq],
      );
      return Number((result as { affectedRows?: number }).affectedRows ?? 0) > 0;
    };
    if (await raise()) return true;
    // The first read of this chat (or one as high as the mark already): IGNORE only skips the
    // existing key here, the values being checked ids and a safe integer. A row written by
    // another read meanwhile is raised by the second UPDATE.
    const [inserted] = await this.#pool.query(
      `INSERT IGNORE INTO webchat_read_receipt (chatid, accountid, seq, time)
       VALUES (?, ?, ?, ?)`,
      [chatid, accountid, seq, time],
    );
    if (Number((inserted as { affectedRows?: number }).affectedRows ?? 0) > 0) return true;
    return await raise();
  }

  async of(chatid: string): Promise<Record<string, number>> {
    const [rows] = await this.#pool.query(
      `SELECT r.accountid, r.seq FROM webchat_read_receipt r
         LEFT JOIN webchat_receipt_setting s ON s.accountid = r.accountid
       WHERE r.chatid = ? AND COALESCE(s.sending, 1) = 1`,
      [chatid],
    );
    return Object.fromEntries(
      (rows as { accountid: string; seq: number }[]).map((row) => [row.accountid, Number(row.seq)]),
    );
  }

  async sending(accountid: string): Promise<boolean> {
    const [rows] = await this.#pool.query(
      "SELECT sending FROM webchat_receipt_setting WHERE accountid = ?",
      [accountid],
    );
    const row = (rows as { sending: number }[])[0];
    return row === undefined || Number(row.sending) === 1;
  }

  async setSending(accountid: string, on: boolean, time: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO webchat_receipt_setting (accountid, sending, time) VALUES (?, ?, ?)
       ON DUPLICATE KEY UPDATE sending = VALUES(sending), time = VALUES(time)`,
      [accountid, on ? 1 : 0, time],
    );
  }
}
