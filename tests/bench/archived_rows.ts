/**
 * Counting rows in the monthly archive tables (`webchat_messageYYYYMM`), to time durable
 * throughput.
 *
 * @module
 */
import { aborted, sleep } from "./bounded_waits.ts";
import type { MysqlPool } from "../../store/mysql_pool.ts";

/** Rows in every monthly archive table. */
export async function archivedRows(pool: MysqlPool): Promise<number> {
  const [tables] = await pool.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME REGEXP '^webchat_message[0-9]{6}$'`,
  ) as unknown as [{ name: string }[]];
  let rows = 0;
  for (const { name } of tables) {
    const [[count]] = await pool.query(`SELECT COUNT(*) AS n FROM \`${name}\``) as unknown as [
      { n: number }[],
    ];
    rows += Number(count.n);
  }
  return rows;
}

/** Polls every 100 ms until `rows` are archived; the time it was seen, or null at `deadline`. */
export async function waitArchived(
  pool: MysqlPool,
  rows: number,
  deadline: number,
): Promise<number | null> {
  while (performance.now() < deadline && !aborted.signal.aborted) {
    if (await archivedRows(pool) >= rows) return performance.now();
    await sleep(100);
  }
  if (aborted.signal.aborted) throw aborted.signal.reason;
  return null;
}
