/**
 * Store outages, made with a TCP proxy the test owns in front of MariaDB or Redis.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { eventually, startTestServer } from "./support/chat_server.ts";
import { openTestStores, TEST_MYSQL_SERVER } from "./support/stores.ts";
import { startTcpProxy } from "./support/tcp_proxy.ts";

const OUTAGE_MS = 20_000;

Deno.test("MariaDB unreachable for 20 s: messages are accepted and delivered, then all archived once", async () => {
  const stores = await openTestStores();
  const proxy = startTcpProxy(Number(new URL(TEST_MYSQL_SERVER).port || 3306));
  const t = await startTestServer({
    stores,
    configure: (config) => {
      config.mysqlUrl = `mysql://root@127.0.0.1:${proxy.port}/${stores.database}`;
    },
  });
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const aliceToken = await t.login("alice");
    const alice = await t.connect("alice", aliceToken);
    const bob = await t.connect("bob", await t.login("bob"));
    alice.send({ type: "say", chatid: "alice--bob", content: "before", cid: "before" });
    await alice.next((f) => f.type === "ack" && f.cid === "before");

    proxy.cut();
    const started = Date.now();
    let n = 0;
    let sawBacklog = false;
    while (Date.now() - started < OUTAGE_MS) {
      const cid = `down${n++}`;
      alice.send({ type: "say", chatid: "alice--bob", content: cid, cid });
      const answer = await alice.next((f) => f.cid === cid && f.type !== "say");
      assertEquals(answer.type, "ack", JSON.stringify(answer));
      await bob.next((f) => f.type === "say" && f.cid === cid);
      if (n % 20 === 0) {
        const { status, body } = await t.api(aliceToken, "/api/queue/status");
        assertEquals(status, 200);
        if (body!.pending + body!.inFlight > 0) sawBacklog = true;
        assert(String(body!.archive).startsWith("unavailable"), JSON.stringify(body));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert(sawBacklog, "queue status never showed the backlog");
    // The worker thread's retries reach the server's own log.
    assert(
      t.logs.some((line) => /archive worker: archive failed, retry/.test(line)),
      t.logs.join("\n"),
    );
    const health = await t.api(null, "/healthz");
    assertEquals(health.status, 503);
    assert(String(health.body!.stores.mysql).startsWith("down"), JSON.stringify(health.body));
    proxy.restore();

    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const rows = await eventually(
      async () => {
        const [rows] = await stores.pool.query<RowDataPacket[]>(
          `SELECT message, COUNT(*) AS copies FROM ${table} GROUP BY mid, message ORDER BY MIN(seq)`,
        );
        return rows.length === n + 1 ? rows : null;
      },
      30_000,
      `${n + 1} archived rows`,
    );
    assertEquals(rows.map((r) => r.message), [
      "before",
      ...Array.from({ length: n }, (_, i) => `down${i}`),
    ]);
    assertEquals(rows.filter((r) => Number(r.copies) !== 1), []);
    const status = await eventually(
      async () => {
        const { body } = await t.api(aliceToken, "/api/queue/status");
        // Counters reach the status row with the worker's next heartbeat (every few seconds).
        return body!.pending === 0 && body!.inFlight === 0 && body!.archive === "ok" &&
            body!.processedTotal >= n + 1
          ? body
          : null;
      },
      20_000,
      "queue status back to ok with every message counted",
    );
    assert(status.alive, JSON.stringify(status));
    console.log(`accepted during the outage: ${n}`);
  } finally {
    await t.close();
    await proxy.close();
    await stores.cleanup();
  }
});

Deno.test("Redis unreachable: say answers unavailable, /healthz says so, and the server heals", async () => {
  const stores = await openTestStores();
  const proxy = startTcpProxy(6379);
  const t = await startTestServer({
    stores,
    configure: (config) => {
      config.redisUrl = `redis://127.0.0.1:${proxy.port}/0`;
    },
  });
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const token = await t.login("alice");
    const alice = await t.connect("alice", token);
    const bob = await t.connect("bob", await t.login("bob"));

    proxy.cut();
    await eventually(
      async () => (await t.api(null, "/healthz")).status === 503,
      5000,
      "healthz 503",
    );
    const health = await t.api(null, "/healthz");
    assert(String(health.body!.stores.redis).startsWith("down"), JSON.stringify(health.body));
    assertEquals(health.body!.stores.mysql, "ok");
    assertEquals(health.body!.error.code, "unavailable");
    alice.send({ type: "say", chatid: "alice--bob", content: "lost?", cid: "r1" });
    const refused = await alice.next((f) => f.cid === "r1");
    assertEquals([refused.type, refused.info], ["error", "unavailable"]);
    assertEquals((await t.api(token, "/api/me")).status, 503);

    proxy.restore();
    await eventually(
      async () => (await t.api(null, "/healthz")).status === 200,
      15_000,
      "healthz 200",
    );
    const ack = await eventually(
      async () => {
        const cid = crypto.randomUUID();
        alice.send({ type: "say", chatid: "alice--bob", content: "after", cid });
        const answer = await alice.next((f) => f.cid === cid && f.type !== "say");
        return answer.type === "ack" ? answer : null;
      },
      15_000,
      "say accepted again",
    );
    assertEquals(ack.seq, 1);
    await bob.next((f) => f.type === "say" && f.message === "after");
    // The refused message was never queued; the accepted one is archived by the healed worker.
    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const rows = await eventually(
      async () => {
        const [rows] = await stores.pool.query<RowDataPacket[]>(`SELECT message FROM ${table}`);
        return rows.length > 0 ? rows : null;
      },
      20_000,
      "archived after Redis returned",
    );
    assertEquals(rows.map((r) => r.message), ["after"]);
  } finally {
    await t.close();
    await proxy.close();
    await stores.cleanup();
  }
});
