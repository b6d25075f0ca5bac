/**
 * {@link GroupCache} in Redis: `<prefix><chatid>:group` holds the group as JSON (members with
 * their join times), `<prefix><chatid>:group:version` its version, both for an hour after the
 * last load (MySQL is the source of truth; the original kept groups only in Redis, where they
 * expired after 30 days). After a FLUSHDB the next read reloads from MySQL.
 *
 * @module
 */
import { RedisScript } from "../queue/redis_script.ts";
import type { Group, GroupCache } from "./groups.ts";
import type { RedisClient } from "./redis_client.ts";

/** How long a cached group lives without being loaded again. */
const TTL_SECONDS = 3600;

// Writes both keys unless a newer version is cached: a node that loaded the group just before
// a change committed cannot put the old state back over the new one.
// KEYS: version, json. ARGV: version, json, ttl.
const PUT_IF_NEWER = new RedisScript(`
local cached = tonumber(redis.call('GET', KEYS[1]) or '0')
if cached > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
`);

/** Groups cached in Redis, shared by every node. */
export class RedisGroupCache implements GroupCache {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  async version(chatid: string): Promise<number | null> {
    const value = await this.redis.get(this.#versionKey(chatid));
    return value === null ? null : Number(value);
  }

  async get(chatid: string): Promise<Group | null> {
    const value = await this.redis.get(this.#key(chatid));
    if (value === null) return null;
    try {
      const group = JSON.parse(value) as Group;
      return group.chatid === chatid && Array.isArray(group.members) ? group : null;
    } catch {
      return null; // a damaged entry is only a miss
    }
  }

  async put(group: Group): Promise<void> {
    await PUT_IF_NEWER.run(
      this.redis,
      [this.#versionKey(group.chatid), this.#key(group.chatid)],
      [String(group.version), JSON.stringify(group), String(TTL_SECONDS)],
    );
  }

  async forget(chatid: string): Promise<void> {
    await this.redis.del([this.#versionKey(chatid), this.#key(chatid)]);
  }

  #key(chatid: string): string {
    return `${this.prefix}${chatid}:group`;
  }

  #versionKey(chatid: string): string {
    return `${this.prefix}${chatid}:group:version`;
  }
}
