import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { eventually, sampleDraft } from "../tests/support/fixtures.ts";
import { openTestStores, TEST_REDIS_URL, type TestStores } from "../tests/support/stores.ts";
import { startTcpProxy } from "../tests/support/tcp_proxy.ts";
import { closeRedis, connectRedis, type RedisClient } from "../store/redis_client.ts";
import { type MysqlPool, openMysql } from "../store/mysql_pool.ts";
import { MysqlArchive } from "./archive_mysql.ts";
import { monthlyTableName } from "./message.ts";
import { RedisQueue } from "./queue_redis.ts";
import { MemorySeqEpochs } from "../tests/support/memory_seq_epochs.ts";
import { RecentRedis } from "./recent_redis.ts";
import { MysqlWorkerStatus } from "./status_mysql.ts";
import { ArchiveWorker } from "./worker_loop.ts";

const draft = sampleDraft;
const until = (what: string, condition: () => boolean | Promise<boolean>, ms = 10_000) =>
  eventually(condition, ms, what);

/** A worker with its own named Redis connections, archiving into `pool`. */
async function worker(
  stores: TestStores,
  pool: MysqlPool,
  logs: string[] = [],
  onStopped?: () => void,
) {
  const redis = await connectRedis(TEST_REDIS_URL, { name: `${stores.prefix}cmd` });
  const blocking = await connectRedis(TEST_REDIS_URL, { name: `${stores.prefix}blk` });
  const queue = new RedisQueue({ redis, blocking, prefix: stores.prefix, workerId: "w1" });
  const loop = new ArchiveWorker({
    queue,
    archive: new MysqlArchive(pool),
    recent: new RecentRedis({ redis, prefix: stores.prefix }),
    status: new MysqlWorkerStatus(pool),
    server: "test:1",
    heartbeatMs: 200,
    // Renewed every 10 s: the idle check below sees no command for its 2.5 s.
    leaseMs: 30_000,
    log: (line) => logs.push(line),
    onStopped,
  });
  return {
    loop,
    queue,
    async close() {
      await loop.stop();
      await closeRedis(redis);
    },
  };
}

/** CLIENT LIST entries of the worker's two connections, as field maps. */
async function workerClients(redis: RedisClient, prefix: string) {
  const list = await redis.sendCommand<string>(["CLIENT", "LIST"]);
  const clients = list.trim().split("\n").map((line) =>
    Object.fromEntries(line.split(" ").map((field) => field.split("=", 2)))
  );
  const byName = (name: string) => clients.find((c) => c.name === `${prefix}${name}`)!;
  return { cmd: byName("cmd"), blk: byName("blk") };
}

Deno.test("ArchiveWorker archives, indexes and acknowledges, then sleeps in Redis", async () => {
  const stores = await openTestStores();
  const producer = new RedisQueue({
    redis: stores.redis,
    prefix: stores.prefix,
    workerId: "p",
    epochs: new MemorySeqEpochs(),
  });
  const w = await worker(stores, stores.pool);
  try {
    await w.loop.start();
    for (let i = 1; i <= 30; i++) await producer.enqueue(draft(i % 2 ? "alice--bob" : "g-1", i));
    await until("30 processed", () => w.loop.processed === 30);
    const archive = new MysqlArchive(stores.pool);
    const page = await archive.history({ chatid: "alice--bob", limit: 100 });
    assertEquals(page.messages.map((m) => m.seq), Array.from({ length: 15 }, (_, i) => i + 1));
    assertEquals(page.messages[0].message, "m1 '; DROP TABLE x; -- <b>😀</b>");
    const recent = new RecentRedis({ redis: stores.redis, prefix: stores.prefix });
    assertEquals((await recent.lastMessages("g-1")).length, 15);
    assertEquals((await recent.contacts("carol", 10)).map((c) => c.chatid), ["g-1"]);
    assertEquals((await recent.contacts("alice", 10)).length, 2);
    assertEquals(await producer.counts(), { pending: 0, inFlight: 0, parked: 0 });

    // Idle: the worker must send Redis nothing. INFO's global counters would also count other
    // clients of this shared server, so each of the worker's own connections is read instead:
    // `idle` is the seconds since that connection's last command.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const { cmd, blk } = await workerClients(stores.redis, stores.prefix);
    assert(Number(cmd.idle) >= 2, `command connection idle ${cmd.idle}s`);
    assertEquals(blk.cmd, "blmove");
    assert(blk.flags.includes("b"), `blocking connection flags ${blk.flags}`);
    assert(Number(blk.idle) >= 2, `blocking connection idle ${blk.idle}s`);

    const stopping = Date.now();
    await w.close();
    assert(Date.now() - stopping < 1000, "stop interrupts the blocking wait");
    const [row] = await new MysqlWorkerStatus(stores.pool).list();
    assertEquals([row.server, row.processedTotal, row.processedToday], ["test:1", 30, 30]);
  } finally {
    await w.close();
    await stores.cleanup();
  }
});

