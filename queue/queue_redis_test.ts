import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { openTestStores, TEST_REDIS_URL } from "../tests/support/stores.ts";
import { closeRedis, connectRedis, type RedisClient } from "../store/redis_client.ts";
import type { MessageDraft } from "./message.ts";
import { newMid } from "./message.ts";
import { RedisQueue } from "./queue_redis.ts";

function draft(chatid: string, message: string, cid = ""): MessageDraft {
  return {
    mid: newMid(),
    chatid,
    fromuser: "alice",
    message,
    type: 0,
    fileId: "",
    time: 1_767_225_600,
    cid,
    members: ["alice", "bob"],
  };
}

/** A consumer with its own blocking connection; `queue.close()` destroys it. */
async function consumer(prefix: string, redis: RedisClient, workerId = "w1") {
  const blocking = await connectRedis(TEST_REDIS_URL);
  return new RedisQueue({ redis, blocking, prefix, workerId });
}

Deno.test("RedisQueue keeps FIFO order and respects max", async () => {
  const stores = await openTestStores();
  const queue = await consumer(stores.prefix, stores.redis);
  try {
    for (let i = 1; i <= 5; i++) await queue.enqueue(draft("alice--bob", `m${i}`));
    const first = await queue.takeBatch(3, 1);
    assertEquals(first?.messages.map((m) => m.message), ["m1", "m2", "m3"]);
    assertEquals(first?.messages.map((m) => m.seq), [1, 2, 3]);
    assertEquals(await queue.counts(), { pending: 2, inFlight: 3 });
    await queue.ack(first!);
    const second = await queue.takeBatch(10, 1);
    assertEquals(second?.messages.map((m) => m.message), ["m4", "m5"]);
    await queue.ack(second!);
    assertEquals(await queue.counts(), { pending: 0, inFlight: 0 });
    assertEquals(await queue.takeBatch(10, 0.2), null);
  } finally {
    await queue.close();
    await stores.cleanup();
  }
});

Deno.test("RedisQueue queues a repeated cid once", async () => {
  const stores = await openTestStores();
  const queue = new RedisQueue({ redis: stores.redis, prefix: stores.prefix, workerId: "w1" });
  try {
    const a = await queue.enqueue(draft("alice--bob", "hello", "c-1"));
    const b = await queue.enqueue(draft("alice--bob", "hello again", "c-1"));
    assertEquals(a.duplicate, false);
    assertEquals(b.duplicate, true);
    assertEquals(b.message.mid, a.message.mid);
    assertEquals(b.message.seq, a.message.seq);
    assertEquals(b.message.message, "hello");
    assertEquals((await queue.counts()).pending, 1);
    const ttl = await stores.redis.ttl(`${stores.prefix}cid:alice:c-1`);
    assert(ttl > 86_000 && ttl <= 86_400, `cid ttl ${ttl}`);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("RedisQueue numbers each chat on its own", async () => {
  const stores = await openTestStores();
  const queue = new RedisQueue({ redis: stores.redis, prefix: stores.prefix, workerId: "w1" });
  try {
    const seqs = [];
    for (const chat of ["a--b", "g1", "a--b", "g1", "a--b"]) {
      seqs.push((await queue.enqueue(draft(chat, "x"))).message.seq);
    }
    assertEquals(seqs, [1, 1, 2, 2, 3]);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("RedisQueue keeps text byte-for-byte and members as an array", async () => {
  const stores = await openTestStores();
  const queue = await consumer(stores.prefix, stores.redis);
  const texts = [
    `He said "hi" and 'bye' \\ back\\slash /slash`,
    "'; DROP TABLE x; --",
    "<script>alert('x')</script>&amp;",
    "emoji 😀👍🏽 and CJK 你好，世界 ✓",
    "line\nbreak\ttab \u2028 \u0000 end",
  ];
  try {
    for (const text of texts) await queue.enqueue(draft("a--b", text));
    const lonely = { ...draft("g1", "alone"), members: [] };
    await queue.enqueue(lonely);
    const batch = await queue.takeBatch(10, 1);
    assertEquals(batch?.messages.slice(0, texts.length).map((m) => m.message), texts);
    assertEquals(batch?.messages[texts.length].members, []);
    const raw = await stores.redis.lRange(`${stores.prefix}chat:msg-list:inflight:w1`, 0, -1);
    assert(raw.some((item) => item.includes(`"members":[]`)), "members stays an array");
  } finally {
    await queue.close();
    await stores.cleanup();
  }
});

Deno.test("RedisQueue recovers an unacknowledged batch after a crash", async () => {
  const stores = await openTestStores();
  const crashed = await consumer(stores.prefix, stores.redis, "w7");
  const other = await consumer(stores.prefix, stores.redis, "w8");
  try {
    for (let i = 1; i <= 4; i++) await crashed.enqueue(draft("a--b", `m${i}`));
    const taken = await crashed.takeBatch(2, 1);
    assertEquals(taken?.messages.map((m) => m.message), ["m1", "m2"]);
    await crashed.close(); // the worker dies without ack
    assertEquals(await other.recover(), 0, "another worker's in-flight list is not touched");
    assertEquals(await other.counts(), { pending: 2, inFlight: 2 });
    const restarted = await consumer(stores.prefix, stores.redis, "w7");
    try {
      assertEquals(await restarted.recover(), 2);
      const again = await restarted.takeBatch(10, 1);
      assertEquals(again?.messages.map((m) => m.message), ["m1", "m2", "m3", "m4"]);
    } finally {
      await restarted.close();
    }
  } finally {
    await other.close();
    await stores.cleanup();
  }
});

Deno.test("RedisQueue seeds a missing seq counter", async () => {
  const stores = await openTestStores();
  const asked: string[] = [];
  const queue = new RedisQueue({
    redis: stores.redis,
    prefix: stores.prefix,
    workerId: "w1",
    seed: (chatid) => {
      asked.push(chatid);
      return Promise.resolve(41);
    },
  });
  try {
    assertEquals((await queue.enqueue(draft("a--b", "x"))).message.seq, 42);
    assertEquals((await queue.enqueue(draft("a--b", "y"))).message.seq, 43);
    await stores.redis.del(`${stores.prefix}a--b:seq`); // Redis flushed
    assertEquals((await queue.enqueue(draft("a--b", "z"))).message.seq, 42);
    assertEquals(asked, ["a--b", "a--b"]);
    const plain = new RedisQueue({ redis: stores.redis, prefix: stores.prefix, workerId: "w2" });
    assertEquals((await plain.enqueue(draft("c--d", "x"))).message.seq, 1);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("RedisQueue close() interrupts a pending takeBatch", async () => {
  const stores = await openTestStores();
  const queue = await consumer(stores.prefix, stores.redis);
  try {
    const pending = queue.takeBatch(10, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await queue.close();
    assertEquals(await pending, null);
  } finally {
    await stores.cleanup();
  }
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
