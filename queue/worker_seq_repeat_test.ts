/**
 * A queued message whose (chatid, seq) the archive already holds under another mid (what a
 * re-used seq would produce) is neither dropped nor stored twice: the worker parks it with the
 * archive's reason and archives the rest of its batch. Both backends.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { eventually, sampleDraft } from "../tests/support/fixtures.ts";
import { MemorySeqEpochs } from "../tests/support/memory_seq_epochs.ts";
import { openTestStores, TEST_REDIS_URL } from "../tests/support/stores.ts";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import type { MessageArchive } from "./archive.ts";
import { MysqlArchive } from "./archive_mysql.ts";
import { SqliteArchive } from "./archive_sqlite.ts";
import { newMid } from "./message.ts";
import type { MessageConsumer, MessageProducer } from "./queue.ts";
import { RedisQueue } from "./queue_redis.ts";
import { SqliteQueue } from "./queue_sqlite.ts";
import { RecentRedis } from "./recent_redis.ts";
import type { RecentIndex } from "./recent_index.ts";
import { SqliteRecent } from "./recent_sqlite.ts";
import { MysqlWorkerStatus } from "./status_mysql.ts";
import { SqliteWorkerStatus } from "./status_sqlite.ts";
import type { WorkerStatusStore } from "./worker_status.ts";
import { ArchiveWorker } from "./worker_loop.ts";

interface Parts {
  producer: MessageProducer;
  consumer: MessageConsumer & { close(): Promise<void> };
  archive: MessageArchive;
  recent: RecentIndex;
  status: WorkerStatusStore;
  /** The parked records' reasons, as stored. */
  parkedReasons(): Promise<string[]>;
}

async function parksTheRepeat(parts: Parts): Promise<void> {
  // seq 2 of alice--bob is archived already, under a mid no queued message has.
  const earlier = {
    ...sampleDraft("alice--bob", 0),
    mid: newMid(),
    seq: 2,
    message: "the first 2",
  };
  await parts.archive.saveMessages([earlier]);
  for (let i = 1; i <= 3; i++) await parts.producer.enqueue(sampleDraft("alice--bob", i));
  const logs: string[] = [];
  const worker = new ArchiveWorker({
    queue: parts.consumer,
    archive: parts.archive,
    recent: parts.recent,
    status: parts.status,
    server: "repeat-test",
    log: (line) => logs.push(line),
  });
  await worker.start();
  try {
    await eventually(() => worker.processed === 2, 10_000, "the two others archived");
    const counts = await parts.producer.counts();
    assertEquals(counts, { pending: 0, inFlight: 0, parked: 1 });
    const reasons = await parts.parkedReasons();
    assertEquals(reasons.length, 1);
    assert(
      /seq 2 of alice--bob is archived already under another mid/.test(reasons[0]),
      reasons[0],
    );
    const page = await parts.archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => [m.seq, m.message.slice(0, 11)]), [
      [1, "m1 '; DROP "],
      [2, "the first 2"],
      [3, "m3 '; DROP "],
    ]);
    assert(logs.some((l) => /parked .*another mid/.test(l)), logs.join("\n"));
  } finally {
    await worker.stop();
  }
}

Deno.test("production worker parks a message repeating an archived seq, with the reason", async () => {
  const stores = await openTestStores();
  const blocking = await connectRedis(TEST_REDIS_URL);
  const queue = (workerId: string, withBlocking = false) =>
    new RedisQueue({
      redis: stores.redis,
      blocking: withBlocking ? blocking : undefined,
      prefix: stores.prefix,
      workerId,
      epochs: new MemorySeqEpochs(),
    });
  try {
    await parksTheRepeat({
      producer: queue("p"),
      consumer: queue("w", true),
      archive: new MysqlArchive(stores.pool),
      recent: new RecentRedis({ redis: stores.redis, prefix: stores.prefix }),
      status: new MysqlWorkerStatus(stores.pool),
      parkedReasons: async () =>
        (await stores.redis.lRange(`${stores.prefix}chat:msg-list:parked`, 0, -1))
          .map((raw) => JSON.parse(raw).reason),
    });
  } finally {
    await closeRedis(blocking);
    await stores.cleanup();
  }
});

Deno.test("embedded worker parks a message repeating an archived seq, with the reason", async () => {
  const temp = await openTempSqlite();
  const worker = temp.connect();
  const consumer = new SqliteQueue({ db: worker.db, path: temp.path, workerId: "w" });
  try {
    await parksTheRepeat({
      producer: new SqliteQueue({ db: temp.db, path: temp.path, workerId: "p" }),
      consumer,
      archive: new SqliteArchive(worker.db),
      recent: new SqliteRecent(worker.db),
      status: new SqliteWorkerStatus(worker.db),
      parkedReasons: () =>
        Promise.resolve(
          temp.db.prepare("SELECT reason FROM queue_parked").all().map((r) => String(r.reason)),
        ),
    });
  } finally {
    await consumer.close();
    await temp.cleanup();
  }
});
