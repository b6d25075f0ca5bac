/**
 * MySQL outages around a server's (re)start, on real `chat start` processes over real Redis and
 * MariaDB (behind a TCP proxy the test cuts): `chat reload` while MySQL is down must leave a
 * worker that keeps trying, and a server started while MySQL is down must come up degraded,
 * keep existing sessions chatting, and archive everything once MySQL answers.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import type { MysqlPool } from "../store/mysql_pool.ts";
import { hashPassword } from "../store/password.ts";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { eventually, startTestServer } from "./support/chat_server.ts";
import { getJson, loginOver, openChatSession } from "./support/chat_session.ts";
import { plainUser } from "./support/fixtures.ts";
import { freePort, type ServerProcess, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_MYSQL_SERVER, TEST_REDIS_URL } from "./support/stores.ts";
import { startTcpProxy } from "./support/tcp_proxy.ts";
import type { WsClient } from "./support/ws_client.ts";

const MYSQL_PORT = Number(new URL(TEST_MYSQL_SERVER).port || 3306);

/** Sends `count` messages to bob and waits for each ack; answers their mids. */
async function sendAcked(ws: WsClient, tag: string, count: number): Promise<string[]> {
  const mids: string[] = [];
  for (let i = 0; i < count; i++) {
    const cid = `${tag}${i}`;
    ws.send({ type: "say", chatid: "alice--bob", content: cid, cid });
    const answer = await ws.next((f) => f.cid === cid && f.type !== "say", 10_000);
    assertEquals(answer.type, "ack", JSON.stringify(answer));
    mids.push(answer.mid);
  }
  return mids;
}

/** mid → copies in the current month's table of `database` (empty while it does not exist). */
async function archived(pool: MysqlPool, database: string): Promise<Map<string, number>> {
  const table = monthlyTableName(Math.floor(Date.now() / 1000));
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT mid, COUNT(*) AS copies FROM \`${database}\`.\`${table}\` GROUP BY mid`,
  );
  return new Map(rows.map((r) => [String(r.mid), Number(r.copies)]));
}