Deno.test("ArchiveWorker keeps a batch in flight while MySQL is unreachable", async () => {
  const stores = await openTestStores();
  const proxy = startTcpProxy(Number(new URL(stores.mysqlUrl).port || 3306));
  const target = new URL(stores.mysqlUrl);
  target.host = `127.0.0.1:${proxy.port}`;
  const pool = await openMysql(target.href, { createDatabase: false, connectTimeoutMs: 1000 });
  const producer = new RedisQueue({
    redis: stores.redis,
    prefix: stores.prefix,
    workerId: "p",
    epochs: new MemorySeqEpochs(),
  });
  const logs: string[] = [];
  const w = await worker(stores, pool, logs);
  try {
    await w.loop.start();
    for (let i = 1; i <= 10; i++) await producer.enqueue(draft("alice--bob", i));
    await until("10 processed", () => w.loop.processed === 10);

    proxy.cut();
    for (let i = 11; i <= 30; i++) await producer.enqueue(draft("alice--bob", i));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assertEquals(w.loop.processed, 10, "nothing acknowledged while MySQL is down");
    const during = await producer.counts();
    assert(during.inFlight > 0, "the batch in hand stays in flight");
    assertEquals(during.inFlight + during.pending, 20);
    assert(logs.some((line) => line.includes("archive failed")), logs.join("\n"));

    proxy.restore();
    await until("30 processed", () => w.loop.processed === 30, 15_000);
    assertEquals(await producer.counts(), { pending: 0, inFlight: 0, parked: 0 });
    const [rows] = await stores.pool.query(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT mid) AS mids, MIN(seq) AS lo, MAX(seq) AS hi
         FROM ${monthlyTableName(Date.now() / 1000)}`,
    );
    assertEquals(
      (rows as Record<string, number>[]).map((r) => [r.n, r.mids, r.lo, r.hi].map(Number)),
      [[30, 30, 1, 30]],
    );
    await w.close();
    const [row] = await new MysqlWorkerStatus(stores.pool).list();
    assertEquals(row.processedTotal, 30);
  } finally {
    await w.close();
    await pool.end();
    await proxy.close();
    await stores.cleanup();
  }
});

Deno.test("ArchiveWorker stops by itself when the status row asks", async () => {
  const stores = await openTestStores();
  let stopped = false;
  const w = await worker(stores, stores.pool, [], () => stopped = true);
  try {
    await w.loop.start();
    await until("first heartbeat", () => w.loop.lastStatus !== undefined);
    await stores.pool.query("UPDATE queue_deamon_status SET dostop = 1");
    await until("the worker to stop", () => stopped, 3000);
    assertEquals((await new MysqlWorkerStatus(stores.pool).list())[0].stopRequested, false);
  } finally {
    await w.close();
    await stores.cleanup();
  }
});

Deno.test("ArchiveWorker writes a batch that spans a month boundary to two monthly tables", async () => {
  const stores = await openTestStores();
  const producer = new RedisQueue({
    redis: stores.redis,
    prefix: stores.prefix,
    workerId: "p",
    epochs: new MemorySeqEpochs(),
  });
  const w = await worker(stores, stores.pool);
  try {
    // Queued before the worker starts, so both months arrive in one batch.
    const lastOfJanuary = new Date(2026, 0, 31, 23, 59, 59).getTime() / 1000;
    const firstOfFebruary = new Date(2026, 1, 1, 0, 0, 1).getTime() / 1000;
    await producer.enqueue({ ...draft("alice--bob", 1), time: lastOfJanuary });
    await producer.enqueue({ ...draft("alice--bob", 2), time: firstOfFebruary });
    await w.loop.start();
    await until("2 processed", () => w.loop.processed === 2);
    assertEquals(w.loop.batches, 1);
    for (
      const [table, seq] of [["webchat_message202601", 1], ["webchat_message202602", 2]] as const
    ) {
      const [rows] = await stores.pool.query(`SELECT seq FROM ${table}`);
      assertEquals((rows as { seq: number }[]).map((r) => r.seq), [seq], table);
    }
    const archive = new MysqlArchive(stores.pool);
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => m.seq), [1, 2]);
  } finally {
    await w.close();
    await stores.cleanup();
  }
});

Deno.test("ArchiveWorker parks a message the archive refuses for good and goes on", async () => {
  const stores = await openTestStores();
  const producer = new RedisQueue({
    redis: stores.redis,
    prefix: stores.prefix,
    workerId: "p",
    epochs: new MemorySeqEpochs(),
  });
  const logs: string[] = [];
  const w = await worker(stores, stores.pool, logs);
  try {
    await producer.enqueue(draft("alice--bob", 1));
    // Wider than webchat_messageYYYYMM.fromuser: the gateway never sends one, a bug might.
    await producer.enqueue({ ...draft("alice--bob", 2), fromuser: "x".repeat(41) });
    await producer.enqueue(draft("alice--bob", 3));
    await w.loop.start();
    await until("2 archived", () => w.loop.processed === 2);
    assertEquals(await producer.counts(), { pending: 0, inFlight: 0, parked: 1 });
    const [parked] = await stores.redis.lRange(`${stores.prefix}chat:msg-list:parked`, 0, -1);
    const record = JSON.parse(parked);
    assertEquals([record.message.seq, record.message.fromuser.length], [2, 41]);
    assert(/fromuser is too long/.test(record.reason), record.reason);
    const page = await new MysqlArchive(stores.pool).history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => m.seq), [1, 3]);
    assert(logs.some((line) => /parked/.test(line)), logs.join("\n"));
  } finally {
    await w.close();
    await stores.cleanup();
  }
});
