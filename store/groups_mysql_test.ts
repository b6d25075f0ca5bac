import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { deleteKeys, openTestStores } from "../tests/support/stores.ts";
import { RedisGroupCache } from "./group_cache_redis.ts";
import { CachedGroups } from "./groups_cached.ts";
import { describeGroupStoreContract } from "./groups_contract.ts";
import { MysqlGroupStore } from "./groups_mysql.ts";

describeGroupStoreContract("MysqlGroupStore with the Redis cache", async () => {
  const stores = await openTestStores();
  const source = new MysqlGroupStore(stores.pool);
  await source.ensureSchema();
  const open = () => new CachedGroups(source, new RedisGroupCache(stores.redis, stores.prefix));
  return {
    groups: open(),
    other: open,
    flushCache: () => deleteKeys(stores.redis, stores.prefix),
    close: stores.cleanup,
  };
});

describeGroupStoreContract("MysqlGroupStore alone", async () => {
  const stores = await openTestStores();
  const source = new MysqlGroupStore(stores.pool);
  await source.ensureSchema();
  return {
    groups: new CachedGroups(source),
    other: () => new CachedGroups(source),
    flushCache: () => Promise.resolve(),
    close: stores.cleanup,
  };
});

Deno.test("RedisGroupCache never puts an older version over a newer one", async () => {
  const stores = await openTestStores();
  try {
    const cache = new RedisGroupCache(stores.redis, stores.prefix);
    const group = (version: number) => ({
      chatid: "alice-1",
      title: `v${version}`,
      owner: "alice",
      ctime: 1,
      mtime: version,
      members: [{ accountid: "alice", joinedMs: 1 }],
      version,
    });
    await cache.put(group(2));
    // A node that read version 1 just before the change puts it late: it is ignored.
    await cache.put(group(1));
    assertEquals([await cache.version("alice-1"), (await cache.get("alice-1"))?.title], [2, "v2"]);
    await cache.forget("alice-1");
    assertEquals([await cache.version("alice-1"), await cache.get("alice-1")], [null, null]);
    await cache.put(group(1));
    assertEquals(await cache.version("alice-1"), 1);
  } finally {
    await stores.cleanup();
  }
});
