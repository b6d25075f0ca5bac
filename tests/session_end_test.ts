/**
 * Sessions that end, end everywhere: after a logout, an expiry or `chat user passwd`, the open
 * WebSockets of that session are closed with 4401 and the old token answers 401, on the
 * production backend (at once, on every node, through Redis pub/sub) and on the embedded one
 * (logout at once, everything else at the next recheck).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { tokenKey } from "../store/sessions.ts";
import { runChat } from "./support/chat_cli.ts";
import { startTestServer, type TestServer } from "./support/chat_server.ts";
import { startEmbeddedTestServer } from "./support/embedded_test_server.ts";
import { TEST_REDIS_URL } from "./support/stores.ts";
import { openWs, type WsClient } from "./support/ws_client.ts";

/** Opens /ws and logs in; the socket then stays open until something closes it. */
async function loggedIn(url: string, accountid: string, token: string): Promise<WsClient> {
  const ws = await openWs(url, token);
  ws.send({ type: "login", clientName: accountid });
  await ws.next((f) => f.type === "init");
  return ws;
}

/** The close code, or "open" when the socket is still open after `ms`. */
async function closedWithin(ws: WsClient, ms: number): Promise<number | "open"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    ws.closed.then((c) => c.code),
    new Promise<"open">((resolve) => timer = setTimeout(() => resolve("open"), ms)),
  ]);
  clearTimeout(timer);
  return result;
}

/** A status of GET /api/me with a bearer token. */
async function meStatus(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
}

/** Production settings: a recheck too slow to be what closes anything in these tests. */
const noRecheck = { configure: (c: TestServer["config"]) => c.session.recheckSeconds = 3600 };

Deno.test("logout closes the session's sockets at once, on this node and on another", async () => {
  const a = await startTestServer(noRecheck);
  const b = await startTestServer({ ...noRecheck, stores: a.stores });
  const sockets: WsClient[] = [];
  try {
    await a.addUser("alice");
    const ended = await a.login("alice");
    const kept = await a.login("alice");
    const here = await loggedIn(a.url, "alice", ended);
    const hereToo = await loggedIn(a.url, "alice", ended);
    const there = await loggedIn(b.url, "alice", ended);
    const other = await loggedIn(a.url, "alice", kept);
    sockets.push(here, hereToo, there, other);
    // The logout's answer is sent after this node closed its sockets.
    assertEquals((await a.api(ended, "/api/logout", { method: "POST" })).status, 204);
    assertEquals(await closedWithin(here, 500), 4401);
    assertEquals(await closedWithin(hereToo, 500), 4401);
    assertEquals(await closedWithin(there, 2000), 4401);
    assertEquals((await here.closed).reason, "session ended");
    assertEquals(await closedWithin(other, 300), "open", "another session of alice was closed");
    assertEquals(await meStatus(a.url, ended), 401);
    assertEquals(await meStatus(a.url, kept), 200);
  } finally {
    for (const ws of sockets) await ws.close();
    await b.close();
    await a.close();
  }
});

Deno.test("chat user passwd ends every session of the account on every node at once", async () => {
  const a = await startTestServer(noRecheck);
  const b = await startTestServer({ ...noRecheck, stores: a.stores });
  const sockets: WsClient[] = [];
  try {
    await a.addUser("alice");
    await a.addUser("bob");
    const [first, second, bobs] = [
      await a.login("alice"),
      await b.login("alice"),
      await a.login("bob"),
    ];
    const alices = [
      await loggedIn(a.url, "alice", first),
      await loggedIn(b.url, "alice", first),
      await loggedIn(b.url, "alice", second),
    ];
    const bob = await loggedIn(a.url, "bob", bobs);
    sockets.push(...alices, bob);
    const env = {
      CHAT_REDIS_URL: TEST_REDIS_URL,
      CHAT_REDIS_PREFIX: a.stores.prefix,
      CHAT_MYSQL_URL: a.stores.mysqlUrl,
    };
    // Another spelling of the account changes the stored account's password and sessions.
    const run = await runChat(
      ["user", "passwd", "ALICE", "--password-stdin"],
      env,
      "a new password\n",
    );
    assertEquals(run.code, 0, run.err);
    assert(/password changed for alice; 2 sessions ended/.test(run.out), run.out);
    for (const ws of alices) assertEquals(await closedWithin(ws, 2000), 4401);
    assertEquals(await closedWithin(bob, 300), "open", "bob's socket was closed");
    assertEquals([await meStatus(a.url, first), await meStatus(b.url, second)], [401, 401]);
    assertEquals(await meStatus(a.url, bobs), 200);
    await a.login("alice", "a new password");
  } finally {
    for (const ws of sockets) await ws.close();
    await b.close();
    await a.close();
  }
});

