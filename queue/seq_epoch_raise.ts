/**
 * After messages were written into the archive from outside the queue (`chat upgrade`,
 * `chat migrate`), with seqs 1, 2, 3 … of their own: new messages must be numbered above them.
 * The epoch (see `seq_epochs.ts`) is raised to at least 1 and the Redis marker dropped, so every
 * server starts the next epoch (E × 2^32 + 1) at its next message. Without an epoch row the
 * first epoch is 1 anyway, because the archive now holds messages.
 *
 * @module
 */
import type { MysqlPool } from "../store/mysql_pool.ts";
import type { RedisClient } from "../store/redis_client.ts";

/** Raises the epoch and drops the marker (when a Redis is given). */
export async function raiseSeqEpoch(
  pool: MysqlPool,
  redis: RedisClient | null,
  prefix: string,
): Promise<void> {
  const [tables] = await pool.query(`SHOW TABLES LIKE 'webchat\\_seq\\_epoch'`);
  if ((tables as unknown[]).length > 0) {
    await pool.query(`UPDATE webchat_seq_epoch SET epoch = GREATEST(epoch, 1)`);
  }
  await redis?.del(`${prefix}chat:seq-epoch`);
}
