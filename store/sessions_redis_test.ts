import { openTestStores } from "../tests/support/stores.ts";
import { describeSessionContract } from "./sessions_contract.ts";
import { tokenKey } from "./sessions.ts";
import { RedisLoginLimiter, RedisSessionStore } from "./sessions_redis.ts";

describeSessionContract("Redis", async () => {
  const stores = await openTestStores();
  const { redis, prefix } = stores;
  const sessionKey = async (token: string) => `${prefix}session:${await tokenKey(token)}`;
  const failureKey = (key: string) => `${prefix}login:fail:${key}`;
  return {
    sessions: (ttlSeconds) => new RedisSessionStore(redis, prefix, ttlSeconds),
    limiter: (maxFailures, windowSeconds) =>
      new RedisLoginLimiter(redis, prefix, maxFailures, windowSeconds),
    async sessionKeys() {
      const keys: string[] = [];
      for await (const found of redis.scanIterator({ MATCH: `${prefix}session:*` })) {
        keys.push(...found.map((key) => key.slice(`${prefix}session:`.length)));
      }
      return keys;
    },
    sessionTtl: async (token) => redis.ttl(await sessionKey(token)),
    async expireSession(token, seconds) {
      // Redis removes a key whose expiry is not in the future.
      await redis.expire(await sessionKey(token), seconds);
    },
    windowEnd: (key) => redis.expireTime(failureKey(key)),
    async endWindow(key) {
      await redis.del(failureKey(key));
    },
    failures: async (key) => Number(await redis.get(failureKey(key))),
    close: stores.cleanup,
  };
});
