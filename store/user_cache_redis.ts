/**
 * {@link UserProfileCache} in Redis: `<prefix>user:<accountid>` → the profile as JSON, kept a
 * week after its last refresh from MySQL.
 *
 * @module
 */
import type { RedisClient } from "./redis_client.ts";
import type { User, UserProfileCache } from "./users.ts";

const TTL_SECONDS = 7 * 86_400;

/** Profiles cached in Redis for when MySQL cannot be reached. */
export class RedisUserCache implements UserProfileCache {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  async get(accountids: string[]): Promise<Map<string, User>> {
    const found = new Map<string, User>();
    if (accountids.length === 0) return found;
    const values = await this.redis.mGet(accountids.map((id) => this.#key(id)));
    values.forEach((value, i) => {
      if (value === null) return;
      try {
        const user = JSON.parse(value) as User;
        if (user.accountid === accountids[i]) found.set(user.accountid, user);
      } catch {
        // a damaged entry is only a cache miss
      }
    });
    return found;
  }

  put(users: User[]): void {
    if (users.length === 0 || !this.redis.isReady) return;
    const batch = this.redis.multi();
    for (const user of users) {
      batch.set(this.#key(user.accountid), JSON.stringify(user), { EX: TTL_SECONDS });
    }
    batch.execAsPipeline().catch(() => {});
  }

  #key(accountid: string): string {
    return `${this.prefix}user:${accountid}`;
  }
}
