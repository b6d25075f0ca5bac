/**
 * The archive worker's status tells the truth end to end: a worker that heartbeats but cannot
 * archive is `stalled` in `/api/queue/status` and makes `/healthz` answer 503, and both heal
 * once the archive can be written again. Real Redis and MariaDB (behind a TCP proxy the test
 * cuts), and the embedded backend with its archive table taken away by another connection.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { eventually, startTestServer, type TestServer } from "./support/chat_server.ts";
import { runChat } from "./support/chat_cli.ts";
import { openTestStores, TEST_MYSQL_SERVER, TEST_REDIS_URL } from "./support/stores.ts";
import { startTcpProxy } from "./support/tcp_proxy.ts";
import { startServer } from "../api/server.ts";
import { defaultConfig } from "../config/mod.ts";
import { hashPassword } from "../store/password.ts";
import { openSqliteDb, SQLITE_FILE } from "../store/sqlite_db.ts";
import { SqliteUserStore } from "../store/users_sqlite.ts";
import { plainUser } from "./support/fixtures.ts";
import { openWs, type WsClient } from "./support/ws_client.ts";

const STALL_SECONDS = 2;

/** Sends `count` messages and waits for each ack: the server promised to keep them. */
async function sendAcked(ws: WsClient, tag: string, count: number): Promise<string[]> {
  const mids: string[] = [];
  for (let i = 0; i < count; i++) {
    const cid = `${tag}${i}`;
    ws.send({ type: "say", chatid: "alice--bob", content: cid, cid });
    const answer = await ws.next((f) => f.cid === cid && f.type !== "say");
    assertEquals(answer.type, "ack", JSON.stringify(answer));
    mids.push(answer.mid);
  }
  return mids;
}

/** Waits until `/api/queue/status` and `/healthz` report the stall; answers both bodies. */
async function waitForStall(t: Pick<TestServer, "api">, token: string) {
  const status = await eventually(
    async () => {
      const { body } = await t.api(token, "/api/queue/status");
      return body!.worker === "stalled" ? body! : null;
    },
    (STALL_SECONDS + 6) * 1000,
    "queue status stalled",
  );
  const health = await t.api(null, "/healthz");
  return { status, health };
}

Deno.test("production: MySQL cut with a backlog → stalled in /api/queue/status and /healthz 503; restored → archived once, alive, 200", async () => {
  const stores = await openTestStores();
  const proxy = startTcpProxy(Number(new URL(TEST_MYSQL_SERVER).port || 3306));
  const t = await startTestServer({
    stores,
    configure: (config) => {
      config.mysqlUrl = `mysql://root@127.0.0.1:${proxy.port}/${stores.database}`;
      config.queue.stallSeconds = STALL_SECONDS;
    },
  });
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const token = await t.login("alice");
    const alice = await t.connect("alice", token);
    await t.connect("bob", await t.login("bob"));
    const before = await sendAcked(alice, "before", 1);
    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const archivedMids = async () => {
      const [rows] = await stores.pool.query<RowDataPacket[]>(
        `SELECT mid, COUNT(*) AS copies FROM \`${table}\` GROUP BY mid`,
      );
      return new Map(rows.map((r) => [String(r.mid), Number(r.copies)]));
    };
    await eventually(async () => (await archivedMids()).size === 1, 10_000, "first archived");
    assertEquals((await t.api(token, "/api/queue/status")).body!.worker, "alive");

    proxy.cut();
    const during = await sendAcked(alice, "down", 5);
    const cutAt = Date.now();
    const { status, health } = await waitForStall(t, token);
    const seconds = (Date.now() - cutAt) / 1000;
    assertEquals(status.stalled, true, JSON.stringify(status));
    assertEquals(status.alive, false, JSON.stringify(status));
    assert(status.archiveLag > STALL_SECONDS, JSON.stringify(status));
    assertEquals(status.pending + status.inFlight, during.length, JSON.stringify(status));
    assertEquals(health.status, 503, JSON.stringify(health.body));
    assertEquals(health.body!.worker, "stalled", JSON.stringify(health.body));
    assert(
      /archive worker: stalled \(5 waiting, oldest for \d+ s\)/.test(health.body!.error.message),
      JSON.stringify(health.body),
    );
    console.log(`stalled reported ${seconds.toFixed(1)} s after the cut`);
    // chat status reads the same stores (MySQL through the cut proxy): it shows the backlog
    // kept in Redis and the stall, and exits 1.
    const data = await Deno.makeTempDir();
    const cli = await runChat(["status"], {
      CHAT_DATA_DIR: data,
      CHAT_REDIS_URL: TEST_REDIS_URL,
      CHAT_REDIS_PREFIX: stores.prefix,
      CHAT_MYSQL_URL: t.config.mysqlUrl!,
      CHAT_QUEUE_STALL_SECONDS: String(STALL_SECONDS),
    });
    await Deno.remove(data, { recursive: true });
    assertEquals(cli.code, 1, cli.out + cli.err);
    assert(/^ {2}stalled: nothing archived for over 2 s with a backlog$/m.test(cli.out), cli.out);
    const waiting = [...cli.out.matchAll(/^(?:pending|in flight): (\d+)$/gm)];
    assertEquals(waiting.reduce((sum, m) => sum + Number(m[1]), 0), during.length, cli.out);
    assert(/^archive: unavailable: /m.test(cli.out), cli.out);

    proxy.restore();
    const restoredAt = Date.now();
    const archived = await eventually(
      async () => {
        const found = await archivedMids();
        return found.size === before.length + during.length ? found : null;
      },
      20_000,
      "every acked message archived",
    );
    assertEquals([...before, ...during].filter((mid) => archived.get(mid) !== 1), []);
    const healed = await eventually(
      async () => {
        const { body } = await t.api(token, "/api/queue/status");
        return body!.worker === "alive" && body!.pending + body!.inFlight === 0 ? body! : null;
      },
      10_000,
      "queue status alive again",
    );
    assertEquals([healed.stalled, healed.archiveLag], [false, 0]);
    await eventually(
      async () => (await t.api(null, "/healthz")).status === 200,
      10_000,
      "/healthz 200 again",
    );
    console.log(`healed ${((Date.now() - restoredAt) / 1000).toFixed(1)} s after the restore`);
  } finally {
    await t.close();
    await proxy.close();
    await stores.cleanup();
  }
});

