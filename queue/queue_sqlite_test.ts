import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { DatabaseSync } from "node:sqlite";
import { openTempSqlite, type TempSqlite } from "../store/temp_db_sqlite.ts";
import { describeQueueContract, draft, type TestQueue } from "./queue_contract.ts";
import { SqliteQueue } from "./queue_sqlite.ts";

function queue(temp: TempSqlite, workerId = "w1", db: DatabaseSync = temp.db) {
  return new SqliteQueue({ db, path: temp.path, workerId });
}

describeQueueContract("SqliteQueue", async () => {
  const temp = await openTempSqlite();
  const queues: TestQueue[] = [];
  const made = (queue: SqliteQueue) => {
    queues.push(queue);
    return queue;
  };
  return {
    // Another connection to the file, as the archive worker's Web Worker has.
    consumer: (workerId) => Promise.resolve(made(queue(temp, workerId, temp.connect().db))),
    producer: (workerId) => made(new SqliteQueue({ db: temp.db, path: temp.path, workerId })),
    cidTtl(fromuser, cid) {
      const row = temp.db.prepare("SELECT expires FROM queue_cid WHERE fromuser = ? AND cid = ?")
        .get(fromuser, cid);
      return Promise.resolve(Number(row?.expires) - Date.now() / 1000);
    },
    expireCids() {
      temp.db.prepare("UPDATE queue_cid SET expires = 1").run();
      return Promise.resolve();
    },
    cidRecord(fromuser, cid) {
      const row = temp.db.prepare("SELECT payload FROM queue_cid WHERE fromuser = ? AND cid = ?")
        .get(fromuser, cid);
      return Promise.resolve(row ? String(row.payload) : null);
    },
    inFlight(workerId) {
      const rows = temp.db.prepare("SELECT payload FROM queue_item WHERE owner = ? ORDER BY id")
        .all(workerId);
      return Promise.resolve(rows.map((row) => String(row.payload)));
    },
    async close() {
      for (const queue of queues) await queue.close();
      await temp.cleanup();
    },
  };
});

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
