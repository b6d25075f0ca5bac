/**
 * The stores an account change touches, opened by the administration commands (`chat user …`,
 * the first `admin` account, the demo): MySQL's `webchat_user` and Redis's sessions when
 * configured, else the embedded database's. The running server's sessions live in the same
 * place, so ending them here ends them there (announced to every node in production, which
 * closes the account's open sockets at once; the embedded server's recheck notices).
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { openMysql } from "./mysql_pool.ts";
import { closeRedis, connectRedis, redactUrl } from "./redis_client.ts";
import type { SessionStore } from "./sessions.ts";
import { RedisSessionStore } from "./sessions_redis.ts";
import { SqliteSessionStore } from "./sessions_sqlite.ts";
import { openSqliteDb } from "./sqlite_db.ts";
import type { Account, UserStore } from "./users.ts";
import { MysqlUserStore } from "./users_mysql.ts";
import { SqliteUserStore } from "./users_sqlite.ts";

/** The stores of accounts and their sessions. */
export interface AccountStores {
  users: UserStore;
  sessions: SessionStore;
  close(): Promise<void>;
}

/**
 * Opens every store before anything changes, so a store that is down changes nothing. The
 * embedded database is created when new.
 */
export async function openAccountStores(config: ResolvedConfig): Promise<AccountStores> {
  const ttl = config.session.ttlSeconds;
  if (!config.mysqlUrl || !config.redisUrl) {
    const sqlite = openSqliteDb(config.dataDir);
    return {
      users: new SqliteUserStore(sqlite.db),
      sessions: new SqliteSessionStore(sqlite.db, ttl),
      close: () => Promise.resolve(sqlite.close()),
    };
  }
  const redisUrl = config.redisUrl;
  const redis = await connectRedis(redisUrl).catch((error) => {
    throw new Error(`Redis at ${redactUrl(redisUrl)}: ${error.message}; nothing was changed`);
  });
  let pool;
  try {
    pool = await openMysql(config.mysqlUrl);
    const users = new MysqlUserStore(pool);
    await users.ensureSchema();
    const opened = pool;
    return {
      users,
      sessions: new RedisSessionStore(redis, config.redisPrefix, ttl),
      close: async () => {
        await Promise.allSettled([opened.end(), closeRedis(redis)]);
      },
    };
  } catch (error) {
    await Promise.allSettled([pool?.end(), closeRedis(redis)]);
    throw error;
  }
}

/** Every account (in pages of `pageSize`), of one department when `dept` is given. */
export async function allAccounts(
  users: UserStore,
  dept?: string,
  pageSize = 10_000,
): Promise<Account[]> {
  const found: Account[] = [];
  let after: string | undefined;
  while (true) {
    const page = await users.accounts({ after, limit: pageSize, dept });
    found.push(...page);
    if (page.length < pageSize) return found;
    after = page.at(-1)!.accountid;
  }
}
