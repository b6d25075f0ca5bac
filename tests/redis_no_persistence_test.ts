/**
 * Redis without persistence (a redis-server of the test's own, port 6393) restarted while the
 * archive has a backlog (MariaDB unreachable through a proxy the test owns). What was still
 * queued is lost: the test says so and counts it. What must hold: the warning is shown in
 * /healthz and the log, no seq is acknowledged twice, no (chatid, seq) is archived twice, and a
 * catch-up from the last seq a client saw returns every message sent after the restart.
 */
import { deepStrictEqual as assertEquals, match, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { hashPassword } from "../store/password.ts";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { AckedSender } from "./support/acked_sender.ts";
import { eventually, plainUser } from "./support/fixtures.ts";
import { startRedisProcess } from "./support/redis_process.ts";
import { redisQueueSizes } from "./support/redis_queue_state.ts";
import { freePort, type ServerProcess, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_MYSQL_SERVER } from "./support/stores.ts";
import { startTcpProxy } from "./support/tcp_proxy.ts";
import { openWs } from "./support/ws_client.ts";

const PORT = 6393;
const CHAT = "alice--bob";

async function connectAlice(server: ServerProcess) {
  const login = await fetch(`${server.url}/api/login`, {
    method: "POST",
    body: JSON.stringify({ accountid: "alice", password: "pw" }),
  });
  assertEquals(login.status, 200);
  const { token } = await login.json();
  const ws = await openWs(server.url, token);
  ws.send({ type: "login", clientName: "alice" });
  await ws.next((f) => f.type === "init");
  return { token: token as string, ws };
}

Deno.test("Redis without persistence restarted with a backlog: no seq given twice, loss counted", async () => {
  const stores = await openTestStores();
  const proxy = startTcpProxy(Number(new URL(TEST_MYSQL_SERVER).port || 3306));
  const redisServer = await startRedisProcess(PORT, { appendonly: "no", save: "" });
  const redis = await connectRedis(redisServer.url);
  const mysqlUrl = `mysql://root@127.0.0.1:${proxy.port}/${stores.database}`;
  const args = ["--port", String(freePort()), "--redis", redisServer.url, "--mysql", mysqlUrl];
  const env = {
    CHAT_REDIS_PREFIX: stores.prefix,
    CHAT_DATA_DIR: await Deno.makeTempDir(),
    // One account sends as fast as it can: the send rate limit is not what is tested.
    CHAT_SEND_PER_SECOND: "1000000",
    CHAT_SEND_BURST: "1000000",
  };
  const server = await spawnServer(args, env);
  const sockets: { close(): Promise<void> }[] = [];
  try {
    assert(
      server.output.some((l) => /WARNING: Redis has no persistence/.test(l)),
      server.output.join("\n"),
    );
    const health = await (await fetch(`${server.url}/healthz`)).json();
    assertEquals([health.ok, health.durability.persistence], [true, "none"]);
    match(health.durability.ackSurvives, /^nothing/);
    match(health.warnings[0], /no persistence .* worth nothing if Redis restarts/);
    // `chat status` says it too, beside the queue counts.
    const status = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../main.ts", import.meta.url).pathname, "status", ...args],
      env: { ...env, NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const printed = new TextDecoder().decode(status.stdout);
    match(printed, /^redis persistence: none: an acknowledged message survives nothing/m);
    match(printed, /^WARNING: Redis has no persistence/m);
    const users = new MysqlUserStore(stores.pool);
    for (const id of ["alice", "bob"]) await users.add(plainUser(id), await hashPassword("pw"));

    // 50 messages archived as usual, then 200 more while MariaDB is unreachable: a backlog.
    const first = await connectAlice(server);
    sockets.push(first.ws);
    const before = new AckedSender(first.ws, CHAT, "before");
    await before.sendUntilAcked(50, 50);
    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const archivedMids = async () => {
      const [rows] = await stores.pool.query<RowDataPacket[]>(`SELECT mid FROM ${table}`);
      return new Set(rows.map((r) => String(r.mid)));
    };
    await eventually(async () => (await archivedMids()).size === 50, 10_000, "50 archived");
    proxy.cut();
    await before.sendUntilAcked(250, 250);
    const backlog = await redisQueueSizes(redis, stores.prefix);
    assert(backlog.pending + backlog.inFlight > 0, `backlog ${JSON.stringify(backlog)}`);
    const lastSeenSeq = Math.max(...before.inOrder.map((a) => a.seq));

    // Redis restarts empty. MariaDB comes back.
    await redisServer.kill("SIGKILL");
    await redisServer.restart();
    proxy.restore();
    await eventually(() => redis.isReady, 10_000, "test client reconnected");

    // Sessions were in Redis too: alice logs in again and goes on.
    const second = await eventually(() => connectAlice(server).catch(() => null), 15_000, "login");
    sockets.push(second.ws);
    const after = new AckedSender(second.ws, CHAT, "after");
    await after.sendUntilAcked(100, 100);
    const acked = [...before.inOrder, ...after.inOrder];
    assertEquals(new Set(acked.map((a) => a.seq)).size, acked.length, "no seq acknowledged twice");
    await eventually(
      async () => {
        const { pending, inFlight } = await redisQueueSizes(redis, stores.prefix);
        return pending + inFlight === 0 && (await archivedMids()).size >= 150;
      },
      30_000,
      "the new messages archived",
    );

    const [[dupes]] = await stores.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM (SELECT chatid, seq FROM ${table}
         GROUP BY chatid, seq HAVING COUNT(*) > 1) AS d`,
    );
    assertEquals(Number(dupes.n), 0, "no (chatid, seq) archived twice");
    const archived = await archivedMids();
    assertEquals(after.inOrder.filter((a) => !archived.has(a.mid)), [], "all new ones archived");
    assert(after.inOrder.every((a) => a.seq > lastSeenSeq), "seq goes on past what was seen");

    // The catch-up a client does from the last seq it saw gets every message since.
    const page = await fetch(
      `${server.url}/api/chats/${CHAT}/messages?after=${lastSeenSeq}&limit=100`,
      { headers: { authorization: `Bearer ${second.token}` } },
    ).then((r) => r.json());
    assertEquals(page.messages.map((m: { mid: string }) => m.mid), after.inOrder.map((a) => a.mid));
    assertEquals(page.hasMore, false);

    // What Redis held and MariaDB did not have yet is gone: acknowledged, delivered live, lost.
    const backlogAcked = before.inOrder.slice(50);
    const lost = backlogAcked.filter((a) => !archived.has(a.mid));
    assert(lost.length > 0, "a Redis without persistence loses the queue (as /healthz warns)");
    console.log(
      `Redis without persistence restarted with ${backlogAcked.length} acknowledged messages ` +
        `not yet archived: ${lost.length} lost, ${backlogAcked.length - lost.length} saved by ` +
        `the worker's batch in hand; after the restart seq went on at ${after.inOrder[0].seq}`,
    );
    const queueStatus = await fetch(`${server.url}/api/queue/status`, {
      headers: { authorization: `Bearer ${second.token}` },
    }).then((r) => r.json());
    assertEquals(queueStatus.durability.persistence, "none");
    assertEquals(queueStatus.durability.settings.appendonly, "no");
    match(queueStatus.durability.warnings[0], /no persistence/);
    const healthAfter = await (await fetch(`${server.url}/healthz`)).json();
    assertEquals(healthAfter.ok, true);
    match(healthAfter.warnings[0], /no persistence/);
  } finally {
    for (const socket of sockets) await socket.close().catch(() => {});
    await server.kill("SIGTERM");
    await closeRedis(redis);
    await redisServer.cleanup();
    await proxy.close();
    await stores.cleanup();
  }
});