Deno.test("an expired session closes its sockets at the recheck; one in use is extended", async () => {
  const t = await startTestServer({ configure: (c) => c.session.recheckSeconds = 1 });
  const sockets: WsClient[] = [];
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const [idle, busy] = [await t.login("alice"), await t.login("alice")];
    const idleWs = await loggedIn(t.url, "alice", idle);
    const busyWs = await loggedIn(t.url, "alice", busy);
    sockets.push(idleWs, busyWs);
    const key = async (token: string) => `${t.stores.prefix}session:${await tokenKey(token)}`;
    // Both sessions are two seconds from their end; only one of them is being used.
    for (const token of [idle, busy]) await t.stores.redis.expire(await key(token), 2);
    const using = setInterval(() => busyWs.send({ type: "read", chatid: "alice--bob" }), 200);
    try {
      assertEquals(await closedWithin(idleWs, 4500), 4401);
    } finally {
      clearInterval(using);
    }
    assertEquals(await closedWithin(busyWs, 300), "open", "the session in use was ended");
    assert(await t.stores.redis.ttl(await key(busy)) > 3600, "the session in use was extended");
    assertEquals(await meStatus(t.url, idle), 401);
    // Heartbeats alone are not use: a socket that only answers pings lets its session lapse.
    await t.stores.redis.expire(await key(busy), 2);
    busyWs.send({ type: "pong" });
    assertEquals(await closedWithin(busyWs, 4500), 4401);
  } finally {
    for (const ws of sockets) await ws.close();
    await t.close();
  }
});

Deno.test("embedded: logout closes at once; passwd and expiry close at the recheck", async () => {
  const t = await startEmbeddedTestServer((c) => c.session.recheckSeconds = 1);
  const sockets: WsClient[] = [];
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const [out, changed, expiring, bobs] = [
      await t.login("alice"),
      await t.login("alice"),
      await t.login("bob"),
      await t.login("bob"),
    ];
    const outWs = await loggedIn(t.url, "alice", out);
    const changedWs = await loggedIn(t.url, "alice", changed);
    const expiringWs = await loggedIn(t.url, "bob", expiring);
    const bobWs = await loggedIn(t.url, "bob", bobs);
    sockets.push(outWs, changedWs, expiringWs, bobWs);

    const logout = await fetch(`${t.url}/api/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${out}` },
    });
    assertEquals(logout.status, 204);
    assertEquals(await closedWithin(outWs, 300), 4401);

    const run = await runChat(
      ["user", "passwd", "alice", "--password-stdin"],
      { CHAT_DATA_DIR: t.dataDir },
      "a new password\n",
    );
    assertEquals(run.code, 0, run.err);
    assertEquals(await meStatus(t.url, changed), 401);
    assertEquals(await closedWithin(changedWs, 2500), 4401);

    // The session's row says it ended a moment ago: the next recheck closes its socket.
    const admin = new DatabaseSync(`${t.dataDir}/webchat.db`);
    try {
      admin.prepare("UPDATE session SET expires = 0 WHERE key = ?").run(await tokenKey(expiring));
    } finally {
      admin.close();
    }
    assertEquals(await closedWithin(expiringWs, 2500), 4401);
    assertEquals(await closedWithin(bobWs, 300), "open", "bob's other session was ended");
    assertEquals(await meStatus(t.url, bobs), 200);
  } finally {
    for (const ws of sockets) await ws.close();
    await t.close();
  }
});
