/**
 * The production backend: Redis for hot state and the queue, MySQL for everything that cannot
 * be rebuilt. A configured store that cannot be reached is an error, never a fallback.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import { MysqlArchive } from "../queue/archive_mysql.ts";
import { MysqlSearch } from "../queue/search_mysql.ts";
import { MysqlReadReceipts } from "./receipts_mysql.ts";
import { MysqlBroadcastArchive } from "../queue/broadcast_archive_mysql.ts";
import { RedisQueue } from "../queue/queue_redis.ts";
import { MysqlSeqEpochs } from "../queue/seq_epochs_mysql.ts";
import { RecentRedis } from "../queue/recent_redis.ts";
import { MysqlWorkerStatus } from "../queue/status_mysql.ts";
import { fileStorageFolder } from "../files/file_storage_folder.ts";
import { LocalFileStorage } from "../files/file_storage_local.ts";
import { MysqlFileTable } from "../files/file_table_mysql.ts";
import type { Backend } from "./backend.ts";
import { RedisGroupCache } from "./group_cache_redis.ts";
import { CachedGroups } from "./groups_cached.ts";
import { MysqlGroupStore } from "./groups_mysql.ts";
import { RedisInbox } from "./inbox_redis.ts";
import { ensureDatabase, type MysqlPool, openMysql } from "./mysql_pool.ts";
import { RedisUserCache } from "./user_cache_redis.ts";
import { RedisPresence } from "./presence_redis.ts";
import { closeRedis, connectRedis, redactUrl } from "./redis_client.ts";
import { RedisSessionEndings } from "./sessions_endings_redis.ts";
import { RedisPersistenceWatch } from "./redis_persistence_watch.ts";
import { RedisLoginLimiter, RedisSessionStore } from "./sessions_redis.ts";
import { MysqlUserStore } from "./users_mysql.ts";

/** Options of {@link openProductionBackend}. */
export interface ProductionOptions {
  /**
   * Start even when MySQL cannot be reached (a running server: existing sessions keep
   * chatting through Redis, the worker retries, `/healthz` says what is down); the schema is
   * created in the background once MySQL answers. Commands that need MySQL leave it off.
   */
  degraded?: boolean;
  /**
   * Serve as a node of the installation: take the node's lease (rejecting when a live node
   * holds the same id) and keep it, so presence and deliveries reach this process. Commands that
   * only read or administer leave it off.
   */
  node?: boolean;
}

