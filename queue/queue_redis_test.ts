import { ok as assert } from "node:assert/strict";
import { deleteKeys, openTestStores, TEST_REDIS_URL } from "../tests/support/stores.ts";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { describeQueueContract, type TestQueue } from "./queue_contract.ts";
import { RedisQueue } from "./queue_redis.ts";

describeQueueContract("RedisQueue", async () => {
  const stores = await openTestStores();
  const { redis, prefix } = stores;
  const queues: TestQueue[] = [];
  const made = (queue: RedisQueue) => {
    queues.push(queue);
    return queue;
  };
  return {
    // A consumer blocks on a connection of its own; `close()` destroys it.
    consumer: async (workerId) =>
      made(
        new RedisQueue({ redis, blocking: await connectRedis(TEST_REDIS_URL), prefix, workerId }),
      ),
    producer: (workerId, seed) => made(new RedisQueue({ redis, prefix, workerId, seed })),
    cidTtl: (fromuser, cid) => redis.ttl(`${prefix}cid:${fromuser}:${cid}`),
    expireCids: () => deleteKeys(redis, `${prefix}cid:`),
    async forgetSeq(chatid) {
      await redis.del(`${prefix}${chatid}:seq`);
    },
    inFlight: (workerId) => redis.lRange(`${prefix}chat:msg-list:inflight:${workerId}`, 0, -1),
    async close() {
      for (const queue of queues) await queue.close();
      await stores.cleanup();
    },
  };
});

Deno.test("RedisQueue without a blocking connection refuses to take", async () => {
  const redis = await connectRedis(TEST_REDIS_URL);
  try {
    const queue = new RedisQueue({ redis, prefix: "unused:", workerId: "w1" });
    let failed = false;
    await queue.takeBatch(1, 1).catch(() => failed = true);
    assert(failed);
  } finally {
    await closeRedis(redis);
  }
});
