import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { deleteKeys, openTestStores, TEST_REDIS_URL } from "../tests/support/stores.ts";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { describeQueueContract, draft, type TestQueue } from "./queue_contract.ts";
import { RedisQueue } from "./queue_redis.ts";
import { MemorySeqEpochs } from "../tests/support/memory_seq_epochs.ts";

describeQueueContract("RedisQueue", async () => {
  const stores = await openTestStores();
  const { redis, prefix } = stores;
  const epochs = new MemorySeqEpochs();
  const queues: TestQueue[] = [];
  const made = (queue: RedisQueue) => {
    queues.push(queue);
    return queue;
  };
  return {
    // A consumer blocks on a connection of its own; `close()` destroys it.
    consumer: async (workerId) =>
      made(
        new RedisQueue({
          redis,
          blocking: await connectRedis(TEST_REDIS_URL),
          prefix,
          workerId,
          epochs,
        }),
      ),
    producer: (workerId) => made(new RedisQueue({ redis, prefix, workerId, epochs })),
    cidTtl: (fromuser, cid) => redis.ttl(`${prefix}cid:${fromuser}:${cid}`),
    cidRecord: (fromuser, cid) => redis.get(`${prefix}cid:${fromuser}:${cid}`),
    expireCids: () => deleteKeys(redis, `${prefix}cid:`),
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

/** A producer and its stores; `lose()` empties the prefix as a Redis restart without AOF does. */
async function epochSetup() {
  const stores = await openTestStores();
  const epochs = new MemorySeqEpochs();
  const logs: string[] = [];
  const producer = (workerId = "p") =>
    new RedisQueue({
      redis: stores.redis,
      prefix: stores.prefix,
      workerId,
      epochs,
      log: (line) => logs.push(line),
    });
  return { stores, epochs, logs, producer, lose: () => deleteKeys(stores.redis, stores.prefix) };
}

const seqOf = async (queue: RedisQueue, chatid: string) =>
  (await queue.enqueue(draft(chatid, "x"))).ack.seq;

Deno.test("RedisQueue never gives a seq twice after Redis lost its data: a new epoch", async () => {
  const { stores, epochs, logs, producer, lose } = await epochSetup();
  try {
    const queue = producer();
    assertEquals([await seqOf(queue, "a--b"), await seqOf(queue, "a--b")], [1, 2]);
    assertEquals(epochs.started, 1, "epoch 0 on a fresh installation");
    await lose();
    assertEquals(await queue.lastSeq("a--b"), 0);
    assertEquals(await seqOf(queue, "a--b"), 2 ** 32 + 1);
    assertEquals(await seqOf(queue, "a--b"), 2 ** 32 + 2);
    assertEquals(await seqOf(queue, "new--chat"), 2 ** 32 + 1, "every chat starts in the epoch");
    assertEquals(await queue.lastSeq("a--b"), 2 ** 32 + 2);
    assertEquals(epochs.started, 2);
    assert(
      logs.some((l) => /seq epoch 1 started \(Redis held no epoch marker/.test(l)),
      logs.join(),
    );
    const marker = await stores.redis.get(`${stores.prefix}chat:seq-epoch`);
    assert(/^1:[0-9a-f]{40}$/.test(String(marker)), String(marker));
  } finally {
    await stores.cleanup();
  }
});

Deno.test("RedisQueue producers racing after a data loss agree on one epoch", async () => {
  const { stores, epochs, producer, lose } = await epochSetup();
  try {
    const queues = [producer("p1"), producer("p2"), producer("p3")];
    await seqOf(queues[0], "a--b");
    await lose();
    const sends = Array.from({ length: 30 }, (_, i) => seqOf(queues[i % 3], "a--b"));
    const seqs = (await Promise.all(sends)).sort((a, b) => a - b);
    const marker = Number(
      (await stores.redis.get(`${stores.prefix}chat:seq-epoch`))!.split(":")[0],
    );
    assert(marker >= 1, `epoch ${marker}`);
    const base = marker * 2 ** 32;
    assertEquals(seqs, Array.from({ length: 30 }, (_, i) => base + i + 1));
    assert(epochs.started <= 4, `${epochs.started} epochs started`);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("RedisQueue without an epoch store refuses to guess a seq", async () => {
  const stores = await openTestStores();
  try {
    const queue = new RedisQueue({ redis: stores.redis, prefix: stores.prefix, workerId: "p" });
    await rejects(queue.enqueue(draft("a--b", "x")), /no valid seq epoch/);
    assertEquals(await stores.redis.lLen(`${stores.prefix}chat:msg-list`), 0, "nothing queued");
  } finally {
    await stores.cleanup();
  }
});
