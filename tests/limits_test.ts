/**
 * Connection limits: the cap (1013), idle connections (4408), slow clients, a flood beyond the
 * descriptor limit, and an accept loop that survives running out of file descriptors.
 */
import { plainUser } from "./support/fixtures.ts";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { connectionBudget, connectionCap } from "../api/fd_limit.ts";
import { hashPassword } from "../store/password.ts";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { eventually, startTestServer } from "./support/chat_server.ts";
import { freePort, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";
import { readLines } from "./support/read_lines.ts";
import { tcpQueues } from "./support/tcp_queues.ts";
import { type Frame, openWs } from "./support/ws_client.ts";

Deno.test("the connection cap stays below the descriptor limit", () => {
  assertEquals(connectionCap(16_000, 20_000), 16_000);
  assertEquals(connectionCap(16_000, 1024), 824);
  assertEquals(connectionCap(16_000, 100), 1);
  assertEquals(connectionCap(500, null), 500);
  // All connections together (the listener's total cap) keep the same reserve.
  assertEquals(connectionBudget(20_000), 19_800);
  assertEquals(connectionBudget(100), 1);
});

Deno.test("at capacity a new WebSocket is refused with 1013; a freed slot is usable again", async () => {
  const t = await startTestServer({ configure: (c) => c.limits.maxConnections = 3 });
  try {
    await t.addUser("alice");
    const token = await t.login("alice");
    const open = [
      await openWs(t.url, token),
      await openWs(t.url, token),
      await openWs(t.url, token),
    ];
    const refused = await openWs(t.url, token);
    assertEquals((await refused.closed).code, 1013);
    await open[0].close();
    await eventually(() => t.server.gateway.size === 2, 5000, "slot freed");
    const again = await t.connect("alice", token);
    assertEquals(again.init.type, "init");
    await Promise.all([open[1].close(), open[2].close(), again.close()]);
  } finally {
    await t.close();
  }
});

Deno.test("a silent connection gets pings and is closed with 4408; one that answers stays", async () => {
  const t = await startTestServer({
    configure: (c) => {
      c.heartbeat.pingSeconds = 1;
      c.heartbeat.idleSeconds = 2;
    },
  });
  try {
    await t.addUser("alice");
    const token = await t.login("alice");
    const silent = await t.connect("alice", token);
    const lively = await t.connect("alice", token);
    lively.socket.addEventListener("message", (event) => {
      if (JSON.parse(String(event.data)).type === "ping") lively.send({ type: "pong" });
    });
    await silent.next((f) => f.type === "ping", 3000);
    assertEquals((await silent.closed).code, 4408);
    assert(lively.socket.readyState === WebSocket.OPEN, "the answering connection was closed");
    await lively.close();
  } finally {
    await t.close();
  }
});

Deno.test("a client that does not read is disconnected once the server holds its limit for it", {
  // The kernel's share of the backlog is read from /proc/net/tcp.
  ignore: Deno.build.os !== "linux",
}, async () => {
  const limit = 64 * 1024;
  const t = await startTestServer({
    configure: (c) => {
      c.limits.sendBufferBytes = limit;
      // alice floods on purpose; the send rate limit is not what this test is about.
      c.limits.sendPerSecond = c.limits.sendBurst = 1_000_000;
      c.limits.messageChars = 30_000;
    },
  });
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const bobToken = await t.login("bob");
    // bob's client speaks WebSocket by hand and then stops reading.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: t.server.port });
    const bobPort = (conn.localAddr as Deno.NetAddr).port;
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    await conn.write(new TextEncoder().encode(
      `GET /ws?token=${bobToken} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ));
    const head = new Uint8Array(1024);
    const n = await conn.read(head);
    assert(new TextDecoder().decode(head.subarray(0, n!)).startsWith("HTTP/1.1 101"));
    await conn.write(maskedTextFrame(JSON.stringify({ type: "login", clientName: "bob" })));
    await eventually(() => t.server.gateway.ctx.hub.has("bob"), 5000, "bob logged in");

    const alice = await t.connect("alice", await t.login("alice"));
    const big = "x".repeat(30_000);
    // What the server handed to bob's connection (bob gets the same say frames as alice, each
    // with a 4-byte WebSocket header), less what the kernel holds (the server's send queue and
    // bob's receive queue, several MiB on loopback): the rest sits in the server's own memory,
    // and that is what the limit bounds, give or take the one frame that crossed it.
    const frameBytes = (frame: Frame) => new TextEncoder().encode(JSON.stringify(frame)).length + 4;
    const allowed = limit + big.length + 1024;
    let handed = 0, sent = 0;
    while (t.server.gateway.ctx.hub.has("bob") && handed < 256 * 1024 * 1024) {
      for (let i = 0; i < 10; i++, sent++) {
        alice.send({ type: "say", chatid: "alice--bob", content: big, cid: `s${sent}` });
      }
      // alice's copy of the last one: every earlier say was handed to bob's socket before it.
      await alice.next((f) => f.type === "say" && f.cid === `s${sent - 1}`, 20_000);
      for (const frame of alice.frames.filter((f) => f.type === "say")) handed += frameBytes(frame);
      alice.frames.length = 0; // the test does not need them; keep its memory flat
      if (!t.server.gateway.ctx.hub.has("bob")) break;
      const kernel = await tcpQueues(t.server.port, bobPort);
      const held = handed - kernel.sendQueue - kernel.receiveQueue;
      assert(
        held <= allowed,
        `the server holds ${held} bytes for bob, who is still connected (limit ${limit})`,
      );
    }
    assert(!t.server.gateway.ctx.hub.has("bob"), `bob still connected after ${handed} bytes`);
    conn.close();
  } finally {
    await t.close();
  }
});

Deno.test("a flood beyond the descriptor limit is refused at the cap; then all is well", async () => {
  const stores = await openTestStores();
  const port = freePort();
  const server = await spawnServer(
    ["--port", String(port), "--redis", TEST_REDIS_URL, "--mysql", stores.mysqlUrl],
    { CHAT_REDIS_PREFIX: stores.prefix, CHAT_DATA_DIR: await Deno.makeTempDir() },
    { fdLimit: 256 },
  );
  const flood: Deno.Conn[] = [];
  try {
    const users = new MysqlUserStore(stores.pool);
    await users.add(plainUser("alice", "Alice"), await hashPassword("pw"));
    // More plain TCP connections than the process has descriptors (the same address as the
    // client below: the default per-address cap, 256, is above this budget of 56).
    for (let i = 0; i < 400; i++) {
      try {
        flood.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      } catch {
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (const conn of flood.splice(0)) conn.close();
    const health = await eventually(
      async () => {
        const response = await fetch(`${server.url}/healthz`);
        return response.status === 200 ? await response.json() : null;
      },
      15_000,
      "server answers again",
    );
    assertEquals(health.ok, true);
    const login = await fetch(`${server.url}/api/login`, {
      method: "POST",
      body: JSON.stringify({ accountid: "alice", password: "pw" }),
    });
    assertEquals(login.status, 200);
    await login.body?.cancel();
    assert(
      server.output.some((line) =>
        /http: refused \d+ connection\(s\): [1-9]\d* at the cap of 56 /.test(line)
      ),
      "the flood was never refused at the cap:\n" + server.output.join("\n"),
    );
  } finally {
    for (const conn of flood) conn.close();
    await server.kill("SIGTERM");
    await stores.cleanup();
  }
});

Deno.test("the accept loop survives running out of file descriptors (EMFILE)", async () => {
  // The listener alone, with caps far above its descriptor limit, so accept itself fails.
  const script = new URL("./support/bare_listener.ts", import.meta.url).pathname;
  const child = new Deno.Command("bash", {
    args: ["-c", `ulimit -n 64 && exec "$0" run -A "$1"`, Deno.execPath(), script],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const pumps = Promise.all([
    readLines(child.stdout, (line) => output.push(line)),
    readLines(child.stderr, (line) => output.push(line)),
  ]);
  const flood: Deno.Conn[] = [];
  try {
    const port = await eventually(
      () => Number(/^listening on (\d+)/.exec(output.join("\n"))?.[1]),
      20_000,
      "the listener's port",
    );
    for (let i = 0; i < 100; i++) flood.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    await eventually(
      () => output.some((l) => /accept failed \(.*os error 24/.test(l)),
      5000,
      "EMFILE",
    );
    for (const conn of flood.splice(0)) conn.close();
    const answer = await eventually(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        return response.status === 200 && await response.text();
      },
      10_000,
      "an answer after EMFILE",
    );
    assertEquals(answer, "ok");
    assert(
      output.some((l) => /accepting again after \d+ failed accept/.test(l)),
      output.join("\n"),
    );
  } finally {
    for (const conn of flood) conn.close();
    try {
      child.kill("SIGTERM");
    } catch { /* it exited: the test has already failed */ }
    await child.status;
    await pumps;
  }
});

/** A client frame must be masked (RFC 6455 §5.3). */
function maskedTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const header = payload.length < 126
    ? [0x81, 0x80 | payload.length]
    : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 255];
  const frame = new Uint8Array(header.length + 4 + payload.length);
  frame.set(header);
  frame.set(mask, header.length);
  payload.forEach((b, i) => frame[header.length + 4 + i] = b ^ mask[i % 4]);
  return frame;
}

Deno.test("shutdown closes every socket with 1001 without telling each about every other", async () => {
  const t = await startTestServer();
  let closed = false;
  try {
    const accounts = Array.from({ length: 30 }, (_, i) => `u${i}`);
    for (const id of accounts) await t.addUser(id);
    // Sessions straight from the store: 30 scrypt logins would only slow the test down.
    const clients = [];
    for (const id of accounts) {
      clients.push(await t.connect(id, await t.server.backend.sessions.create(id)));
    }
    await t.server.close();
    closed = true;
    const codes = await Promise.all(clients.map((c) => c.closed.then((x) => x.code)));
    assertEquals(new Set(codes), new Set([1001]));
    const logouts = clients.flatMap((c) => c.frames.filter((f) => f.type === "logout"));
    assertEquals(logouts.length, 0);
  } finally {
    if (!closed) await t.server.close();
    await t.close();
  }
});
