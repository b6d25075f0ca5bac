/**
 * Connections that never send a request, or dribble their headers one line a second, against
 * the real server at a small descriptor limit: the header timeout closes them, the per-address
 * cap refuses the rest at once, and somebody else can log in and chat all the while.
 *
 * The flood comes from 127.0.0.2 and the legitimate client from 127.0.0.1: two addresses, as an
 * attacker and a user would be, so the per-address cap can tell them apart. The caps are the
 * defaults (256 per address; the total derived from the descriptor limit); only the header
 * timeout is shortened to keep the test short.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { hashPassword } from "../store/password.ts";
import { plainUser } from "./support/fixtures.ts";
import { freePort, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";
import { type FloodKind, startFlood } from "./support/tcp_flood.ts";
import { openWs } from "./support/ws_client.ts";

const FD_LIMIT = 512; // connection budget 312 (200 kept for stores and the worker)
const PER_ADDRESS = 256; // the default
const FLOOD = 600; // more than the server has descriptors: enough to take down a listener

for (const kind of ["idle", "slow-headers"] as const) {
  Deno.test(`a flood of ${kind} connections is timed out and capped; others still chat`, () =>
    floodTest(kind));
}

async function floodTest(kind: FloodKind) {
  const stores = await openTestStores();
  const port = freePort();
  const server = await spawnServer(
    ["--port", String(port), "--redis", TEST_REDIS_URL, "--mysql", stores.mysqlUrl],
    {
      CHAT_REDIS_PREFIX: stores.prefix,
      CHAT_DATA_DIR: await Deno.makeTempDir(),
      CHAT_HEADER_TIMEOUT: "1",
    },
    { fdLimit: FD_LIMIT },
  );
  const flood = await startFlood({ port, from: "127.0.0.2", sockets: FLOOD, kind });
  try {
    await new MysqlUserStore(stores.pool).add(plainUser("alice"), await hashPassword("pw"));
    await sleep(300);
    // During the flood: log in over HTTP and chat over a WebSocket.
    const login = await fetch(`${server.url}/api/login`, {
      method: "POST",
      body: JSON.stringify({ accountid: "alice", password: "pw" }),
    });
    assertEquals(login.status, 200);
    const { token } = await login.json();
    const ws = await openWs(server.url, token);
    ws.send({ type: "login", clientName: "alice" });
    assertEquals((await ws.next((f) => f.type === "init" || f.type === "error")).type, "init");
    await ws.close();

    // Two header timeouts later, with the flood reopening everything that was closed.
    await sleep(2000);
    // Sockets reopened a moment ago may not have been refused yet: count the ones kept.
    const kept = flood.openLongerThan(300);
    assert(kept <= PER_ADDRESS, `${kept} flood sockets kept open`);
    const oldest = flood.oldestOpenMs();
    assert(oldest < 2000, `a ${kind} socket has been open for ${Math.round(oldest)} ms`);
    const refusedAtOnce = flood.closedAfter.filter((ms) => ms < 300).length;
    const timedOut = flood.closedAfter.filter((ms) => ms >= 900 && ms < 2000).length;
    assert(refusedAtOnce >= FLOOD - PER_ADDRESS, `only ${refusedAtOnce} refused at once`);
    assert(timedOut >= PER_ADDRESS, `only ${timedOut} closed by the header timeout`);
    assert(
      server.output.some((line) => /http: refused \d+ connection\(s\)/.test(line)),
      server.output.join("\n"),
    );
  } finally {
    await flood.stop();
    await server.kill("SIGTERM");
    await stores.cleanup();
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
