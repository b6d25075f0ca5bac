/**
 * The recent index on Redis, with the original's keys behind a prefix (chat ids and account ids
 * have no spaces, which the contacts script relies on):
 * - `<chatid>:msg-history`: the chat's last 20 messages as JSON, newest at index 0;
 * - `<accountid>:recentchat:members`: sorted set chatid → time of the chat's last message.
 *
 * @module
 */
import type { RedisClient } from "../store/redis_client.ts";
import { RedisScript } from "./redis_script.ts";
import type { ChatMessage } from "./message.ts";
import { RECENT_MESSAGES_PER_CHAT, type RecentContact, type RecentIndex } from "./recent_index.ts";

/** Contacts keys one script call updates. */
const CONTACTS_PER_CALL = 5000;

// ZADD GT of each KEYS[i] with the "time chatid time chatid …" pairs of ARGV[i]: GT, so a late
// or replayed older message never moves a chat down the list.
const TOUCH_CONTACTS = new RedisScript(`
for i = 1, #KEYS do
  local args = {}
  for time, chatid in string.gmatch(ARGV[i], '(%S+) (%S+)') do
    args[#args + 1] = time
    args[#args + 1] = chatid
  end
  redis.call('ZADD', KEYS[i], 'GT', unpack(args))
end
return #KEYS
`);

// Replaces, in the list KEYS[1], every item of the mid ARGV[1] by ARGV[2]. Items are the JSON of
// a message, which starts with its mid: a plain prefix test finds it without decoding. In one
// script, so a push by another worker cannot move the item between the look and the set.
const AMEND_HISTORY = new RedisScript(`
local prefix = '{"mid":"' .. ARGV[1] .. '"'
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local n = 0
for i, item in ipairs(items) do
  if string.sub(item, 1, #prefix) == prefix then
    redis.call('LSET', KEYS[1], i - 1, ARGV[2])
    n = n + 1
  end
end
return n
`);

/** Options for {@link RecentRedis}. */
export interface RecentRedisOptions {
  redis: RedisClient;
  /** Prefix of every key (may be ""). */
  prefix: string;
}

/** `<prefix><acc>:recentchat:members`: the account's chats by the time of their last message. */
export function contactsKey(prefix: string, accountid: string): string {
  return `${prefix}${accountid}:recentchat:members`;
}

/** {@link RecentIndex} on Redis lists and sorted sets. */
export class RecentRedis implements RecentIndex {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(options: RecentRedisOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
  }

  /** One pipeline for the whole batch: one LPUSH + LTRIM per chat, one ZADD per member. */
  async record(messages: ChatMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byChat = new Map<string, ChatMessage[]>();
    const latest = new Map<string, Map<string, number>>(); // account → chat → time
    for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
      const list = byChat.get(m.chatid);
      if (list) list.push(m);
      else byChat.set(m.chatid, [m]);
      for (const account of m.members) {
        const chats = latest.get(account) ?? new Map<string, number>();
        chats.set(m.chatid, Math.max(chats.get(m.chatid) ?? 0, m.time));
        latest.set(account, chats);
      }
    }
    const pipeline = this.#redis.multi();
    for (const [chatid, list] of byChat) {
      const key = this.#historyKey(chatid);
      // LPUSH puts its last argument at the head: ascending seq leaves the newest at index 0.
      // Only the newest 20 can survive the trim, so only those are sent.
      const newest = list.slice(-RECENT_MESSAGES_PER_CHAT);
      pipeline.lPush(key, newest.map((m) => JSON.stringify(m)));
      pipeline.lTrim(key, 0, RECENT_MESSAGES_PER_CHAT - 1);
    }
    await pipeline.execAsPipeline();
    // Every member's contacts in one script: a batch into a group of 2,000 is one command.
    const accounts = [...latest.keys()];
    for (let i = 0; i < accounts.length; i += CONTACTS_PER_CALL) {
      const part = accounts.slice(i, i + CONTACTS_PER_CALL);
      await TOUCH_CONTACTS.run(
        this.#redis,
        part.map((account) => this.#contactsKey(account)),
        part.map((account) =>
          [...latest.get(account)!].map(([chatid, time]) => `${time} ${chatid}`).join(" ")
        ),
      );
    }
  }

  /** One script per changed message (recalls and edits are rare next to messages). */
  async amend(messages: ChatMessage[]): Promise<void> {
    for (const m of messages) {
      await AMEND_HISTORY.run(this.#redis, [this.#historyKey(m.chatid)], [
        m.mid,
        JSON.stringify(m),
      ]);
    }
  }

  /**
   * The chat's newest messages in ascending `seq`. Deduplicated by `mid` and re-sorted, because
   * a batch replayed after a crash, or two workers, may push the same or out-of-order items.
   */
  async lastMessages(chatid: string): Promise<ChatMessage[]> {
    const raws = await this.#redis.lRange(this.#historyKey(chatid), 0, -1);
    const byMid = new Map<string, ChatMessage>();
    for (const raw of raws) {
      const message = JSON.parse(raw) as ChatMessage;
      byMid.set(message.mid, message);
    }
    return [...byMid.values()].sort((a, b) => a.seq - b.seq).slice(-RECENT_MESSAGES_PER_CHAT);
  }

  /** The account's chats, most recent message first. */
  async contacts(accountid: string, limit: number): Promise<RecentContact[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`Cannot list contacts: limit must be a positive integer, got ${limit}`);
    }
    const entries = await this.#redis.zRangeWithScores(this.#contactsKey(accountid), 0, limit - 1, {
      REV: true,
    });
    return entries.map((entry) => ({ chatid: entry.value, time: entry.score }));
  }

  /** Removes the chat from the account's contacts. */
  async removeContact(accountid: string, chatid: string): Promise<void> {
    await this.#redis.zRem(this.#contactsKey(accountid), chatid);
  }

  #historyKey(chatid: string): string {
    return `${this.#prefix}${chatid}:msg-history`;
  }

  #contactsKey(accountid: string): string {
    return contactsKey(this.#prefix, accountid);
  }
}
