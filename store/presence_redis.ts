/**
 * {@link Presence} in Redis: each node keeps a set `<prefix>presence:<nodeId>` of its online
 * accounts with a short TTL that it refreshes; a node that dies stops refreshing and its
 * accounts drop out by themselves (the original's 24 h `USER_ONLINE_LIST` expiry bug cannot
 * happen: a live node keeps its set alive).
 *
 * @module
 */
import type { Presence } from "./presence.ts";
import type { RedisClient } from "./redis_client.ts";

const TTL_SECONDS = 30;

/** Presence shared by every node through Redis. */
export class RedisPresence implements Presence {
  #timer: ReturnType<typeof setInterval> | undefined;
  #local = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly nodeId: string,
  ) {}

  async online(accountid: string): Promise<void> {
    this.#local.add(accountid);
    await this.redis.multi().sAdd(this.#key, accountid).expire(this.#key, TTL_SECONDS).exec();
  }

  async offline(accountid: string): Promise<void> {
    this.#local.delete(accountid);
    await this.redis.sRem(this.#key, accountid);
  }

  async list(): Promise<string[]> {
    const keys: string[] = [];
    for await (const batch of this.redis.scanIterator({ MATCH: `${this.prefix}presence:*` })) {
      keys.push(...batch);
    }
    if (keys.length === 0) return [];
    return (await this.redis.sUnion(keys)).sort();
  }

  start(): void {
    this.#timer = setInterval(() => this.#refresh(), (TTL_SECONDS / 3) * 1000);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#local.clear();
    try {
      await this.redis.del(this.#key);
    } catch {
      // Redis unreachable at shutdown: the TTL removes the set.
    }
  }

  /** Rewrites the whole set, which also heals it after Redis was flushed or restarted. */
  async #refresh(): Promise<void> {
    try {
      const tx = this.redis.multi().del(this.#key);
      if (this.#local.size > 0) tx.sAdd(this.#key, [...this.#local]).expire(this.#key, TTL_SECONDS);
      await tx.exec();
    } catch {
      // Redis down: retried at the next tick.
    }
  }

  get #key(): string {
    return `${this.prefix}presence:${this.nodeId}`;
  }
}
