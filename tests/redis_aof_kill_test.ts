/**
 * Redis with AOF (appendfsync everysec), a redis-server of the test's own (port 6392), killed
 * with SIGKILL while a `chat` server process takes messages, then restarted: every message
 * that got an `ack` is archived exactly once, and no (chatid, seq) is given or stored twice.
 * (It also caught the archive worker's thread dying at the restart: its prefetched take failed
 * while nobody awaited it yet, an unhandled rejection.)
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { hashPassword } from "../store/password.ts";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { AckedSender } from "./support/acked_sender.ts";
import { eventually, plainUser } from "./support/fixtures.ts";
import { startRedisProcess } from "./support/redis_process.ts";
import { freePort, spawnServer } from "./support/server_process.ts";
import { openTestStores } from "./support/stores.ts";
import { redisQueueSizes } from "./support/redis_queue_state.ts";
import { openWs } from "./support/ws_client.ts";

const PORT = 6392;
const TARGET = 1500;

Deno.test("Redis with AOF killed with SIGKILL under load: every acked message archived once", async () => {
  const stores = await openTestStores();
  const redisServer = await startRedisProcess(PORT, { appendonly: "yes", appendfsync: "everysec" });
  const redis = await connectRedis(redisServer.url);
  const port = freePort();
  const args = ["--port", String(port), "--redis", redisServer.url, "--mysql", stores.mysqlUrl];
  const env = {
    CHAT_REDIS_PREFIX: stores.prefix,
    CHAT_DATA_DIR: await Deno.makeTempDir(),
    // One account sends as fast as it can: the send rate limit is not what is tested.
    CHAT_SEND_PER_SECOND: "1000000",
    CHAT_SEND_BURST: "1000000",
  };
  const server = await spawnServer(args, env);
  try {
    assert(
      server.output.some((l) => /redis persistence: aof-everysec/.test(l)),
      server.output.join("\n"),
    );
    const users = new MysqlUserStore(stores.pool);
    for (const id of ["alice", "bob"]) await users.add(plainUser(id), await hashPassword("pw"));
    const login = await fetch(`${server.url}/api/login`, {
      method: "POST",
      body: JSON.stringify({ accountid: "alice", password: "pw" }),
    });
    const { token } = await login.json();
    const ws = await openWs(server.url, token);
    ws.send({ type: "login", clientName: "alice" });
    await ws.next((f) => f.type === "init");

    const sender = new AckedSender(ws, "alice--bob", "k");
    const sending = sender.sendUntilAcked(TARGET, TARGET * 4);
    await eventually(() => sender.acked.size >= TARGET * 0.4, 30_000, "40% acknowledged");
    await redisServer.kill("SIGKILL");
    const ackedBeforeKill = sender.acked.size;
    await new Promise((r) => setTimeout(r, 1000));
    await redisServer.restart();
    await sending;
    assert(sender.acked.size >= TARGET, `acked ${sender.acked.size} of ${TARGET}`);
    assert(sender.refused.size > 0, "some were refused while Redis was down");
    assert([...sender.refused.values()].every((info) => info === "unavailable"));

    await eventually(
      async () => {
        const { pending, inFlight } = await redisQueueSizes(redis, stores.prefix);
        return pending + inFlight === 0;
      },
      30_000,
      "queue drained",
    ).catch(async (error) => {
      const sizes = await redisQueueSizes(redis, stores.prefix);
      console.log(sizes, server.output.filter((l) => !/enqueue failed/.test(l)).join("\n"));
      throw error;
    });
    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const [rows] = await stores.pool.query<RowDataPacket[]>(
      `SELECT mid, seq, COUNT(*) OVER (PARTITION BY mid) AS copies FROM ${table}`,
    );
    const archived = new Map(rows.map((r) => [String(r.mid), Number(r.seq)]));
    const acked = sender.inOrder;
    const missing = acked.filter((a) => !archived.has(a.mid));
    assertEquals(missing.length, 0, `${missing.length} acknowledged messages lost`);
    assertEquals(rows.filter((r) => Number(r.copies) !== 1), [], "each mid archived once");
    assertEquals(archived.size, acked.length, "nothing archived that was not acknowledged");
    assert(acked.every((a) => archived.get(a.mid) === a.seq), "archived with the acked seq");
    assertEquals(new Set(acked.map((a) => a.seq)).size, acked.length, "no seq acked twice");
    const [[dupes]] = await stores.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM (SELECT chatid, seq FROM ${table}
         GROUP BY chatid, seq HAVING COUNT(*) > 1) AS d`,
    );
    assertEquals(Number(dupes.n), 0, "no (chatid, seq) stored twice");
    const beforeKill = acked.slice(0, ackedBeforeKill);
    const afterRestart = acked.slice(ackedBeforeKill);
    const highestBefore = Math.max(...beforeKill.map((a) => a.seq));
    assert(afterRestart.every((a) => a.seq > highestBefore), "seq only goes up");
    console.log(
      `acked ${acked.length} (${ackedBeforeKill} before SIGKILL), refused ${sender.refused.size} ` +
        `while Redis was down, archived ${archived.size}; first seq after the restart ` +
        `${afterRestart[0]?.seq} (a new epoch: Redis restarted)`,
    );
  } finally {
    await server.kill("SIGTERM");
    await closeRedis(redis);
    await redisServer.cleanup();
    await stores.cleanup();
  }
});
