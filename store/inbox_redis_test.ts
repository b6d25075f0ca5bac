import { openTestStores } from "../tests/support/stores.ts";
import { describeInboxContract } from "./inbox_contract.ts";
import { RedisInbox } from "./inbox_redis.ts";

describeInboxContract("RedisInbox", async () => {
  const stores = await openTestStores();
  return { inbox: new RedisInbox(stores.redis, stores.prefix), close: stores.cleanup };
});
