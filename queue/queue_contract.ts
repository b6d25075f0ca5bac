/**
 * The {@link MessageProducer}/{@link MessageConsumer} contract (see `queue.ts`), as `Deno.test`s
 * run against every implementation (`queue_redis_test.ts`, `queue_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { type MessageDraft, newMid } from "./message.ts";
import type { MessageConsumer, MessageProducer } from "./queue.ts";
import { contractTests } from "../tests/support/contract.ts";

/** A queue as the tests hold it: both sides, and `close()`. */
export interface TestQueue extends MessageProducer, MessageConsumer {
  /** Interrupts a pending `takeBatch`; what the queue holds stays. */
  close(): Promise<void>;
}

/** One implementation on fresh, isolated storage. */
export interface QueueHarness {
  /** A queue for `workerId` on a connection of its own, as a worker thread or process has. */
  consumer(workerId: string): Promise<TestQueue>;
  /** A queue on the shared connection, for enqueueing. */
  producer(workerId: string): TestQueue;
  /** Seconds until the client id `cid` of `fromuser` is forgotten. */
  cidTtl(fromuser: string, cid: string): Promise<number>;
  /** The client id record as stored, or null. */
  cidRecord(fromuser: string, cid: string): Promise<string | null>;
  /** Lets a day pass for every remembered client id. */
  expireCids(): Promise<void>;
  /** What `workerId` holds in flight, as stored. */
  inFlight(workerId: string): Promise<string[]>;
  /** Closes every queue it made, then closes and removes the storage. */
  close(): Promise<void>;
}

