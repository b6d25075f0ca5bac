/**
 * `chat user add|passwd`: account administration from the command line. A password change
 * ends every session of the account (announced to every running node, which closes the
 * account's open sockets).
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { openMysql } from "./mysql_pool.ts";
import { hashPassword } from "./password.ts";
import { closeRedis, connectRedis, redactUrl } from "./redis_client.ts";
import type { SessionStore } from "./sessions.ts";
import { RedisSessionStore } from "./sessions_redis.ts";
import { SqliteSessionStore } from "./sessions_sqlite.ts";
import { openSqliteDb } from "./sqlite_db.ts";
import { ACCOUNT_ID, UserExistsError, type UserStore } from "./users.ts";
import { MysqlUserStore } from "./users_mysql.ts";
import { SqliteUserStore } from "./users_sqlite.ts";

/** Flags `chat user` understands. */
export interface UserFlags {
  name?: string;
  "dept-path"?: string;
  dept?: string;
  email?: string;
  tel?: string;
  mobile?: string;
  "password-stdin"?: boolean;
}

/** Runs `chat user <sub> ...`; returns the exit code. */
export async function userCommand(
  config: ResolvedConfig,
  args: string[],
  flags: UserFlags,
): Promise<number> {
  const [sub, accountid] = args;
  if (sub !== "add" && sub !== "passwd") {
    console.error(`chat user: unknown subcommand "${sub ?? ""}" (add, passwd)`);
    return 2;
  }
  if (!accountid || !ACCOUNT_ID.test(accountid)) {
    console.error("chat user: ACCOUNT must be 1-40 letters, digits, _ or .");
    return 2;
  }
  if (sub === "add" && !flags.name?.trim()) {
    console.error("chat user add: --name is required");
    return 2;
  }
  const minLength = config.password.minLength;
  let password: string;
  let generated = false;
  if (flags["password-stdin"]) {
    password = await readLine();
    if (password === "") {
      console.error("chat user: the password read from standard input is empty");
      return 2;
    }
    // Code points, as people count characters (an emoji is one).
    if ([...password].length < minLength) {
      console.error(
        `chat user: the password must be at least ${minLength} characters long ` +
          `(password.minLength); nothing was changed`,
      );
      return 2;
    }
  } else {
    password = generatePassword(minLength);
    generated = true;
  }
  // Every store is opened before anything changes: a store that is down changes nothing.
  const store = await openAccountStores(config);
  try {
    const users = store.users;
    const hash = await hashPassword(password);
    let ended = 0;
    let shown = accountid;
    if (sub === "passwd") {
      // Sessions are filed under the stored spelling; lookups ignore case (`ALICE` is alice).
      const stored = (await users.findWithPassword(accountid))?.accountid;
      if (!stored || !await users.setPassword(stored, hash)) {
        console.error(`chat user passwd: no account "${accountid}"`);
        return 1;
      }
      ended = await store.sessions.destroyAll(stored);
      shown = stored;
    } else {
      const path = (flags["dept-path"] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      await users.add({
        accountid,
        username: flags.name!.trim(),
        dept: flags.dept ?? path.at(-1) ?? "",
        deptDetail: path.join(","),
        email: flags.email ?? "",
        tel: flags.tel ?? "",
        mobile: flags.mobile ?? "",
      }, hash);
    }
    console.log(
      sub === "add"
        ? `added ${accountid}`
        : `password changed for ${shown}; ${ended} session${ended === 1 ? "" : "s"} ended`,
    );
    if (generated) console.log(`password: ${password}`);
    return 0;
  } catch (error) {
    if (error instanceof UserExistsError) {
      console.error(`chat user add: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

/** The stores an account change touches; MySQL + Redis when configured, else SQLite. */
interface AccountStores {
  users: UserStore;
  sessions: SessionStore;
  close(): Promise<void>;
}

/**
 * MySQL's `webchat_user` and Redis's sessions when configured, else the embedded database's
 * (created if new). The running server's sessions live in the same place, so ending them here
 * ends them there.
 */
async function openAccountStores(config: ResolvedConfig): Promise<AccountStores> {
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

/** A random password of at least 16 characters (and at least `minLength`), base64url. */
function generatePassword(minLength: number): string {
  const length = Math.max(16, minLength);
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length * 3 / 4) + 3));
  const text = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  return text.slice(0, length);
}

async function readLine(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  return text.split(/\r?\n/)[0];
}
