/**
 * The original's tables other than the messages, each changed by one atomic statement (or left
 * as it was): `webchat_user`, `queue_deamon_status` and the MERGE tables that read across months
 * (the broadcasts have `upgrade_broadcasts.ts`).
 *
 * @module
 */
import { ACCOUNT_ID } from "../store/users.ts";
import type { MysqlPool } from "../store/mysql_pool.ts";
import type { PhpSchema } from "./php_schema.ts";
import { UpgradeRefused } from "./upgrade_refused.ts";

/** What the users step found. */
export interface UsersUpgraded {
  accounts: number;
  /** Accounts with no password at all: the original never checked one. */
  withoutPassword: number;
  /** Accounts this version cannot log in (names outside letters, digits, _ and .). */
  badNames: string[];
}

/**
 * `webchat_user` to InnoDB and utf8mb4, `pwd` wide enough for scrypt, the `disabled` column.
 * The md5 passwords stay as they are: login accepts them once and replaces them.
 */
export async function upgradeUsers(pool: MysqlPool, schema: PhpSchema): Promise<UsersUpgraded> {
  if (schema.users?.state === "php") {
    const [columns] = await pool.query(
      `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'webchat_user'`,
    );
    const has = new Set((columns as { name: string }[]).map((c) => c.name));
    const changes = [
      "ENGINE=InnoDB",
      "CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
      "MODIFY pwd varchar(255) NOT NULL DEFAULT ''",
      ...(has.has("disabled")
        ? []
        : ["ADD COLUMN disabled tinyint NOT NULL DEFAULT 0 COMMENT '1: cannot log in'"]),
    ];
    try {
      await pool.query(`ALTER TABLE webchat_user ${changes.join(", ")}`);
    } catch (error) {
      throw new UpgradeRefused(
        `webchat_user could not be converted (nothing in it changed): ${(error as Error).message}`,
      );
    }
  }
  if (!schema.users) return { accounts: 0, withoutPassword: 0, badNames: [] };
  const [rows] = await pool.query(`SELECT accountid, pwd = '' AS empty FROM webchat_user`);
  const all = rows as { accountid: string; empty: number }[];
  return {
    accounts: all.length,
    withoutPassword: all.filter((r) => Number(r.empty) === 1).length,
    badNames: all.map((r) => r.accountid).filter((id) => !ACCOUNT_ID.test(id)),
  };
}

/**
 * `queue_deamon_status`: `server` wide enough for this version's node names, the columns it
 * added, the unique key its heartbeat upserts on (a repeated row of one job, queue and server
 * keeps its newest), and the original daemon's row marked stopped (its counters stay: they
 * count into "processed total").
 */
export async function upgradeStatus(pool: MysqlPool, schema: PhpSchema): Promise<boolean> {
  if (schema.status?.state !== "php") return false;
  const [columns] = await pool.query(
    `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'queue_deamon_status'`,
  );
  const has = new Set((columns as { name: string }[]).map((c) => c.name));
  await pool.query(
    `DELETE older FROM queue_deamon_status older JOIN queue_deamon_status newer
      ON newer.job_name = older.job_name AND newer.queue_name = older.queue_name
     AND newer.server = older.server AND newer.id > older.id`,
  );
  const [keys] = await pool.query(
    `SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
      AND TABLE_NAME = 'queue_deamon_status' AND INDEX_NAME = 'uq_job_queue_server'`,
  );
  const changes = [
    "MODIFY server VARCHAR(100) NOT NULL COMMENT 'host:port / worker id'",
    "MODIFY msgcnt_all BIGINT NOT NULL DEFAULT 0",
    ...(has.has("progress_tm") ? [] : ["ADD COLUMN progress_tm INT NOT NULL DEFAULT 0"]),
    ...(has.has("state") ? [] : ["ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT 'running'"]),
    ...(Number((keys as { n: number }[])[0]?.n) > 0
      ? []
      : ["ADD UNIQUE KEY uq_job_queue_server (job_name, queue_name, server)"]),
  ];
  await pool.query(`ALTER TABLE queue_deamon_status ${changes.join(", ")}`);
  // The original's daemon is gone; its row reads "stopped", not "not running".
  if (!has.has("state")) await pool.query(`UPDATE queue_deamon_status SET state = 'stopped'`);
  return true;
}

/** Drops the MERGE tables: they only read the monthly tables, which this version reads itself. */
export async function dropMergeTables(pool: MysqlPool, schema: PhpSchema): Promise<string[]> {
  for (const name of schema.merges) await pool.query(`DROP TABLE \`${name}\``);
  return schema.merges;
}
