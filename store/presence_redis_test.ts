import { openTestStores } from "../tests/support/stores.ts";
import { describePresenceContract } from "./presence_contract.ts";
import { RedisPresence } from "./presence_redis.ts";

describePresenceContract("RedisPresence", async () => {
  const stores = await openTestStores();
  return { presence: new RedisPresence(stores.redis, stores.prefix, "n1"), close: stores.cleanup };
});
