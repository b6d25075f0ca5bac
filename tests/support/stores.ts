/**
 * Real Redis and MariaDB for tests, isolated per test: a unique Redis key prefix and a fresh
 * database, both removed by `cleanup()`. The servers come from `CHAT_TEST_REDIS` /
 * `CHAT_TEST_MYSQL` (defaults: the local ones on 127.0.0.1).
 *
 * @module
 */
import { closeRedis, connectRedis, type RedisClient } from "../../store/redis_client.ts";
import { type MysqlPool, openMysql } from "../../store/mysql_pool.ts";

/** Redis server used by tests (no database number: the prefix isolates). */
export const TEST_REDIS_URL = Deno.env.get("CHAT_TEST_REDIS") ?? "redis://127.0.0.1:6379/0";
/** MySQL server used by tests, without a database. */
export const TEST_MYSQL_SERVER = Deno.env.get("CHAT_TEST_MYSQL") ?? "mysql://root@127.0.0.1:3306";

/** Isolated stores for one test. */
export interface TestStores {
  redis: RedisClient;
  pool: MysqlPool;
  /** Unique Redis key prefix, ends with ":". */
  prefix: string;
  /** URL of the fresh database. */
  mysqlUrl: string;
  /** Name of the fresh database. */
  database: string;
  /** Deletes the prefix's keys and drops the database, then closes both connections. */
  cleanup(): Promise<void>;
}

/** A short random tag for names. */
export function uniqueTag(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** Opens isolated stores; always `await stores.cleanup()` in a `finally`. */
export async function openTestStores(): Promise<TestStores> {
  const tag = uniqueTag();
  const prefix = `t${tag}:`;
  const database = `webchat_t${tag}`;
  const mysqlUrl = `${TEST_MYSQL_SERVER}/${database}`;
  const redis = await connectRedis(TEST_REDIS_URL);
  const pool = await openMysql(mysqlUrl);
  return {
    redis,
    pool,
    prefix,
    mysqlUrl,
    database,
    async cleanup() {
      try {
        await deleteKeys(redis, prefix);
        await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await pool.end();
        await closeRedis(redis);
      }
    },
  };
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: RedisClient, prefix: string): Promise<void> {
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await redis.del(keys);
  }
}
