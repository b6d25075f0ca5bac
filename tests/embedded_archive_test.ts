/**
 * The embedded backend's archive over time, the way it broke in use: the worker archived the
 * backlog and one new message, then slept for ever (a lost wake-up between the main thread and
 * the worker's thread), so history missed everything after it. One message never showed it;
 * bursts with pauses (the worker goes back to sleep between them) and kills under load do.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startServer } from "../api/server.ts";
import { defaultConfig } from "../config/mod.ts";
import { hashPassword } from "../store/password.ts";
import { openSqliteDb } from "../store/sqlite_db.ts";
import { SqliteUserStore } from "../store/users_sqlite.ts";
import { AckedSender } from "./support/acked_sender.ts";
import { eventually, plainUser } from "./support/fixtures.ts";
import { freePort, spawnServer } from "./support/server_process.ts";
import { openWs, type WsClient } from "./support/ws_client.ts";

async function addUsers(dataDir: string, ids: string[]): Promise<void> {
  const admin = openSqliteDb(dataDir);
  try {
    const users = new SqliteUserStore(admin.db);
    for (const id of ids) await users.add(plainUser(id), await hashPassword(`${id}-secret`));
  } finally {
    admin.close();
  }
}

async function login(url: string, accountid: string): Promise<string> {
  const response = await fetch(`${url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ accountid, password: `${accountid}-secret` }),
  });
  const body = await response.json();
  assertEquals(response.status, 200, JSON.stringify(body));
  return String(body.token);
}

async function connect(url: string, accountid: string, token: string): Promise<WsClient> {
  const ws = await openWs(url, token);
  ws.send({ type: "login", clientName: accountid });
  await ws.next((f) => f.type === "init", 10_000);
  return ws;
}

/** Every archived row of the data folder's database: mid → copies, and (chatid, seq) pairs. */
function archivedRows(dataDir: string) {
  const reader = openSqliteDb(dataDir);
  try {
    const rows = reader.db.prepare("SELECT mid, chatid, seq FROM webchat_message").all();
    const copies = new Map<string, number>();
    const seqs = new Map<string, number>();
    for (const row of rows) {
      copies.set(String(row.mid), (copies.get(String(row.mid)) ?? 0) + 1);
      const key = `${row.chatid}#${row.seq}`;
      seqs.set(key, (seqs.get(key) ?? 0) + 1);
    }
    const queue = reader.db.prepare(
      "SELECT COALESCE(SUM(owner IS NULL), 0) AS pending, COUNT(*) AS total FROM queue_item",
    ).get();
    return {
      copies,
      repeatedSeqs: [...seqs].filter(([, n]) => n > 1).map(([key]) => key),
      pending: Number(queue?.pending ?? 0),
      queued: Number(queue?.total ?? 0),
    };
  } finally {
    reader.close();
  }
}

