/**
 * {@link Presence} in Redis: each node keeps a set `<prefix>presence:node:<nodeId>` of its online
 * accounts with a short TTL that it refreshes; a node that dies stops refreshing and its
 * accounts drop out by themselves (the original's 24 h `USER_ONLINE_LIST` expiry bug cannot
 * happen: a live node keeps its set alive). `<prefix>presence:nodes` lists the nodes, so reading
 * the list never scans the keyspace.
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
    await this.redis.multi().sAdd(this.#key, accountid).expire(this.#key, TTL_SECONDS)
      .sAdd(this.#nodesKey, this.nodeId).exec();
  }

  async offline(accountid: string): Promise<void> {
    this.#local.delete(accountid);
    await this.redis.sRem(this.#key, accountid);
  }

  async list(): Promise<string[]> {
    // The registry of nodes, not a SCAN: a SCAN walks the whole keyspace of a shared Redis.
    const nodes = await this.redis.sMembers(this.#nodesKey);
    if (nodes.length === 0) return [];
    return (await this.redis.sUnion(nodes.map((node) => this.#nodeKey(node)))).sort();
  }

  start(): void {
    this.#timer = setInterval(() => this.#refresh(), (TTL_SECONDS / 3) * 1000);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#local.clear();
    try {
      await this.redis.multi().del(this.#key).sRem(this.#nodesKey, this.nodeId).exec();
    } catch {
      // Redis unreachable at shutdown: the TTL removes the set.
    }
  }

  /** Rewrites the whole set, which also heals it after Redis was flushed or restarted. */
  async #refresh(): Promise<void> {
    try {
      const tx = this.redis.multi().del(this.#key);
      if (this.#local.size > 0) {
        tx.sAdd(this.#key, [...this.#local]).expire(this.#key, TTL_SECONDS)
          .sAdd(this.#nodesKey, this.nodeId);
      }
      await tx.exec();
      // Forget nodes whose set expired (they died without closing).
      const nodes = await this.redis.sMembers(this.#nodesKey);
      const gone: string[] = [];
      for (const node of nodes) {
        if (node !== this.nodeId && !await this.redis.exists(this.#nodeKey(node))) gone.push(node);
      }
      if (gone.length > 0) await this.redis.sRem(this.#nodesKey, gone);
    } catch {
      // Redis down: retried at the next tick.
    }
  }

  get #key(): string {
    return this.#nodeKey(this.nodeId);
  }

  get #nodesKey(): string {
    return `${this.prefix}presence:nodes`;
  }

  #nodeKey(nodeId: string): string {
    return `${this.prefix}presence:node:${nodeId}`;
  }
}
