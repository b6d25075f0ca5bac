import { openTestStores } from "../tests/support/stores.ts";
import { describeRecentIndexContract } from "./recent_contract.ts";
import { RecentRedis } from "./recent_redis.ts";

describeRecentIndexContract("RecentRedis", async () => {
  const stores = await openTestStores();
  return {
    recent: new RecentRedis({ redis: stores.redis, prefix: stores.prefix }),
    stored: (chatid) => stores.redis.lLen(`${stores.prefix}${chatid}:msg-history`),
    close: stores.cleanup,
  };
}, { replayTakesRoom: true });