/** Opens Redis and MySQL, creates missing tables, and wires every port. */
export async function openProductionBackend(
  config: ResolvedConfig,
  nodeId: string,
  log: Log,
  options: ProductionOptions = {},
): Promise<Backend> {
  const redisUrl = config.redisUrl!, mysqlUrl = config.mysqlUrl!;
  const redis = await connectRedis(redisUrl, {
    name: `webchat-${nodeId}`.replace(/[^\w.:-]/g, "_"),
    onError: (error) => log(`redis (${redactUrl(redisUrl)}): ${error.message}`, "warn"),
  }).catch((error) => {
    throw new Error(`Cannot start: Redis at ${redactUrl(redisUrl)}: ${error.message}`);
  });
  const prefix = config.redisPrefix;
  let pool: MysqlPool;
  let unreachable: Error | null = null;
  try {
    pool = await openMysql(mysqlUrl, { connectionLimit: 8 });
  } catch (error) {
    if (!options.degraded || !isUnreachable(error)) {
      await closeRedis(redis);
      throw new Error(
        `Cannot start: MySQL at ${redactUrl(mysqlUrl)}: ${(error as Error).message}`,
      );
    }
    unreachable = error as Error;
    pool = await openMysql(mysqlUrl, { connectionLimit: 8, requireServer: false });
  }
  // History reads may go to a replica; it need not answer at start (reads wait for it).
  const reads = config.mysqlReadUrl
    ? await openMysql(config.mysqlReadUrl, {
      connectionLimit: 8,
      requireServer: false,
      createDatabase: false,
    })
    : null;
  const users = new MysqlUserStore(pool, new RedisUserCache(redis, prefix));
  const archive = new MysqlArchive(pool, log, reads ?? undefined);
  const groupSource = new MysqlGroupStore(pool);
  const broadcasts = new MysqlBroadcastArchive(pool);
  const workerStatus = new MysqlWorkerStatus(pool);
  const files = new MysqlFileTable(pool);
  const receipts = new MysqlReadReceipts(pool);
  const ensureSchema = async () => {
    await users.ensureSchema();
    await groupSource.ensureSchema();
    await broadcasts.ensureSchema();
    await files.ensureSchema();
    await receipts.ensureSchema();
  };
  let storage: LocalFileStorage;
  try {
    storage = new LocalFileStorage(fileStorageFolder(config));
  } catch (error) {
    await Promise.allSettled([closeRedis(redis), pool.end(), reads?.end()]);
    throw new Error(`Cannot start: file storage: ${(error as Error).message}`);
  }
  const schema = new AbortController();
  if (unreachable) {
    log(
      `MySQL at ${redactUrl(mysqlUrl)} is unreachable (${unreachable.message}): serving ` +
        "degraded (chat goes on through Redis; logins, history and archiving wait for MySQL)",
      "warn",
    );
    void retryUntilReady(async () => {
      await ensureDatabase(mysqlUrl);
      await ensureSchema();
      log(`MySQL at ${redactUrl(mysqlUrl)} is reachable again; schema checked`);
    }, schema.signal);
  } else {
    await ensureSchema();
  }
  // What an ack is worth is said at start, loudly when nothing, and re-checked every minute.
  const persistence = new RedisPersistenceWatch(redis, log);
  await persistence.start();
  const presence = new RedisPresence({
    redis,
    prefix,
    nodeId,
    leaseSeconds: config.node.leaseSeconds,
    log,
  });
  if (options.node) {
    try {
      await presence.claim();
    } catch (error) {
      schema.abort();
      persistence.close();
      await Promise.allSettled([closeRedis(redis), pool.end(), reads?.end()]);
      throw new Error(`Cannot start: ${(error as Error).message}`);
    }
    presence.start();
  }
  const sessionEndings = new RedisSessionEndings(redis, prefix, log);

  let closed = false;
  return {
    kind: "production",
    users,
    groups: new CachedGroups(groupSource, new RedisGroupCache(redis, prefix)),
    sessions: new RedisSessionStore(redis, prefix, config.session.ttlSeconds),
    sessionEndings,
    loginLimiter: new RedisLoginLimiter(redis, prefix, config.login),
    inbox: new RedisInbox(redis, prefix),
    presence,
    link: options.node ? presence : null,
    receipts,
    producer: new RedisQueue({
      redis,
      prefix,
      workerId: nodeId,
      epochs: new MysqlSeqEpochs(pool),
      log,
    }),
    archive,
    search: new MysqlSearch(pool),
    broadcasts,
    recent: new RecentRedis({ redis, prefix }),
    workerStatus,
    files,
    storage,
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
      // A replica that is down (history pages fail) is no reason to take the node out.
      return { redis: redisState, mysql: mysqlState };
    },
    durability: () => persistence.current(),
    async close() {
      if (closed) return;
      closed = true;
      schema.abort();
      persistence.close();
      await presence.close();
      await sessionEndings.close();
      await Promise.allSettled([closeRedis(redis), pool.end(), reads?.end()]);
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

/** Connection failures (MySQL down or unreachable), as opposed to a wrong password or URL. */
function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? "";
  return ["ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE"]
    .includes(code) ||
    code === "PROTOCOL_CONNECTION_LOST" ||
    /ETIMEDOUT|ECONNREFUSED|connect/i.test(String((error as Error)?.message ?? ""));
}

/** Runs `step` until it succeeds, waiting 1 s doubling to 15 s between tries, or until aborted. */
async function retryUntilReady(step: () => Promise<void>, signal: AbortSignal): Promise<void> {
  for (let delay = 1000; !signal.aborted; delay = Math.min(delay * 2, 15_000)) {
    try {
      await step();
      return;
    } catch {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }
}
