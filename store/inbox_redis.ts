/**
 * {@link Inbox} in Redis, under the original's key names: `<acc>:unread:msgnum` (hash chatid →
 * count), `<acc>:unread:broadcast`, and the new `<acc>:unread:mention` (hash chatid → count)
 * and `<acc>:offline:msgs` list (newest first, trimmed to 50).
 *
 * @module
 */
import { RedisScript } from "../queue/redis_script.ts";
import { type Inbox, type MentionDelivery, OFFLINE_LIMIT } from "./inbox.ts";
import type { RedisClient } from "./redis_client.ts";

/** `<prefix><acc>:unread:msgnum`: the account's unread counts by chat. */
export function unreadKey(prefix: string, accountid: string): string {
  return `${prefix}${accountid}:unread:msgnum`;
}

/** `<prefix><acc>:unread:broadcast`. */
export function broadcastUnreadKey(prefix: string, accountid: string): string {
  return `${prefix}${accountid}:unread:broadcast`;
}

/** `<prefix><acc>:unread:mention`: how often the account was mentioned, by chat, unread. */
export function mentionUnreadKey(prefix: string, accountid: string): string {
  return `${prefix}${accountid}:unread:mention`;
}

/** `<prefix><acc>:offline:msgs`: frames that arrived while it had no connection, newest first. */
export function offlineKey(prefix: string, accountid: string): string {
  return `${prefix}${accountid}:offline:msgs`;
}

// One script for a whole delivery: a message to a group of 2,000 costs one command and one
// reply, where a MULTI would cost 2,000 of each to encode and parse on the server's main thread.
// KEYS: the readers' unread hashes, the mentioned readers' mention hashes, the offline lists of
// the plain frame, the offline lists of the mention frame.
// ARGV: chatid, frame, mention frame, offline limit, and how many keys of each kind.
const DELIVER = new RedisScript(`
local chatid, limit = ARGV[1], tonumber(ARGV[4])
local readers, mentioned, plain = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local i = 1
for _ = 1, readers do redis.call('HINCRBY', KEYS[i], chatid, 1); i = i + 1 end
for _ = 1, mentioned do redis.call('HINCRBY', KEYS[i], chatid, 1); i = i + 1 end
for n = i, #KEYS do
  redis.call('LPUSH', KEYS[n], n < i + plain and ARGV[2] or ARGV[3])
  redis.call('LTRIM', KEYS[n], 0, limit - 1)
end
return 0
`);

// +1 on each key: a broadcast to 10,000 people is one command, not 10,000.
const INCR_EACH = new RedisScript(`
for i = 1, #KEYS do redis.call('INCR', KEYS[i]) end
return #KEYS
`);

/** Inbox state in Redis. */
export class RedisInbox implements Inbox {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  async deliver(
    chatid: string,
    readers: string[],
    offline: string[],
    frame: string,
    mention?: MentionDelivery,
  ): Promise<void> {
    const mentioned = mention?.accountids ?? [];
    if (readers.length === 0 && offline.length === 0 && mentioned.length === 0) return;
    const marked = new Set(mentioned);
    const plainOffline = offline.filter((account) => !marked.has(account));
    const mentionOffline = offline.filter((account) => marked.has(account));
    const keys = [
      ...readers.map((account) => this.#unread(account)),
      ...mentioned.map((account) => this.#mentions(account)),
      ...plainOffline.map((account) => this.#offline(account)),
      ...mentionOffline.map((account) => this.#offline(account)),
    ];
    await DELIVER.run(this.redis, keys, [
      chatid,
      frame,
      mention?.frame ?? frame,
      String(OFFLINE_LIMIT),
      String(readers.length),
      String(mentioned.length),
      String(plainOffline.length),
    ]);
  }

  unread(accountid: string): Promise<Record<string, number>> {
    return this.#counts(this.#unread(accountid));
  }

  mentions(accountid: string): Promise<Record<string, number>> {
    return this.#counts(this.#mentions(accountid));
  }

  async markRead(accountid: string, chatid: string): Promise<void> {
    await this.redis.multi()
      .hDel(this.#unread(accountid), chatid)
      .hDel(this.#mentions(accountid), chatid)
      .exec();
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

  async addBroadcastUnread(accountids: string[]): Promise<void> {
    if (accountids.length === 0) return;
    await INCR_EACH.run(this.redis, accountids.map((account) => this.#broadcast(account)), []);
  }

  async clearBroadcastUnread(accountid: string): Promise<void> {
    await this.redis.del(this.#broadcast(accountid));
  }

  async #counts(key: string): Promise<Record<string, number>> {
    const all = await this.redis.hGetAll(key);
    const counts: Record<string, number> = {};
    for (const [chatid, n] of Object.entries(all)) {
      if (Number(n) > 0) counts[chatid] = Number(n);
    }
    return counts;
  }

  #unread(accountid: string) {
    return unreadKey(this.prefix, accountid);
  }

  #mentions(accountid: string) {
    return mentionUnreadKey(this.prefix, accountid);
  }

  #broadcast(accountid: string) {
    return broadcastUnreadKey(this.prefix, accountid);
  }

  #offline(accountid: string) {
    return offlineKey(this.prefix, accountid);
  }
}
