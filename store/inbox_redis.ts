/**
 * {@link Inbox} in Redis, under the original's key names: `<acc>:unread:msgnum` (hash chatid →
 * count), `<acc>:unread:broadcast`, and the new `<acc>:offline:msgs` list (newest first,
 * trimmed to 50).
 *
 * @module
 */
import { type Inbox, OFFLINE_LIMIT } from "./inbox.ts";
import type { RedisClient } from "./redis_client.ts";

/** `<prefix><acc>:unread:msgnum`: the account's unread counts by chat. */
export function unreadKey(prefix: string, accountid: string): string {
  return `${prefix}${accountid}:unread:msgnum`;
}

/** `<prefix><acc>:unread:broadcast`. */
export function broadcastUnreadKey(prefix: string, accountid: string): string {
  return `${prefix}${accountid}:unread:broadcast`;
}

/** `<prefix><acc>:offline:msgs`: frames that arrived while it had no connection, newest first. */
export function offlineKey(prefix: string, accountid: string): string {
  return `${prefix}${accountid}:offline:msgs`;
}

/** Inbox state in Redis. */
export class RedisInbox implements Inbox {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  async deliver(chatid: string, readers: string[], offline: string[], frame: string) {
    if (readers.length === 0 && offline.length === 0) return;
    const tx = this.redis.multi();
    for (const reader of readers) tx.hIncrBy(this.#unread(reader), chatid, 1);
    for (const account of offline) {
      tx.lPush(this.#offline(account), frame);
      tx.lTrim(this.#offline(account), 0, OFFLINE_LIMIT - 1);
    }
    await tx.exec();
  }

  async unread(accountid: string): Promise<Record<string, number>> {
    const all = await this.redis.hGetAll(this.#unread(accountid));
    const counts: Record<string, number> = {};
    for (const [chatid, n] of Object.entries(all)) {
      if (Number(n) > 0) counts[chatid] = Number(n);
    }
    return counts;
  }

  async markRead(accountid: string, chatid: string): Promise<void> {
    await this.redis.hDel(this.#unread(accountid), chatid);
  }

  async takeOffline(accountid: string): Promise<string[]> {
    const key = this.#offline(accountid);
    const [frames] = await this.redis.multi().lRange(key, 0, -1).del(key).exec() as unknown as [
      string[],
      number,
    ];
    return [...frames].reverse();
  }

  async broadcastUnread(accountid: string): Promise<number> {
    return Number(await this.redis.get(broadcastUnreadKey(this.prefix, accountid)) ?? 0);
  }

  #unread(accountid: string) {
    return unreadKey(this.prefix, accountid);
  }

  #offline(accountid: string) {
    return offlineKey(this.prefix, accountid);
  }
}