Deno.test("chat reload while MySQL is down: the worker keeps trying; every acked message is archived once MySQL is back", async () => {
  const stores = await openTestStores();
  const proxy = startTcpProxy(MYSQL_PORT);
  const data = await Deno.makeTempDir();
  const server = await spawnServer([
    "--port",
    String(freePort()),
    "--redis",
    TEST_REDIS_URL,
    "--mysql",
    `mysql://root@127.0.0.1:${proxy.port}/${stores.database}`,
  ], { CHAT_REDIS_PREFIX: stores.prefix, CHAT_DATA_DIR: data });
  try {
    const users = new MysqlUserStore(stores.pool);
    for (const id of ["alice", "bob"]) await users.add(plainUser(id), await hashPassword("pw"));
    const alice = await openChatSession(
      server.url,
      "alice",
      await loginOver(server.url, "alice", "pw"),
    );
    const before = await sendAcked(alice.ws, "before", 1);
    await eventually(
      async () => (await archived(stores.pool, stores.database)).size === 1,
      10_000,
      "first message archived",
    );

    proxy.cut();
    server.child.kill("SIGHUP");
    await eventually(
      () => server.output.some((line) => /reload: restarting the archive worker/.test(line)),
      5000,
      "reload logged",
    );
    const during = await sendAcked(alice.ws, "down", 10);
    // Long enough for the reloaded worker to meet the outage (it used to fail once, for good).
    await new Promise((r) => setTimeout(r, 4000));
    proxy.restore();

    const rows = await eventually(
      async () => {
        const found = await archived(stores.pool, stores.database);
        return found.size === before.length + during.length ? found : null;
      },
      30_000,
      "every acked message archived after MySQL returned",
    );
    assertEquals([...before, ...during].filter((mid) => rows.get(mid) !== 1), []);
    const status = await eventually(
      async () => {
        const { body } = await getJson(`${server.url}/api/queue/status`, alice.token);
        return body?.worker === "alive" && body.pending + body.inFlight === 0 ? body : null;
      },
      15_000,
      "worker alive with nothing waiting",
    );
    assertEquals(status.stalled, false);
  } finally {
    await server.kill("SIGTERM");
    await proxy.close();
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("a server started while MySQL is down serves existing sessions degraded, then creates its fresh database and archives everything", async () => {
  const stores = await openTestStores();
  // An earlier server on the same Redis prefix, while MySQL was up: the sessions to keep.
  const earlier = await startTestServer({ stores });
  let aliceToken: string, bobToken: string;
  try {
    await earlier.addUser("alice");
    await earlier.addUser("bob");
    aliceToken = await earlier.login("alice");
    bobToken = await earlier.login("bob");
    const ws = await earlier.connect("alice", aliceToken);
    await earlier.connect("bob", bobToken);
    await sendAcked(ws, "earlier", 1);
  } finally {
    await earlier.close();
  }

  // A database no server has seen: its creation and schema must wait for MySQL.
  const fresh = `${stores.database}_fresh`;
  const proxy = startTcpProxy(MYSQL_PORT);
  proxy.cut();
  const data = await Deno.makeTempDir();
  let server: ServerProcess | undefined;
  try {
    server = await spawnServer([
      "--port",
      String(freePort()),
      "--redis",
      TEST_REDIS_URL,
      "--mysql",
      `mysql://root@127.0.0.1:${proxy.port}/${fresh}`,
    ], { CHAT_REDIS_PREFIX: stores.prefix, CHAT_DATA_DIR: data });
    const { url, output } = server;
    assert(
      output.some((line) => /unreachable.*serving degraded/.test(line)),
      output.join("\n"),
    );
    const alice = await openChatSession(url, "alice", aliceToken);
    const bob = await openChatSession(url, "bob", bobToken);
    const mids = await sendAcked(alice.ws, "degraded", 5);
    for (let i = 0; i < mids.length; i++) {
      const live = await bob.ws.next((f) => f.type === "say" && f.mid === mids[i]);
      assertEquals(live.message, `degraded${i}`);
    }
    const health = await getJson(`${url}/healthz`, null);
    assertEquals(health.status, 503, JSON.stringify(health.body));
    assert(String(health.body.stores.mysql).startsWith("down"), JSON.stringify(health.body));
    assertEquals(health.body.stores.redis, "ok");
    const login = await fetch(`${url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accountid: "alice", password: "pw-alice" }),
    });
    assertEquals(login.status, 503, await login.text());

    proxy.restore();
    const rows = await eventually(
      async () => {
        const found = await archived(stores.pool, fresh);
        return found.size === mids.length ? found : null;
      },
      30_000,
      "every message archived into the fresh database",
    );
    assertEquals(mids.filter((mid) => rows.get(mid) !== 1), []);
    // The schema of the fresh database, made in the background (the status table by the
    // worker's first heartbeat that reaches MySQL).
    await eventually(
      async () => {
        const [tables] = await stores.pool.query<RowDataPacket[]>(
          `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`,
          [fresh],
        );
        const names = new Set(tables.map((t) => String(t.name)));
        return names.has("webchat_user") && names.has("queue_deamon_status");
      },
      15_000,
      "webchat_user and queue_deamon_status in the fresh database",
    );
    await eventually(
      async () => (await getJson(`${url}/healthz`, null)).status === 200,
      20_000,
      "/healthz 200 once MySQL is back",
    );
  } finally {
    await server?.kill("SIGTERM");
    await proxy.close();
    await stores.pool.query(`DROP DATABASE IF EXISTS \`${fresh}\``);
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("reload while Redis is down: the worker cannot start and is retried until it runs again", async () => {
  const stores = await openTestStores();
  const proxy = startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379));
  const t = await startTestServer({
    stores,
    configure: (config) => config.redisUrl = `redis://127.0.0.1:${proxy.port}/0`,
  });
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const token = await t.login("alice");
    const alice = await t.connect("alice", token);
    const before = await sendAcked(alice, "before", 1);
    await eventually(
      async () => (await archived(stores.pool, stores.database)).size === 1,
      10_000,
      "first message archived",
    );

    // Without Redis the new worker cannot even connect: the first start fails.
    proxy.cut();
    await t.server.restartWorker();
    const failing = t.server.worker!.report();
    assertEquals(failing.state, "restarting", JSON.stringify(failing));
    assert(/redis/i.test(failing.lastError ?? ""), JSON.stringify(failing));

    proxy.restore();
    await eventually(
      () => t.server.worker!.report().state === "running",
      20_000,
      "worker running again",
    );
    assert(t.logs.some((line) => /archive worker: running again/.test(line)), t.logs.join("\n"));
    const after = await eventually(
      async () => {
        try {
          return await sendAcked(alice, `after${Date.now()}`, 1);
        } catch {
          return null; // the server's own Redis connection may still be reconnecting
        }
      },
      10_000,
      "say accepted again",
    );
    const rows = await eventually(
      async () => {
        const found = await archived(stores.pool, stores.database);
        return found.size === 2 ? found : null;
      },
      10_000,
      "the message after the outage archived",
    );
    assertEquals([...before, ...after].filter((mid) => rows.get(mid) !== 1), []);
    const status = await t.api(token, "/api/queue/status");
    assertEquals(status.body!.worker, "alive", JSON.stringify(status.body));
  } finally {
    await t.close();
    await proxy.close();
    await stores.cleanup();
  }
});
