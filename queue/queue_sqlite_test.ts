import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import type { DatabaseSync } from "node:sqlite";
import { openTempSqlite, type TempSqlite } from "../store/temp_db_sqlite.ts";
import type { MessageDraft } from "./message.ts";
import { newMid } from "./message.ts";
import { SqliteQueue } from "./queue_sqlite.ts";

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

function queue(temp: TempSqlite, workerId = "w1", db: DatabaseSync = temp.db) {
  return new SqliteQueue({ db, path: temp.path, workerId });
}

/** A connection that counts the statements prepared on it (each query prepares one). */
function counted(db: DatabaseSync): { db: DatabaseSync; statements: () => number } {
  let statements = 0;
  const proxy = new Proxy(db, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "prepare" || name === "exec") {
        return (...args: unknown[]) => {
          statements++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { db: proxy, statements: () => statements };
}

Deno.test("SqliteQueue keeps FIFO order and respects max", async () => {
  const temp = await openTempSqlite();
  const q = queue(temp);
  try {
    for (let i = 1; i <= 5; i++) await q.enqueue(draft("alice--bob", `m${i}`));
    const first = await q.takeBatch(3, 1);
    assertEquals(first?.messages.map((m) => m.message), ["m1", "m2", "m3"]);
    assertEquals(first?.messages.map((m) => m.seq), [1, 2, 3]);
    assertEquals(await q.counts(), { pending: 2, inFlight: 3 });
    await q.ack(first!);
    const second = await q.takeBatch(10, 1);
    assertEquals(second?.messages.map((m) => m.message), ["m4", "m5"]);
    await q.ack(second!);
    assertEquals(await q.counts(), { pending: 0, inFlight: 0 });
    assertEquals(await q.takeBatch(10, 0.2), null);
  } finally {
    await q.close();
    await temp.cleanup();
  }
});

Deno.test("SqliteQueue queues a repeated cid once, for 24 hours", async () => {
  const temp = await openTempSqlite();
  const q = queue(temp);
  try {
    const a = await q.enqueue(draft("alice--bob", "hello", "c-1"));
    const b = await q.enqueue(draft("alice--bob", "hello again", "c-1"));
    assertEquals(a.duplicate, false);
    assertEquals(b.duplicate, true);
    assertEquals(b.message.mid, a.message.mid);
    assertEquals(b.message.seq, a.message.seq);
    assertEquals(b.message.message, "hello");
    assertEquals((await q.counts()).pending, 1);
    const other = await q.enqueue({ ...draft("alice--bob", "x", "c-1"), fromuser: "bob" });
    assertEquals(other.duplicate, false, "a cid belongs to its sender");
    const row = temp.db.prepare("SELECT expires FROM queue_cid WHERE fromuser = 'alice'").get();
    const ttl = Number(row?.expires) - Date.now() / 1000;
    assert(ttl > 86_000 && ttl <= 86_400, `cid ttl ${ttl}`);
    temp.db.prepare("UPDATE queue_cid SET expires = 1").run(); // a day later
    const c = await q.enqueue(draft("alice--bob", "hello", "c-1"));
    assertEquals([c.duplicate, c.message.seq], [false, 3]);
  } finally {
    await q.close();
    await temp.cleanup();
  }
});

Deno.test("SqliteQueue numbers each chat on its own and seeds a missing counter", async () => {
  const temp = await openTempSqlite();
  const q = queue(temp);
  const asked: string[] = [];
  const seeded = new SqliteQueue({
    db: temp.db,
    path: temp.path,
    workerId: "w2",
    seed: (chatid) => {
      asked.push(chatid);
      return Promise.resolve(41);
    },
  });
  try {
    const seqs = [];
    for (const chat of ["a--b", "g1", "a--b", "g1", "a--b"]) {
      seqs.push((await q.enqueue(draft(chat, "x"))).message.seq);
    }
    assertEquals(seqs, [1, 1, 2, 2, 3]);
    assertEquals((await seeded.enqueue(draft("c--d", "x"))).message.seq, 42);
    assertEquals((await seeded.enqueue(draft("c--d", "y"))).message.seq, 43);
    assertEquals((await seeded.enqueue(draft("a--b", "y"))).message.seq, 4);
    assertEquals(asked, ["c--d"]);
    await rejects(q.enqueue({ ...draft("x", "y"), chatid: "" }), TypeError);
  } finally {
    await q.close();
    await seeded.close();
    await temp.cleanup();
  }
});

Deno.test("SqliteQueue keeps text byte-for-byte and members as an array", async () => {
  const temp = await openTempSqlite();
  const q = queue(temp);
  const texts = [
    `He said "hi" and 'bye' \\ back\\slash /slash`,
    "'; DROP TABLE queue_item; --",
    "<script>alert('x')</script>&amp;",
    "emoji 😀👍🏽 and CJK 你好，世界 ✓",
    "line\nbreak\ttab \u2028 \u0000 end",
  ];
  try {
    for (const text of texts) await q.enqueue(draft("a--b", text));
    await q.enqueue({ ...draft("g1", "alone"), members: [] });
    const batch = await q.takeBatch(10, 1);
    assertEquals(batch?.messages.slice(0, texts.length).map((m) => m.message), texts);
    assertEquals(batch?.messages[texts.length].members, []);
  } finally {
    await q.close();
    await temp.cleanup();
  }
});

Deno.test("SqliteQueue recovers an unacknowledged batch after a crash", async () => {
  const temp = await openTempSqlite();
  const crashed = queue(temp, "w7", temp.connect().db);
  const other = queue(temp, "w8");
  try {
    for (let i = 1; i <= 4; i++) await other.enqueue(draft("a--b", `m${i}`));
    const taken = await crashed.takeBatch(2, 1);
    assertEquals(taken?.messages.map((m) => m.message), ["m1", "m2"]);
    await crashed.close(); // the worker dies without ack
    assertEquals(await other.recover(), 0, "another worker's in-flight rows are not touched");
    assertEquals(await other.counts(), { pending: 2, inFlight: 2 });
    const restarted = queue(temp, "w7", temp.connect().db);
    try {
      assertEquals(await restarted.recover(), 2);
      const again = await restarted.takeBatch(10, 1);
      assertEquals(again?.messages.map((m) => m.message), ["m1", "m2", "m3", "m4"]);
      await restarted.ack(again!);
      assertEquals(await restarted.counts(), { pending: 0, inFlight: 0 });
    } finally {
      await restarted.close();
    }
  } finally {
    await other.close();
    await temp.cleanup();
  }
});

Deno.test("SqliteQueue takeBatch sleeps without queries until another connection enqueues", async () => {
  const temp = await openTempSqlite();
  const watched = counted(temp.connect().db);
  const consumer = queue(temp, "w1", watched.db);
  const producer = queue(temp, "p");
  try {
    const started = Date.now();
    let settledAt = 0;
    const pending = consumer.takeBatch(10, 5).then((batch) => {
      settledAt = Date.now();
      return batch;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const asleep = watched.statements();
    await new Promise((resolve) => setTimeout(resolve, 250));
    assertEquals(settledAt, 0, "still waiting");
    assertEquals(watched.statements(), asleep, "no query while the queue is empty");
    const sent = Date.now();
    await producer.enqueue(draft("a--b", "wake up"));
    const batch = await pending;
    assertEquals(batch?.messages.map((m) => m.message), ["wake up"]);
    assert(sent - started >= 300, "the enqueue came 300 ms later");
    assert(settledAt - sent < 200, `woke ${settledAt - sent} ms after the enqueue`);
  } finally {
    await consumer.close();
    await producer.close();
    await temp.cleanup();
  }
});

Deno.test("SqliteQueue close() interrupts a pending takeBatch", async () => {
  const temp = await openTempSqlite();
  const q = queue(temp);
  try {
    const pending = q.takeBatch(10, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await q.close();
    assertEquals(await pending, null);
    await rejects(q.takeBatch(1, 1), TypeError);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteQueue hands each message to one of two competing consumers", async () => {
  const temp = await openTempSqlite();
  const a = queue(temp, "wa", temp.connect().db);
  const b = queue(temp, "wb", temp.connect().db);
  const producer = queue(temp, "p");
  try {
    const takes = [a.takeBatch(100, 0.5), b.takeBatch(100, 0.5)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 1; i <= 20; i++) await producer.enqueue(draft("a--b", `m${i}`));
    const batches = await Promise.all(takes);
    const seen = batches.flatMap((batch) => batch?.messages.map((m) => m.seq) ?? []);
    const rest = await producer.counts();
    assertEquals(seen.length + rest.pending, 20);
    assertEquals(new Set(seen).size, seen.length);
  } finally {
    for (const q of [a, b, producer]) await q.close();
    await temp.cleanup();
  }
});
