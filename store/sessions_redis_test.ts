import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openTestStores } from "../tests/support/stores.ts";
import { describeSessionContract } from "./sessions_contract.ts";
import { tokenKey } from "./sessions.ts";
import { RedisSessionEndings } from "./sessions_endings_redis.ts";
import { RedisLoginLimiter, RedisSessionStore } from "./sessions_redis.ts";

describeSessionContract("Redis", async () => {
  const stores = await openTestStores();
  const { redis, prefix } = stores;
  const sessionKey = async (token: string) => `${prefix}session:${await tokenKey(token)}`;
  const failureKey = (key: string) => `${prefix}login:fail:${key}`;
  return {
    sessions: (ttlSeconds) => new RedisSessionStore(redis, prefix, ttlSeconds),
    limiter: (limits) => new RedisLoginLimiter(redis, prefix, limits),
    endings: () => new RedisSessionEndings(redis, prefix, () => {}),
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

Deno.test("Redis: an account's session index is pruned of dead sessions at login", async () => {
  const stores = await openTestStores();
  try {
    const { redis, prefix } = stores;
    const sessions = new RedisSessionStore(redis, prefix, 3600);
    const index = `${prefix}sessions:alice`;
    const old = await Promise.all([1, 2, 3].map(() => sessions.create("alice")));
    const oldKeys = await Promise.all(old.map(tokenKey));
    // Two sessions expire; all three entries are older than the grace period.
    for (const key of oldKeys.slice(0, 2)) await redis.del(`${prefix}session:${key}`);
    for (const key of oldKeys) await redis.zAdd(index, { score: 1, value: key });
    const fresh = await tokenKey(await sessions.create("alice"));
    assertEquals((await redis.zRange(index, 0, -1)).sort(), [oldKeys[2], fresh].sort());
    // The index has no TTL: a session that keeps being used outlives any fixed one.
    assertEquals(await redis.ttl(index), -1);
  } finally {
    await stores.cleanup();
  }
});
