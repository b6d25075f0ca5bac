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
