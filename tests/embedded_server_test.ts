/**
 * The embedded backend end to end: no Redis, no MySQL, just a data folder. Real HTTP and
 * WebSocket on a real port, and the archive worker in its Web Worker on its own SQLite
 * connection, woken through the queue's BroadcastChannel.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startServer } from "../api/server.ts";
import { defaultConfig } from "../config/mod.ts";
import { SqliteArchive } from "../queue/archive_sqlite.ts";
import { hashPassword } from "../store/password.ts";
import { openSqliteDb } from "../store/sqlite_db.ts";
import { SqliteUserStore } from "../store/users_sqlite.ts";
import { openWs } from "./support/ws_client.ts";

async function eventually<T>(what: string, check: () => Promise<T | null>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (true) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("embedded server: log in, say, and find the message in the SQLite archive", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-e2e-" });
  const config = { ...defaultConfig(), port: 0, dataDir, redisUrl: null, mysqlUrl: null };
  const logs: string[] = [];
  // Accounts go straight into the data folder's database, as `chat user add` does.
  const admin = openSqliteDb(dataDir);
  try {
    const users = new SqliteUserStore(admin.db);
    for (const id of ["a", "b"]) {
      await users.add({
        accountid: id,
        username: id.toUpperCase(),
        dept: "",
        deptDetail: "",
        email: "",
        tel: "",
        mobile: "",
      }, await hashPassword(`${id}-secret`));
    }
  } finally {
    admin.close();
  }

  const server = await startServer(config, { log: (line) => logs.push(line) });
  const sockets: Awaited<ReturnType<typeof openWs>>[] = [];
  try {
    assertEquals(server.backend.kind, "embedded");
    const login = async (accountid: string) => {
      const response = await fetch(`${server.url}/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountid, password: `${accountid}-secret` }),
      });
      const body = await response.json();
      assertEquals(response.status, 200, JSON.stringify(body));
      assertEquals(body.user.accountid, accountid);
      return String(body.token);
    };
    const tokens = { a: await login("a"), b: await login("b") };
    for (const id of ["a", "b"] as const) {
      const ws = await openWs(server.url, tokens[id]);
      sockets.push(ws);
      ws.send({ type: "login", clientName: id });
      await ws.next((f) => f.type === "init");
    }
    const [a, b] = sockets;
    a.send({ type: "say", chatid: "a--b", content: "hi", cid: "c1" });
    const ack = await a.next((f) => f.type === "ack" && f.cid === "c1");
    assertEquals(ack.seq, 1);
    for (const ws of [a, b]) {
      const say = await ws.next((f) => f.type === "say" && f.cid === "c1");
      assertEquals([say.message, say.mid], ["hi", ack.mid]);
    }

    // `q` skips the hot last-20 list, so this page comes from the archive table itself.
    const headers = { authorization: `Bearer ${tokens.b}` };
    const page = await eventually("the message in the archive", async () => {
      const response = await fetch(`${server.url}/api/chats/a--b/messages?q=hi`, { headers });
      const body = await response.json();
      assertEquals(response.status, 200, JSON.stringify(body));
      return body.messages.length > 0 ? body : null;
    });
    assertEquals(page.messages.map((m: { mid: string }) => m.mid), [ack.mid]);
    const recent = await fetch(`${server.url}/api/chats/a--b/messages`, { headers });
    assertEquals((await recent.json()).messages.length, 1);

    // The row is in the file, written by the worker thread's own connection.
    const reader = openSqliteDb(dataDir);
    try {
      const archived = await new SqliteArchive(reader.db).history({ chatid: "a--b", limit: 10 });
      assertEquals(archived.messages.map((m) => [m.mid, m.seq, m.message]), [[ack.mid, 1, "hi"]]);
    } finally {
      reader.close();
    }
    assertEquals(await server.backend.producer.counts(), { pending: 0, inFlight: 0, parked: 0 });
    assertEquals((await server.backend.health()).sqlite, "ok");
  } finally {
    for (const ws of sockets) await ws.close();
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
  assert(!logs.some((line) => /error|failed/i.test(line)), logs.join("\n"));
});
