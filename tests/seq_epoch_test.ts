/**
 * seq is never given twice when Redis comes back with older counters than the seqs already
 * given out: a restore of an older snapshot, here made with SAVE, more messages, then SIGKILL
 * and a restart from that snapshot. A redis-server of the test's own (port 6394), the epoch in
 * real MariaDB.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { draft } from "../queue/queue_contract.ts";
import { RedisQueue } from "../queue/queue_redis.ts";
import { MysqlSeqEpochs } from "../queue/seq_epochs_mysql.ts";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { eventually } from "./support/fixtures.ts";
import { startRedisProcess } from "./support/redis_process.ts";
import { openTestStores } from "./support/stores.ts";

const PORT = 6394;

Deno.test("Redis restarted from an older snapshot: a new seq epoch, no seq given twice", async () => {
  const stores = await openTestStores();
  const server = await startRedisProcess(PORT, { appendonly: "no", save: "" });
  const redis = await connectRedis(server.url);
  const logs: string[] = [];
  const queue = new RedisQueue({
    redis,
    prefix: "",
    workerId: "p",
    epochs: new MysqlSeqEpochs(stores.pool),
    log: (line) => logs.push(line),
  });
  const seqOf = async (chatid = "a--b") => (await queue.enqueue(draft(chatid, "x"))).ack.seq;
  try {
    const given: number[] = [];
    for (let i = 0; i < 5; i++) given.push(await seqOf());
    await redis.sendCommand(["SAVE"]);
    for (let i = 0; i < 3; i++) given.push(await seqOf());
    assertEquals(given, [1, 2, 3, 4, 5, 6, 7, 8]);

    // The scripts are a cache of the Redis process: flushing them is no reason for an epoch.
    await redis.sendCommand(["SCRIPT", "FLUSH"]);
    given.push(await seqOf());
    assertEquals(given.at(-1), 9);

    await server.kill("SIGKILL");
    await server.restart();
    await eventually(() => redis.isReady, 10_000, "reconnected");
    assertEquals(await queue.lastSeq("a--b"), 5, "the snapshot's counter: older than seq 9");
    const after = [await seqOf(), await seqOf(), await seqOf("other--chat")];
    assertEquals(after, [2 ** 32 + 1, 2 ** 32 + 2, 2 ** 32 + 1]);
    assert(after.every((seq) => !given.includes(seq)));
    assert(
      logs.some((l) =>
        /seq epoch 1 started \(the marker of epoch 0 was set by another Redis/.test(l)
      ),
      logs.join("\n"),
    );
    const [[row]] = await stores.pool.query("SELECT epoch FROM webchat_seq_epoch") as unknown as [
      [{ epoch: number }],
    ];
    assertEquals(Number(row.epoch), 1, "the epoch is kept in MySQL");
  } finally {
    await closeRedis(redis);
    await server.cleanup();
    await stores.cleanup();
  }
});