Deno.test("embedded: bursts over 25 s are each archived while the next is awaited", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-bursts-" });
  await addUsers(dataDir, ["a", "b"]);
  const config = { ...defaultConfig(), port: 0, dataDir, redisUrl: null, mysqlUrl: null };
  config.limits = { ...config.limits, sendPerSecond: 10_000, sendBurst: 10_000 };
  const logs: string[] = [];
  const server = await startServer(config, { log: (line) => logs.push(line) });
  const sockets: WsClient[] = [];
  try {
    const tokens = { a: await login(server.url, "a"), b: await login(server.url, "b") };
    const a = await connect(server.url, "a", tokens.a);
    sockets.push(a, await connect(server.url, "b", tokens.b));
    const headers = { authorization: `Bearer ${tokens.b}` };
    const acked: string[] = [];
    let lastSeq = 0;
    const started = Date.now();
    for (let burst = 0; Date.now() - started < 25_000; burst++) {
      const size = burst % 3 === 0 ? 1 : 25; // single messages too: the very case that stalled
      for (let i = 0; i < size; i++) {
        a.send({
          type: "say",
          chatid: "a--b",
          content: `burst ${burst} #${i}`,
          cid: `${burst}-${i}`,
        });
      }
      for (let i = 0; i < size; i++) {
        const ack = await a.next((f) => f.type === "ack" && f.cid === `${burst}-${i}`);
        acked.push(ack.mid);
      }
      // A catch-up from the last seq seen must find the burst in the archive within seconds;
      // `q` would also do, but `after` is what a reconnecting client asks.
      const page = await eventually(
        async () => {
          const response = await fetch(
            `${server.url}/api/chats/a--b/messages?after=${lastSeq}&limit=100`,
            { headers },
          );
          const body = await response.json();
          return body.messages.length === size ? body : null;
        },
        5000,
        `burst ${burst} (${size} messages) archived`,
      );
      lastSeq = page.messages.at(-1).seq;
      // Long enough for the worker to go back to sleep before the next burst.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    const rows = archivedRows(dataDir);
    assertEquals(acked.filter((mid) => rows.copies.get(mid) !== 1), []);
    assertEquals(rows.copies.size, acked.length);
    assertEquals(rows.repeatedSeqs, []);
    assertEquals(await server.backend.producer.counts(), { pending: 0, inFlight: 0, parked: 0 });
    console.log(`${acked.length} messages in bursts over ${(Date.now() - started) / 1000} s`);
  } finally {
    for (const ws of sockets) await ws.close();
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
  assert(!logs.some((line) => /error|failed/i.test(line)), logs.join("\n"));
});

Deno.test("embedded: three SIGKILLs under load lose no acknowledged message and archive each once", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-kills-" });
  await addUsers(dataDir, ["a", "b"]);
  const port = freePort();
  const args = ["--port", String(port)];
  const env = {
    CHAT_DATA_DIR: dataDir,
    CHAT_SEND_PER_SECOND: "100000",
    CHAT_SEND_BURST: "100000",
    CHAT_QUEUE_LEASE_SECONDS: "3",
  };
  const acked = new Map<string, number>();
  let server = await spawnServer(args, env);
  try {
    for (let cycle = 1; cycle <= 3; cycle++) {
      const token = await login(server.url, "a");
      const ws = await connect(server.url, "a", token);
      const sender = new AckedSender(ws, "a--b", `k${cycle}`);
      const sending = sender.sendUntilAcked(Infinity, Infinity, 50, 5);
      const before = acked.size;
      await eventually(() => sender.acked.size >= 300, 20_000, `cycle ${cycle}: 300 acks`);
      await server.kill("SIGKILL");
      await sending;
      for (const { mid, seq } of sender.acked.values()) acked.set(mid, seq);
      assert(acked.size > before, `cycle ${cycle} acknowledged nothing`);
      server = await spawnServer(args, env);
    }
    // The last server must archive everything the three killed ones left, and new messages.
    const token = await login(server.url, "a");
    const ws = await connect(server.url, "a", token);
    ws.send({ type: "say", chatid: "a--b", content: "after the kills", cid: "last" });
    const last = await ws.next((f) => f.type === "ack" && f.cid === "last");
    acked.set(last.mid, last.seq);
    await ws.close();
    const rows = await eventually(
      () => {
        const rows = archivedRows(dataDir);
        return rows.queued === 0 && rows.copies.has(last.mid) ? rows : null;
      },
      30_000,
      "queue drained after three kills",
    );
    const missing = [...acked.keys()].filter((mid) => !rows.copies.has(mid));
    assertEquals(missing.length, 0, `${missing.length} acknowledged messages lost`);
    assertEquals([...rows.copies].filter(([, n]) => n !== 1), []);
    assertEquals(rows.repeatedSeqs, []);
    // seq: every acknowledged message got its own.
    assertEquals(new Set(acked.values()).size, acked.size);
    console.log(`acknowledged across three kills: ${acked.size}, archived: ${rows.copies.size}`);
  } finally {
    await server.kill("SIGTERM");
    await Deno.remove(dataDir, { recursive: true });
  }
});