/** A draft from alice to alice and bob. */
export function draft(chatid: string, message: string, cid = ""): MessageDraft {
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

/** Registers the contract's tests, named `${name}: …`. */
export function describeQueueContract(name: string, open: () => Promise<QueueHarness>): void {
  const test = contractTests(name, open);

  test("keeps FIFO order and respects max", async (h) => {
    const queue = await h.consumer("w1");
    for (let i = 1; i <= 5; i++) await queue.enqueue(draft("alice--bob", `m${i}`));
    const first = await queue.takeBatch(3, 1);
    assertEquals(first?.messages.map((m) => m.message), ["m1", "m2", "m3"]);
    assertEquals(first?.messages.map((m) => m.seq), [1, 2, 3]);
    assertEquals(await queue.counts(), { pending: 2, inFlight: 3, parked: 0 });
    await queue.ack(first!);
    const second = await queue.takeBatch(10, 1);
    assertEquals(second?.messages.map((m) => m.message), ["m4", "m5"]);
    await queue.ack(second!);
    assertEquals(await queue.counts(), { pending: 0, inFlight: 0, parked: 0 });
    assertEquals(await queue.takeBatch(10, 0.2), null);
  });

  test("queues a repeated cid once, for 24 hours", async (h) => {
    const queue = h.producer("w1");
    const a = await queue.enqueue(draft("alice--bob", "hello", "c-1"));
    const b = await queue.enqueue(draft("alice--bob", "hello again", "c-1"));
    assertEquals(a.duplicate, false);
    assertEquals(b.duplicate, true);
    assertEquals(b.ack, a.ack, "the earlier message's ack, answered again");
    assert(!a.duplicate);
    assertEquals(a.ack, {
      mid: a.message.mid,
      chatid: "alice--bob",
      seq: 1,
      time: 1_767_225_600,
      cid: "c-1",
    });
    assertEquals((await queue.counts()).pending, 1);
    const other = await queue.enqueue({ ...draft("alice--bob", "x", "c-1"), fromuser: "bob" });
    assertEquals(other.duplicate, false, "a cid belongs to its sender");
    const ttl = await h.cidTtl("alice", "c-1");
    assert(ttl > 86_000 && ttl <= 86_400, `cid ttl ${ttl}`);
    await h.expireCids(); // a day later
    const c = await queue.enqueue(draft("alice--bob", "hello", "c-1"));
    assertEquals([c.duplicate, c.ack.seq], [false, 3]);
  });

  test("keeps only what a re-ack needs for 24 hours, never the text", async (h) => {
    const queue = h.producer("w1");
    const text = "a long and private message ".repeat(100);
    const sent = await queue.enqueue(draft("alice--bob", text, "c-9"));
    const record = await h.cidRecord("alice", "c-9");
    assert(record !== null && record.length < 200, `record of ${record?.length} characters`);
    assert(!record.includes("private") && !record.includes("members"), record);
    assertEquals(JSON.parse(record), sent.ack);
    assertEquals(await h.cidRecord("alice", "never-sent"), null);
    const none = await queue.enqueue(draft("alice--bob", "no cid"));
    assertEquals(none.duplicate, false);
  });

  test("parks refused messages apart, counted, while the batch is acknowledged", async (h) => {
    const queue = await h.consumer("w1");
    for (let i = 1; i <= 3; i++) await queue.enqueue(draft("alice--bob", `p${i}`));
    const batch = (await queue.takeBatch(10, 1))!;
    await queue.park([batch.messages[1]], "refused by the archive");
    await queue.ack(batch);
    assertEquals(await queue.counts(), { pending: 0, inFlight: 0, parked: 1 });
    assertEquals(await queue.takeBatch(10, 1), null, "a parked message is not taken again");
  });

  test("numbers each chat on its own", async (h) => {
    const queue = h.producer("w1");
    const seqs = [];
    for (const chat of ["a--b", "g1", "a--b", "g1", "a--b"]) {
      seqs.push((await queue.enqueue(draft(chat, "x"))).ack.seq);
    }
    assertEquals(seqs, [1, 1, 2, 2, 3]);
    assertEquals([await queue.lastSeq("a--b"), await queue.lastSeq("g1")], [3, 2]);
    assertEquals(await queue.lastSeq("never--used"), 0);
    await rejects(queue.enqueue({ ...draft("x", "y"), chatid: "" }), TypeError);
  });

  test("gives each seq once to producers racing on one chat", async (h) => {
    const producers = [h.producer("p1"), h.producer("p2")];
    const sends = Array.from(
      { length: 40 },
      (_, i) => producers[i % 2].enqueue(draft("a--b", `m${i}`)),
    );
    const seqs = (await Promise.all(sends)).map((r) => r.ack.seq).sort((a, b) => a - b);
    assertEquals(seqs, Array.from({ length: 40 }, (_, i) => i + 1));
  });

  test("keeps text byte-for-byte and members as an array", async (h) => {
    const queue = await h.consumer("w1");
    const texts = [
      `He said "hi" and 'bye' \\ back\\slash /slash`,
      "'; DROP TABLE queue_item; --",
      "<script>alert('x')</script>&amp;",
      "emoji 😀👍🏽 and CJK 你好，世界 ✓",
      "line\nbreak\ttab \u2028 \u0000 end",
    ];
    for (const text of texts) await queue.enqueue(draft("a--b", text));
    await queue.enqueue({ ...draft("g1", "alone"), members: [] });
    const batch = await queue.takeBatch(10, 1);
    assertEquals(batch?.messages.slice(0, texts.length).map((m) => m.message), texts);
    assertEquals(batch?.messages[texts.length].members, []);
    const raw = await h.inFlight("w1");
    assert(raw.some((item) => item.includes(`"members":[]`)), "members stays an array");
  });

  test("recovers an unacknowledged batch after a crash", async (h) => {
    const crashed = await h.consumer("w7");
    const other = await h.consumer("w8");
    for (let i = 1; i <= 4; i++) await other.enqueue(draft("a--b", `m${i}`));
    const taken = await crashed.takeBatch(2, 1);
    assertEquals(taken?.messages.map((m) => m.message), ["m1", "m2"]);
    await crashed.close(); // the worker dies without ack
    assertEquals(await other.recover(), 0, "another worker's in-flight messages are not touched");
    assertEquals(await other.counts(), { pending: 2, inFlight: 2, parked: 0 });
    const restarted = await h.consumer("w7");
    assertEquals(await restarted.recover(), 2);
    const again = await restarted.takeBatch(10, 1);
    assertEquals(again?.messages.map((m) => m.message), ["m1", "m2", "m3", "m4"]);
    await restarted.ack(again!);
    assertEquals(await restarted.counts(), { pending: 0, inFlight: 0, parked: 0 });
  });

  test("close() interrupts a pending takeBatch", async (h) => {
    const queue = await h.consumer("w1");
    const pending = queue.takeBatch(10, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await queue.close();
    assertEquals(await pending, null);
    await rejects(queue.takeBatch(1, 1), TypeError);
  });

  test("hands each message to one of two competing consumers", async (h) => {
    const a = await h.consumer("wa");
    const b = await h.consumer("wb");
    const producer = h.producer("p");
    const takes = [a.takeBatch(100, 0.5), b.takeBatch(100, 0.5)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 1; i <= 20; i++) await producer.enqueue(draft("a--b", `m${i}`));
    const batches = await Promise.all(takes);
    const seen = batches.flatMap((batch) => batch?.messages.map((m) => m.seq) ?? []);
    const rest = await producer.counts();
    assertEquals(seen.length + rest.pending, 20);
    assertEquals(new Set(seen).size, seen.length);
  });

  test("acknowledges a batch by identity, whatever the order", async (h) => {
    const queue = await h.consumer("w1");
    for (let i = 1; i <= 5; i++) await queue.enqueue(draft("a--b", `m${i}`));
    const first = (await queue.takeBatch(3, 1))!;
    const second = (await queue.takeBatch(3, 1))!;
    assertEquals(second.messages.map((m) => m.message), ["m4", "m5"]);
    // Acknowledging by count would drop the two oldest in flight: m1 and m2.
    await queue.ack(second);
    const held = (await h.inFlight("w1")).map((raw) => JSON.parse(raw).message).sort();
    assertEquals(held, ["m1", "m2", "m3"]);
    await queue.ack(first);
    assertEquals(await queue.counts(), { pending: 0, inFlight: 0, parked: 0 });
    await rejects(queue.ack({ messages: first.messages }), TypeError);
  });

  test("a held lease protects what is in flight; a lapsed one gives it back", async (h) => {
    const alive = await h.consumer("w-alive");
    const other = await h.consumer("w-other");
    for (let i = 1; i <= 3; i++) await other.enqueue(draft("a--b", `m${i}`));
    await alive.renewLease(300);
    await other.renewLease(60_000);
    assertEquals((await alive.takeBatch(2, 1))?.messages.map((m) => m.message), ["m1", "m2"]);
    assertEquals(await other.reclaimExpired(), 0, "a held lease is respected");
    assertEquals(await other.counts(), { pending: 1, inFlight: 2, parked: 0 });
    await new Promise((resolve) => setTimeout(resolve, 450));
    assertEquals(await other.reclaimExpired(), 2);
    const taken = await other.takeBatch(10, 1);
    assertEquals(taken?.messages.map((m) => m.message), ["m1", "m2", "m3"], "order kept");
    await other.ack(taken!);
    assertEquals(await other.counts(), { pending: 0, inFlight: 0, parked: 0 });
  });

  test("in-flight messages of a consumer that never held a lease are reclaimed", async (h) => {
    const old = await h.consumer("host:8080"); // a worker from before leases
    const live = await h.consumer("w-live");
    await live.enqueue(draft("a--b", "left behind"));
    assertEquals((await old.takeBatch(1, 1))?.messages.length, 1);
    await old.close();
    await live.renewLease(60_000);
    assertEquals(await live.reclaimExpired(), 1);
    assertEquals(await live.reclaimExpired(), 0);
    await live.releaseLease();
    assertEquals((await live.takeBatch(1, 1))?.messages[0].message, "left behind");
  });

  test("tells how old the oldest unarchived message is, pending or in flight", async (h) => {
    const queue = await h.consumer("w1");
    assertEquals(await queue.oldestWaiting(), null);
    await queue.enqueue({ ...draft("a--b", "old"), time: 1_000 });
    await queue.enqueue({ ...draft("a--b", "new"), time: 2_000 });
    assertEquals(await queue.oldestWaiting(), 1_000);
    const first = (await queue.takeBatch(1, 1))!;
    assertEquals(await queue.oldestWaiting(), 1_000, "in flight still waits for the archive");
    await queue.ack(first);
    assertEquals(await queue.oldestWaiting(), 2_000);
    await queue.ack((await queue.takeBatch(1, 1))!);
    assertEquals(await queue.oldestWaiting(), null);
  });

  test("counts parked messages by reason and puts them back on request", async (h) => {
    const queue = await h.consumer("w1");
    for (let i = 1; i <= 4; i++) await queue.enqueue(draft("a--b", `p${i}`));
    const batch = (await queue.takeBatch(10, 1))!;
    await queue.park(batch.messages.slice(0, 3), "column too narrow");
    await queue.park(batch.messages.slice(3), "bad value");
    await queue.ack(batch);
    assertEquals(await queue.parkedReasons(), [
      { reason: "column too narrow", count: 3 },
      { reason: "bad value", count: 1 },
    ]);
    assertEquals(await queue.retryParked(), 4);
    assertEquals(await queue.counts(), { pending: 4, inFlight: 0, parked: 0 });
    assertEquals(await queue.parkedReasons(), []);
    const again = (await queue.takeBatch(10, 1))!;
    assertEquals(again.messages.map((m) => [m.message, m.seq]).sort(), [
      ["p1", 1],
      ["p2", 2],
      ["p3", 3],
      ["p4", 4],
    ]);
    assertEquals(again.messages[0].members, ["alice", "bob"]);
    await queue.ack(again);
    assertEquals(await queue.retryParked(), 0);
  });
}
