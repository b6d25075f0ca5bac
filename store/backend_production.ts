/**
 * The production backend: Redis for hot state and the queue, MySQL for everything that cannot
 * be rebuilt. A configured store that cannot be reached is an error, never a fallback.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { MysqlArchive } from "../queue/archive_mysql.ts";
import { RedisQueue } from "../queue/queue_redis.ts";
import { MysqlSeqEpochs } from "../queue/seq_epochs_mysql.ts";
import { RecentRedis } from "../queue/recent_redis.ts";
import { MysqlWorkerStatus } from "../queue/status_mysql.ts";
import type { Backend } from "./backend.ts";
import { RedisInbox } from "./inbox_redis.ts";
import { openMysql } from "./mysql_pool.ts";
import { RedisPresence } from "./presence_redis.ts";
import { closeRedis, connectRedis, redactUrl } from "./redis_client.ts";
import { RedisPersistenceWatch } from "./redis_persistence_watch.ts";
import { RedisLoginLimiter, RedisSessionStore } from "./sessions_redis.ts";
import { MysqlUserStore } from "./users_mysql.ts";

/** Opens Redis and MySQL, creates missing tables, and wires every port. */
export async function openProductionBackend(
  config: ResolvedConfig,
  nodeId: string,
  log: (line: string) => void,
): Promise<Backend> {
  const redisUrl = config.redisUrl!, mysqlUrl = config.mysqlUrl!;
  const redis = await connectRedis(redisUrl, {
    name: `webchat-${nodeId}`.replace(/[^\w.:-]/g, "_"),
    onError: (error) => log(`redis (${redactUrl(redisUrl)}): ${error.message}`),
  }).catch((error) => {
    throw new Error(`Cannot start: Redis at ${redactUrl(redisUrl)}: ${error.message}`);
  });
  let pool;
  try {
    pool = await openMysql(mysqlUrl, { connectionLimit: 8 });
  } catch (error) {
    await closeRedis(redis);
    throw new Error(`Cannot start: MySQL at ${redactUrl(mysqlUrl)}: ${(error as Error).message}`);
  }
  const prefix = config.redisPrefix;
  const users = new MysqlUserStore(pool);
  const archive = new MysqlArchive(pool, log);
  const workerStatus = new MysqlWorkerStatus(pool);
  await users.ensureSchema();
  // What an ack is worth is said at start, loudly when nothing, and re-checked every minute.
  const persistence = new RedisPersistenceWatch(redis, log);
  await persistence.start();
  const presence = new RedisPresence(redis, prefix, nodeId);
  presence.start();

  let closed = false;
  return {
    kind: "production",
    users,
    sessions: new RedisSessionStore(redis, prefix, config.session.ttlSeconds),
    loginLimiter: new RedisLoginLimiter(
      redis,
      prefix,
      config.login.maxFailures,
      config.login.windowSeconds,
    ),
    inbox: new RedisInbox(redis, prefix),
    presence,
    producer: new RedisQueue({
      redis,
      prefix,
      workerId: nodeId,
      epochs: new MysqlSeqEpochs(pool),
      log,
    }),
    archive,
    recent: new RecentRedis({ redis, prefix }),
    workerStatus,
    async health() {
      const [redisState, mysqlState] = await Promise.all([
        probe(async () => {
          if (!redis.isReady) throw new Error("not connected");
          await redis.ping();
        }),
        probe(async () => {
          await pool.query("SELECT 1");
        }),
      ]);
      return { redis: redisState, mysql: mysqlState };
    },
    durability: () => persistence.current(),
    async close() {
      if (closed) return;
      closed = true;
      persistence.close();
      await presence.close();
      await Promise.allSettled([closeRedis(redis), pool.end()]);
    },
  };
}

async function probe(check: () => Promise<void>, timeoutMs = 2000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        timer = setTimeout(() => reject(new Error("timed out")), timeoutMs)
      ),
    ]);
    return "ok";
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
