/**
 * Benchmark (not a test): the archive worker's path against a plain multi-row INSERT.
 *
 * `deno run -A queue/archive_bench.ts [messages]` builds a backlog (default 50,000) in Redis
 * under a fresh prefix and database, lets the real ArchiveWorker drain it (takeBatch → saveMessages
 * → record → ack, batches of 500), inserts the same rows into fresh tables with plain mysql2
 * INSERTs of 500 rows (before and after the worker run, averaged), and prints both rates and
 * their ratio (target ≥ 0.5).
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { openTestStores, TEST_REDIS_URL } from "../tests/support/stores.ts";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { MysqlArchive } from "./archive_mysql.ts";
import { ARCHIVE_COLUMNS, archiveRow } from "./archive_sql.ts";
import { MonthlyTables } from "./monthly_tables_mysql.ts";
import { type ChatMessage, monthlyTableName, newMid } from "./message.ts";
import { RedisQueue } from "./queue_redis.ts";
import { MemorySeqEpochs } from "../tests/support/memory_seq_epochs.ts";
import { RecentRedis } from "./recent_redis.ts";
import { MysqlWorkerStatus } from "./status_mysql.ts";
import { ArchiveWorker } from "./worker_loop.ts";

const TOTAL = Number(Deno.args[0] ?? 50_000);
const BATCH = 500;

const stores = await openTestStores();
const redis = await connectRedis(TEST_REDIS_URL);
const blocking = await connectRedis(TEST_REDIS_URL);
try {
  const producer = new RedisQueue({
    redis: stores.redis,
    prefix: stores.prefix,
    workerId: "p",
    epochs: new MemorySeqEpochs(),
  });
  const messages: ChatMessage[] = [];
  const now = Math.floor(Date.now() / 1000);
  let started = performance.now();
  for (let i = 0; i < TOTAL; i += BATCH) {
    // Concurrent enqueues: node-redis pipelines them on its one connection.
    const chunk = Array.from({ length: Math.min(BATCH, TOTAL - i) }, (_, j) => {
      const n = i + j;
      const group = n % 10 === 0;
      const chatid = group ? `u${n % 7}-1700000000000` : `u${n % 50}--u${50 + (n % 37)}`;
      return producer.enqueue({
        mid: newMid(),
        chatid,
        fromuser: `u${n % 50}`,
        message: `message ${n}: quite an ordinary line of chat text, 你好 😀 <b>'";--`,
        type: 0,
        fileId: "",
        time: now,
        cid: `c${n}`,
        members: group ? Array.from({ length: 8 }, (_, k) => `u${k}`) : chatid.split("--"),
      });
    });
    for (const result of await Promise.all(chunk)) {
      if (!result.duplicate) messages.push(result.message);
    }
  }
  console.log(`backlog: ${TOTAL} messages in ${seconds(started)} s`);

  // The baseline runs before and after the worker (fresh tables each time) and is averaged:
  // on a small shared machine a single run drifts with whatever else is running.
  const table = monthlyTableName(now);
  await new MonthlyTables(stores.pool).ensure([table]);
  const plainBefore = await plainInsert(messages, table, "bench_plain_before");

  const phases: Record<string, number> = {};
  const worker = new ArchiveWorker({
    queue: timed(
      new RedisQueue({ redis, blocking, prefix: stores.prefix, workerId: "bench" }),
      phases,
    ),
    archive: timed(new MysqlArchive(stores.pool), phases),
    recent: timed(new RecentRedis({ redis, prefix: stores.prefix }), phases),
    status: new MysqlWorkerStatus(stores.pool),
    server: "bench",
    batchSize: BATCH,
  });
  started = performance.now();
  const cpuBefore = cpuUsage();
  await worker.start();
  while (worker.processed < TOTAL) await new Promise((resolve) => setTimeout(resolve, 5));
  const workerSeconds = (performance.now() - started) / 1000;
  const cpu = cpuUsage(cpuBefore);
  console.log(`worker phase CPU of this process: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`);
  await worker.stop();
  const plainAfter = await plainInsert(messages, table, "bench_plain_after");
  const plainSeconds = (plainBefore + plainAfter) / 2;

  const [[archived]] = await stores.pool.query(`SELECT COUNT(*) AS n FROM \`${table}\``) as [
    { n: number }[],
    unknown,
  ];
  const workerRate = TOTAL / workerSeconds;
  const plainRate = TOTAL / plainSeconds;
  console.log(`archived rows: ${archived.n}, batches: ${worker.batches}`);
  console.log(`worker path: ${workerRate.toFixed(0)} rows/s (${workerSeconds.toFixed(2)} s)`);
  console.log(
    `plain INSERT: ${plainRate.toFixed(0)} rows/s (${plainSeconds.toFixed(2)} s: ` +
      `${plainBefore.toFixed(2)} s before, ${plainAfter.toFixed(2)} s after the worker)`,
  );
  const spent = Object.entries(phases).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s`);
  console.log(`worker phases: ${spent.join(", ")}`);
  console.log(`ratio worker/plain: ${(workerRate / plainRate).toFixed(2)} (target >= 0.5)`);
} finally {
  await closeRedis(redis);
  await closeRedis(blocking);
  await stores.cleanup();
}

/** Inserts the rows into a fresh copy of `like` in plain 500-row INSERTs; answers seconds. */
async function plainInsert(messages: ChatMessage[], like: string, table: string) {
  await stores.pool.query(`CREATE TABLE \`${table}\` LIKE \`${like}\``);
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) {
    const rows = messages.slice(i, i + BATCH).map(archiveRow);
    await stores.pool.query(`INSERT INTO \`${table}\` (${ARCHIVE_COLUMNS}) VALUES ?`, [rows]);
  }
  return (performance.now() - started) / 1000;
}

/** The same object, with the time spent in each of its methods added to `phases`. */
function timed<T extends object>(target: T, phases: Record<string, number>): T {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await value.apply(object, args);
        } finally {
          const name = String(key);
          phases[name] = (phases[name] ?? 0) + performance.now() - started;
        }
      };
    },
  });
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}
