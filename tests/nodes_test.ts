/**
 * Two `chat start` processes share one Redis (same prefix) and one MariaDB database. Node A
 * dies with SIGKILL while it holds batches in flight (its MySQL connection is cut, so what it
 * took stays in its in-flight list); node B, without restarting, takes them back once A's
 * lease lapses and archives every message A acknowledged, exactly once.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { hashPassword } from "../store/password.ts";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { eventually } from "./support/chat_server.ts";
import { loginOver, openChatSession } from "./support/chat_session.ts";
import { plainUser } from "./support/fixtures.ts";
import { freePort, type ServerProcess, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_MYSQL_SERVER, TEST_REDIS_URL } from "./support/stores.ts";
import { startTcpProxy } from "./support/tcp_proxy.ts";
import type { WsClient } from "./support/ws_client.ts";

const LEASE_SECONDS = 3;

/** Sends `count` messages at once and waits for every answer; answers the acked mids. */
async function burst(ws: WsClient, chatid: string, tag: string, count: number) {
  for (let i = 0; i < count; i++) {
    ws.send({ type: "say", chatid, content: `${tag}-${i}`, cid: `${tag}-${i}` });
  }
  const mids: string[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await ws.next((f) => f.cid === `${tag}-${i}` && f.type !== "say", 10_000);
    assertEquals(answer.type, "ack", JSON.stringify(answer));
    mids.push(answer.mid);
  }
  return mids;
}

Deno.test("a dead node's in-flight messages are archived by a live node once its lease lapses", async () => {
  const stores = await openTestStores();
  const proxyA = startTcpProxy(Number(new URL(TEST_MYSQL_SERVER).port || 3306));
  const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const env = (data: string) => ({
    CHAT_REDIS_PREFIX: stores.prefix,
    CHAT_DATA_DIR: data,
    CHAT_QUEUE_LEASE_SECONDS: String(LEASE_SECONDS),
    CHAT_SEND_PER_SECOND: "10000",
    CHAT_SEND_BURST: "10000",
  });
  const start = (mysqlUrl: string, data: string) =>
    spawnServer(
      ["--port", String(freePort()), "--redis", TEST_REDIS_URL, "--mysql", mysqlUrl],
      env(data),
    );
  const servers: ServerProcess[] = [];
  try {
    const a = await start(`mysql://root@127.0.0.1:${proxyA.port}/${stores.database}`, dirs[0]);
    servers.push(a);
    const b = await start(stores.mysqlUrl, dirs[1]);
    servers.push(b);
    const users = new MysqlUserStore(stores.pool);
    for (const id of ["alice", "bob", "carol", "dave"]) {
      await users.add(plainUser(id), await hashPassword("pw"));
    }
    const alice = await openChatSession(a.url, "alice", await loginOver(a.url, "alice", "pw"));
    const carol = await openChatSession(b.url, "carol", await loginOver(b.url, "carol", "pw"));
    const acked = [
      ...await burst(alice.ws, "alice--bob", "a-up", 50),
      ...await burst(carol.ws, "carol--dave", "b-up", 50),
    ];

    // A can no longer write to MySQL: whatever its worker takes from now on stays in flight.
    proxyA.cut();
    const queueKey = `${stores.prefix}chat:msg-list`;
    // A worker's in-flight list is named after its node ("host:port", then a unique suffix).
    const inFlightOf = async (port: string | null) => {
      let total = 0;
      for await (const keys of stores.redis.scanIterator({ MATCH: `${queueKey}:inflight:*` })) {
        for (const key of keys) {
          if (port === null || new RegExp(`:${port}(:|$)`).test(key)) {
            total += await stores.redis.lLen(key);
          }
        }
      }
      return total;
    };
    const portA = new URL(a.url).port;
    // The two workers compete for the queue; send through A until A's worker holds some.
    let heldByA = 0;
    for (let round = 0; heldByA === 0 && round < 20; round++) {
      acked.push(...await burst(alice.ws, "alice--bob", `a-down${round}`, 20));
      await new Promise((r) => setTimeout(r, 200));
      heldByA = await inFlightOf(portA);
    }
    assert(heldByA > 0, "node A never held a batch in flight");

    await a.kill("SIGKILL");
    const killedAt = Date.now();
    // B keeps taking traffic of its own meanwhile.
    acked.push(...await burst(carol.ws, "carol--dave", "b-after", 20));

    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const rows = await eventually(
      async () => {
        const [rows] = await stores.pool.query<RowDataPacket[]>(
          `SELECT mid, COUNT(*) AS copies FROM \`${table}\` GROUP BY mid`,
        );
        return rows.length >= acked.length ? rows : null;
      },
      (LEASE_SECONDS + 10) * 1000,
      "every acknowledged message archived",
    );
    const seconds = (Date.now() - killedAt) / 1000;
    const copies = new Map(rows.map((r) => [String(r.mid), Number(r.copies)]));
    assertEquals(acked.filter((mid) => copies.get(mid) !== 1), []);
    assertEquals(rows.length, acked.length);
    assert(seconds < LEASE_SECONDS + 5, `took ${seconds} s after the kill`);
    await eventually(async () => await inFlightOf(null) === 0, 5000, "nothing left in flight");
    assertEquals(await stores.redis.lLen(queueKey), 0);
    // B did it without a restart.
    assertEquals(servers[1].output.filter((l) => /webChat listening/.test(l)).length, 1);
    assert(
      b.output.some((line) => /took back \d+ in-flight messages of a stopped worker/.test(line)),
      b.output.join("\n"),
    );
    console.log(
      `A held ${heldByA} in flight at SIGKILL; all ${acked.length} archived ${
        seconds.toFixed(1)
      } s after it`,
    );
  } finally {
    for (const server of servers) await server.kill("SIGTERM");
    await proxyA.close();
    await stores.cleanup();
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
});
