/**
 * The server process is killed with SIGKILL while 5,000 messages are being sent: after a
 * restart, every message that got an `ack` is in MySQL exactly once.
 */
import { plainUser } from "./support/fixtures.ts";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { hashPassword } from "../store/password.ts";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { eventually } from "./support/chat_server.ts";
import { freePort, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";
import { openWs } from "./support/ws_client.ts";

const TOTAL = 5000;
const WINDOW = 200;

Deno.test("SIGKILL while 5,000 messages are sent: every acked message is archived exactly once", async () => {
  const stores = await openTestStores();
  const port = freePort();
  const args = ["--port", String(port), "--redis", TEST_REDIS_URL, "--mysql", stores.mysqlUrl];
  const env = {
    CHAT_REDIS_PREFIX: stores.prefix,
    CHAT_DATA_DIR: await Deno.makeTempDir(),
    // The killed process keeps its in-flight batch under a lease; short, so the test is too.
    CHAT_QUEUE_LEASE_SECONDS: "3",
    // One account sends as fast as it can here: the send rate limit is not what is tested.
    CHAT_SEND_PER_SECOND: "1000000",
    CHAT_SEND_BURST: "1000000",
  };
  let server = await spawnServer(args, env);
  try {
    const users = new MysqlUserStore(stores.pool);
    for (const id of ["alice", "bob"]) {
      await users.add(plainUser(id), await hashPassword("pw"));
    }
    const login = await fetch(`${server.url}/api/login`, {
      method: "POST",
      body: JSON.stringify({ accountid: "alice", password: "pw" }),
    });
    const { token } = await login.json();
    const ws = await openWs(server.url, token);
    ws.send({ type: "login", clientName: "alice" });
    await ws.next((f) => f.type === "init");

    const acked = new Set<string>();
    let sent = 0;
    let killed = false;
    ws.socket.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data));
      if (frame.type === "ack") acked.add(frame.mid);
    });
    // Send with a window of unacknowledged frames, as a real client would; kill mid-way.
    while (sent < TOTAL && !killed) {
      while (sent < TOTAL && sent - acked.size < WINDOW) {
        ws.send({ type: "say", chatid: "alice--bob", content: `m${sent}`, cid: `k${sent}` });
        sent++;
      }
      await new Promise((r) => setTimeout(r, 2));
      if (acked.size >= TOTAL * 0.4 && !killed) {
        killed = true;
        await server.kill("SIGKILL");
      }
    }
    await ws.closed;
    const ackedAtKill = new Set(acked);
    assert(
      ackedAtKill.size >= TOTAL * 0.4 && ackedAtKill.size < TOTAL,
      `acked ${ackedAtKill.size}`,
    );

    server = await spawnServer(args, env);
    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const queueKey = `${stores.prefix}chat:msg-list`;
    await eventually(
      async () => {
        if (await stores.redis.lLen(queueKey) > 0) return false;
        let inFlight = 0;
        for await (const keys of stores.redis.scanIterator({ MATCH: `${queueKey}:inflight:*` })) {
          for (const key of keys) inFlight += await stores.redis.lLen(key);
        }
        return inFlight === 0;
      },
      30_000,
      "queue drained after restart",
    );
    const [rows] = await stores.pool.query<RowDataPacket[]>(
      `SELECT mid, COUNT(*) AS n FROM ${table} GROUP BY mid`,
    );
    const archived = new Map(rows.map((r) => [r.mid as string, Number(r.n)]));
    const missing = [...ackedAtKill].filter((mid) => !archived.has(mid));
    assertEquals(missing, [], `${missing.length} acknowledged messages lost`);
    assertEquals([...archived.values()].filter((n) => n !== 1), []);
    const [[seqs]] = await stores.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS distinctSeq FROM ${table}`,
    );
    assertEquals(seqs.n, seqs.distinctSeq);
    console.log(
      `acked before SIGKILL: ${ackedAtKill.size}, archived after restart: ${archived.size}`,
    );
  } finally {
    await server.kill("SIGTERM");
    await stores.cleanup();
  }
});
