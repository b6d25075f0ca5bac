/**
 * {@link SessionStore} and {@link LoginLimiter} in Redis.
 *
 * @module
 */
import { RedisScript } from "../queue/redis_script.ts";
import type { RedisClient } from "./redis_client.ts";
import {
  type LoginAttempt,
  loginBudgetKeys,
  type LoginLimiter,
  type LoginReservation,
  newToken,
  plausibleToken,
  SESSION_KEY,
  type SessionStore,
  tokenKey,
} from "./sessions.ts";

/** The pub/sub channel on which ended sessions are announced (keys separated by spaces). */
export function sessionEndChannel(prefix: string): string {
  return `${prefix}chat:revoke`;
}

/**
 * An index entry younger than this is never pruned: its session may be in the middle of being
 * written (the index is written first, so it always holds every live session).
 */
const PRUNE_GRACE_SECONDS = 60;

/**
 * Sessions as `<prefix>session:<key>` → accountid with a sliding TTL, and each account's keys
 * in the sorted set `<prefix>sessions:<accountid>` (score: when added). The index has no TTL of
 * its own (a session that is used outlives any fixed one); entries whose session is gone are
 * pruned whenever the account logs in, so it holds the live sessions and a few dead ones.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  async create(accountid: string): Promise<string> {
    const token = newToken();
    const key = await tokenKey(token);
    const index = this.#index(accountid);
    const now = Math.floor(Date.now() / 1000);
    await this.redis.zAdd(index, { score: now, value: key });
    await this.redis.set(this.#session(key), accountid, { EX: this.ttlSeconds });
    await this.#prune(index, now - PRUNE_GRACE_SECONDS);
    return token;
  }

  async resolve(token: string): Promise<string | null> {
    if (!plausibleToken(token)) return null;
    const accountid = await this.redis.getEx(this.#session(await tokenKey(token)), {
      EX: this.ttlSeconds,
    });
    return accountid ?? null;
  }

  async destroy(token: string): Promise<void> {
    if (!plausibleToken(token)) return;
    const key = await tokenKey(token);
    const accountid = await this.redis.getDel(this.#session(key));
    if (accountid === null) return;
    await this.redis.zRem(this.#index(accountid), key);
    await this.redis.publish(sessionEndChannel(this.prefix), key);
  }

  async destroyAll(accountid: string): Promise<number> {
    const index = this.#index(accountid);
    const keys = await this.redis.zRange(index, 0, -1);
    if (keys.length === 0) return 0;
    // One DEL per key: in a Redis Cluster the session keys live in different slots.
    const pipeline = this.redis.multi();
    for (const key of keys) pipeline.del(this.#session(key));
    pipeline.zRem(index, keys);
    const replies = await pipeline.execAsPipeline();
    await this.redis.publish(sessionEndChannel(this.prefix), keys.join(" "));
    return replies.slice(0, keys.length).filter((n) => Number(n) > 0).length;
  }

  /**
   * Takes over a session known by its key from another store (`chat migrate --sessions`), with
   * the lifetime it has left; its token keeps working. Not part of the port.
   */
  async adopt(key: string, accountid: string, ttlSeconds: number): Promise<void> {
    if (!SESSION_KEY.test(key) || !(ttlSeconds > 0)) return;
    await this.redis.zAdd(this.#index(accountid), {
      score: Math.floor(Date.now() / 1000),
      value: key,
    });
    await this.redis.set(this.#session(key), accountid, { EX: Math.ceil(ttlSeconds) });
  }

  async live(keys: readonly string[], used: ReadonlySet<string>): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const pipeline = this.redis.multi();
    for (const key of keys) {
      // EXPIRE answers 0 for a key that is gone, like EXISTS, and extends one that is not.
      if (used.has(key)) pipeline.expire(this.#session(key), this.ttlSeconds);
      else pipeline.exists(this.#session(key));
    }
    const replies = await pipeline.execAsPipeline();
    return new Set(keys.filter((_, i) => Number(replies[i]) === 1));
  }

  /** Drops index entries older than `before` whose session no longer exists. */
  async #prune(index: string, before: number): Promise<void> {
    const old = await this.redis.zRangeByScore(index, "-inf", before);
    if (old.length === 0) return;
    const pipeline = this.redis.multi();
    for (const key of old) pipeline.exists(this.#session(key));
    const exists = await pipeline.execAsPipeline();
    const dead = old.filter((_, i) => Number(exists[i]) === 0);
    if (dead.length > 0) await this.redis.zRem(index, dead);
  }

  #session(key: string): string {
    return `${this.prefix}session:${key}`;
  }

  #index(accountid: string): string {
    return `${this.prefix}sessions:${accountid}`;
  }
}

/**
 * Checks both budgets and counts the attempt against both, or against neither, in one step.
 * KEYS: the budgets. ARGV[1]: window seconds; ARGV[1 + i]: the limit of KEYS[i].
 * Answers 0 (counted) or the seconds until the full budget's window ends.
 */
const RESERVE = new RedisScript(`
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = 1 end
    return ttl
  end
end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  -- The window starts at the first failure and is not extended by later ones.
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[1]) end
end
return 0
`);

/** KEYS[1]: the account budget (forgotten); KEYS[2]: the address budget (one attempt back). */
const SUCCEEDED = new RedisScript(`
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0
`);

/** Failure budgets `<prefix>login:fail:<budget key>` that expire with their window. */
export class RedisLoginLimiter implements LoginLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly limits: {
      maxFailures: number;
      maxFailuresPerAddress: number;
      windowSeconds: number;
    },
  ) {}

  async reserve(attempt: LoginAttempt): Promise<LoginReservation> {
    const keys = this.#keys(attempt);
    const { maxFailures, maxFailuresPerAddress, windowSeconds } = this.limits;
    const wait = Number(
      await RESERVE.run(this.redis, keys, [
        String(windowSeconds),
        String(maxFailures),
        String(maxFailuresPerAddress),
      ]),
    );
    return wait === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: wait };
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    await SUCCEEDED.run(this.redis, this.#keys(attempt), []);
  }

  #keys(attempt: LoginAttempt): string[] {
    const { account, address } = loginBudgetKeys(attempt);
    return [`${this.prefix}login:fail:${account}`, `${this.prefix}login:fail:${address}`];
  }
}
