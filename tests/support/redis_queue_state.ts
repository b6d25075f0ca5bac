/**
 * What the Redis queue of one prefix holds, read straight from Redis (for fault tests that do
 * not trust the server under test to say it).
 *
 * @module
 */
import type { RedisClient } from "../../store/redis_client.ts";

/** Messages waiting, and in flight with any worker. */
export async function redisQueueSizes(
  redis: RedisClient,
  prefix: string,
): Promise<{ pending: number; inFlight: number }> {
  const queueKey = `${prefix}chat:msg-list`;
  let inFlight = 0;
  for await (const keys of redis.scanIterator({ MATCH: `${queueKey}:inflight:*` })) {
    for (const key of keys) inFlight += await redis.lLen(key);
  }
  return { pending: await redis.lLen(queueKey), inFlight };
}
