import { openTestStores } from "../tests/support/stores.ts";
import { describePresenceContract } from "./presence_contract.ts";
import { RedisPresence } from "./presence_redis.ts";

describePresenceContract("RedisPresence", async () => {
  const stores = await openTestStores();
  const presence = new RedisPresence(stores.redis, stores.prefix, "n1");
  return {
    presence,
    async close() {
      await presence.close();
      await stores.cleanup();
    },
  };
});
