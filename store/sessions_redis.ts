/**
 * {@link SessionStore} and {@link LoginLimiter} in Redis.
 *
 * @module
 */
import type { RedisClient } from "./redis_client.ts";
import { type LoginLimiter, newToken, type SessionStore, tokenKey } from "./sessions.ts";

/** Sessions as `<prefix>session:<sha256(token)>` → accountid, with a sliding TTL. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  async create(accountid: string): Promise<string> {
    const token = newToken();
    await this.redis.set(await this.#key(token), accountid, { EX: this.ttlSeconds });
    return token;
  }

  async resolve(token: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const key = await this.#key(token);
    const accountid = await this.redis.getEx(key, { EX: this.ttlSeconds });
    return accountid ?? null;
  }

  async destroy(token: string): Promise<void> {
    await this.redis.del(await this.#key(token));
  }

  async #key(token: string): Promise<string> {
    return `${this.prefix}session:${await tokenKey(token)}`;
  }
}

/** Failure counters `<prefix>login:fail:<key>` that expire after the window. */
export class RedisLoginLimiter implements LoginLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly maxFailures: number,
    private readonly windowSeconds: number,
  ) {}

  async blocked(key: string): Promise<boolean> {
    const count = Number(await this.redis.get(this.#key(key)) ?? 0);
    return count >= this.maxFailures;
  }

  async fail(key: string): Promise<void> {
    const k = this.#key(key);
    // NX: the window starts at the first failure and is not extended by later ones.
    await this.redis.multi().incr(k).expire(k, this.windowSeconds, "NX").exec();
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.#key(key));
  }

  #key(key: string): string {
    return `${this.prefix}login:fail:${key}`;
  }
}
