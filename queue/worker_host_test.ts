import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { defaultConfig } from "../config/config.ts";
import { openTestStores, TEST_REDIS_URL } from "../tests/support/stores.ts";
import { MysqlArchive } from "./archive_mysql.ts";
import { newMid } from "./message.ts";
import { RedisQueue } from "./queue_redis.ts";
import { MemorySeqEpochs } from "../tests/support/memory_seq_epochs.ts";
import { MysqlWorkerStatus } from "./status_mysql.ts";
import { startArchiveWorker } from "./worker_host.ts";

Deno.test("the Web Worker archives what the main thread enqueues and stops cleanly", async () => {
  const stores = await openTestStores();
  const config = {
    ...defaultConfig(),
    redisUrl: TEST_REDIS_URL,
    redisPrefix: stores.prefix,
    mysqlUrl: stores.mysqlUrl,
  };
  const handle = await startArchiveWorker(config, "host-test:8080:1.abc-w1", "host-test:8080");
  try {
    const producer = new RedisQueue({
      redis: stores.redis,
      prefix: stores.prefix,
      workerId: "p",
      epochs: new MemorySeqEpochs(),
    });
    for (let i = 1; i <= 20; i++) {
      await producer.enqueue({
        mid: newMid(),
        chatid: "alice--bob",
        fromuser: "alice",
        message: `hello ${i} 你好`,
        type: 0,
        fileId: "",
        time: Math.floor(Date.now() / 1000),
        cid: "",
        members: ["alice", "bob"],
      });
    }
    const archive = new MysqlArchive(stores.pool);
    const deadline = Date.now() + 10_000;
    let count = 0;
    while (count < 20 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      count = (await archive.history({ chatid: "alice--bob", limit: 100 })).messages.length;
    }
    assertEquals(count, 20);
    await handle.stop();
    const [row] = await new MysqlWorkerStatus(stores.pool).list();
    assertEquals([row.server, row.processedTotal, row.state], ["host-test:8080", 20, "stopped"]);
  } finally {
    await handle.stop();
    await stores.cleanup();
  }
});

Deno.test("startArchiveWorker rejects with the worker's error", async () => {
  // MySQL may be down when a worker starts (it retries); the queue's Redis may not.
  const config = {
    ...defaultConfig(),
    redisUrl: "redis://127.0.0.1:1/0", // nothing listens on port 1
    redisPrefix: "unused:",
    mysqlUrl: "mysql://root@127.0.0.1:1/webchat_unreachable",
  };
  await rejects(startArchiveWorker(config, "x", "x"), /ECONNREFUSED|connect/i);
});