/** An embedded server in this process on a fresh data folder, with alice and bob. */
async function startEmbedded() {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-stall-" });
  const admin = openSqliteDb(dataDir);
  try {
    const users = new SqliteUserStore(admin.db);
    for (const id of ["alice", "bob"]) await users.add(plainUser(id), await hashPassword("pw"));
  } finally {
    admin.close();
  }
  const config = { ...defaultConfig(), port: 0, dataDir, redisUrl: null, mysqlUrl: null };
  config.queue = { ...config.queue, stallSeconds: STALL_SECONDS };
  const server = await startServer(config, { log: () => {} });
  const sockets: WsClient[] = [];
  const api: TestServer["api"] = async (token, path) => {
    const response = await fetch(server.url + path, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: response.status, body: await response.json() };
  };
  return {
    dataDir,
    api,
    async connect(accountid: string): Promise<{ ws: WsClient; token: string }> {
      const response = await fetch(`${server.url}/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountid, password: "pw" }),
      });
      const { token } = await response.json();
      const ws = await openWs(server.url, token);
      sockets.push(ws);
      ws.send({ type: "login", clientName: accountid });
      await ws.next((f) => f.type === "init", 10_000);
      return { ws, token };
    },
    async close() {
      await Promise.all(sockets.map((s) => s.close().catch(() => {})));
      await server.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test("embedded: the archive table taken away by another connection → stalled and 503; given back → archived once, alive, 200", async () => {
  const t = await startEmbedded();
  // Another connection to the same file, as an operator's sqlite3 shell would be.
  const other = new DatabaseSync(`${t.dataDir}/${SQLITE_FILE}`);
  try {
    other.exec("PRAGMA busy_timeout = 10000");
    const { ws: alice, token } = await t.connect("alice");
    await t.connect("bob");
    const archivedMids = () =>
      new Map(
        other.prepare("SELECT mid, COUNT(*) AS copies FROM webchat_message GROUP BY mid").all()
          .map((r) => [String(r.mid), Number(r.copies)]),
      );
    const before = await sendAcked(alice, "before", 1);
    await eventually(() => archivedMids().size === 1, 10_000, "first archived");
    assertEquals((await t.api(token, "/api/queue/status")).body!.worker, "alive");

    // The worker's inserts now fail (no such table) and are retried; it keeps heartbeating.
    other.exec("ALTER TABLE webchat_message RENAME TO webchat_message_away");
    const during = await sendAcked(alice, "away", 5);
    const { status, health } = await waitForStall(t, token);
    assertEquals([status.stalled, status.alive], [true, false], JSON.stringify(status));
    assert(status.archiveLag > STALL_SECONDS, JSON.stringify(status));
    assertEquals(health.status, 503, JSON.stringify(health.body));
    assertEquals(health.body!.stores, { sqlite: "ok" }, JSON.stringify(health.body));
    assert(/archive worker: stalled/.test(health.body!.error.message), JSON.stringify(health.body));

    other.exec("ALTER TABLE webchat_message_away RENAME TO webchat_message");
    const archived = await eventually(
      () => {
        const found = archivedMids();
        return found.size === before.length + during.length ? found : null;
      },
      20_000,
      "every acked message archived",
    );
    assertEquals([...before, ...during].filter((mid) => archived.get(mid) !== 1), []);
    await eventually(
      async () => {
        const { body } = await t.api(token, "/api/queue/status");
        return body!.worker === "alive" && body!.pending + body!.inFlight === 0;
      },
      10_000,
      "queue status alive again",
    );
    await eventually(
      async () => (await t.api(null, "/healthz")).status === 200,
      10_000,
      "/healthz 200 again",
    );
  } finally {
    other.close();
    await t.close();
  }
});
