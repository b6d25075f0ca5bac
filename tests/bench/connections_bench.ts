/**
 * Benchmark (a script, not a test): authenticated sessions held. For each count, the webChat
 * server (bench_server.ts: Redis + MariaDB, archive worker on, its own process) gets that many
 * accounts with a session each (written straight into MySQL and Redis: the login benchmark
 * measures password checks), one load client process opens one WebSocket per account and logs it
 * in with a `login` frame; then, in the same run, a bare `Deno.serve` + `Deno.upgradeWebSocket`
 * server (listener_bench_server.ts) holds as many plain sockets. Printed per count: time until
 * every socket had its `init` (bounded), resident memory per connection after a full GC beside
 * the bare server's, and the server's CPU while everybody sits idle.
 *
 *   deno run -A --frozen tests/bench/connections_bench.ts [--counts=1000,5000,10000,18000]
 *        [--settle-seconds=180] [--idle-seconds=10] [--concurrency=64]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { closeRedis, connectRedis } from "../../store/redis_client.ts";
import { RedisSessionStore } from "../../store/sessions_redis.ts";
import { openTestStores, TEST_REDIS_URL } from "../support/stores.ts";
import { emitResult, processCpuSeconds, processMemory } from "./bench_report.ts";
import { pool } from "./bounded_waits.ts";
import { insertBenchUsers } from "./user_setup.ts";
import { startScript } from "./scripted_child.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    counts: { type: "string", default: "1000,5000,10000,18000" },
    "settle-seconds": { type: "string", default: "180" },
    "idle-seconds": { type: "string", default: "10" },
    concurrency: { type: "string", default: "64" },
  },
});
const COUNTS = values.counts!.split(",").map(Number).filter((n) => n > 0);
const SETTLE_MS = Number(values["settle-seconds"]) * 1000;
const IDLE_MS = Number(values["idle-seconds"]) * 1000;
const CONCURRENCY = Number(values.concurrency);
const here = new URL(".", import.meta.url).pathname;

/** Opens `urls` as WebSockets (each optionally logging in), at most CONCURRENCY at a time. */
async function openAll(
  urls: { url: string; login?: string }[],
  deadline: number,
): Promise<{ sockets: WebSocket[]; failed: number }> {
  const sockets: WebSocket[] = [];
  let failed = 0;
  await pool(urls, CONCURRENCY, async ({ url, login }) => {
    if (Date.now() > deadline) {
      failed++;
      return;
    }
    const socket = new WebSocket(url);
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(1, deadline - Date.now()));
      socket.onopen = () => {
        if (!login) {
          clearTimeout(timer);
          resolve(true);
        } else socket.send(JSON.stringify({ type: "login", clientName: login }));
      };
      socket.onmessage = (event) => {
        if (String(event.data).startsWith('{"type":"init"')) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      socket.onerror = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
    // Frames other people's logins cause keep coming: read and dropped.
    socket.onmessage = null;
    if (ok) sockets.push(socket);
    else {
      failed++;
      socket.close();
    }
  });
  return { sockets, failed };
}

const closeAll = (sockets: WebSocket[]) => sockets.forEach((s) => s.close());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Held {
  count: number;
  settledSec: number | null;
  failed: number;
  kibPerConnection: number;
  idleCpuPercent: number;
}

/**
 * Opens `urls` against a server (process `pid`, memory read by `memory` after a full GC): the
 * time until all are in, resident memory per connection, and CPU while they sit idle.
 */
async function hold(
  pid: number,
  memory: () => Promise<number>,
  urls: { url: string; login?: string }[],
): Promise<Held> {
  const before = await memory();
  const started = Date.now();
  const { sockets, failed } = await openAll(urls, started + SETTLE_MS);
  const settledSec = failed === 0 ? (Date.now() - started) / 1000 : null;
  await sleep(3000);
  const after = await memory();
  const cpuBefore = processCpuSeconds(pid);
  await sleep(IDLE_MS);
  const idleCpuPercent = (processCpuSeconds(pid) - cpuBefore) / (IDLE_MS / 1000) * 100;
  closeAll(sockets);
  return {
    count: urls.length,
    settledSec,
    failed,
    kibPerConnection: (after - before) / Math.max(1, sockets.length),
    idleCpuPercent,
  };
}

async function webchat(count: number): Promise<Held> {
  const stores = await openTestStores();
  const server = await startScript([
    here + "bench_server.ts",
    JSON.stringify({
      redisUrl: TEST_REDIS_URL,
      redisPrefix: stores.prefix,
      mysqlUrl: stores.mysqlUrl,
      maxConnections: Math.max(count + 100, 16_000),
    }),
  ], /BENCH_SERVER_LISTENING (\S+)/);
  const url = server.first[1];
  const redis = await connectRedis(TEST_REDIS_URL);
  try {
    const ids = Array.from({ length: count }, (_, i) => `held${i}`);
    await insertBenchUsers(stores, ids, "");
    const sessions = new RedisSessionStore(redis, stores.prefix, 3600);
    const tokens = new Map<string, string>();
    await pool(ids, 32, async (id) => void tokens.set(id, await sessions.create(id)));
    const memory = async () => {
      await server.command("memory", /BENCH_MEMORY (\d+)/);
      await sleep(500);
      return processMemory(server.child.pid).rssKiB;
    };
    const ws = url.replace(/^http/, "ws");
    return await hold(
      server.child.pid,
      memory,
      ids.map((id) => ({ url: `${ws}/ws?token=${tokens.get(id)}`, login: id })),
    );
  } finally {
    await server.stop();
    await closeRedis(redis);
    await stores.cleanup();
  }
}

async function bare(count: number): Promise<Held> {
  const server = await startScript(
    [here + "listener_bench_server.ts", "serve"],
    /listening on (\d+)/,
  );
  try {
    const base = `127.0.0.1:${server.first[1]}`;
    const memory = async () => {
      await (await fetch(`http://${base}/gc`)).json();
      await sleep(500);
      return processMemory(server.child.pid).rssKiB;
    };
    return await hold(
      server.child.pid,
      memory,
      Array.from({ length: count }, () => ({ url: `ws://${base}/ws` })),
    );
  } finally {
    server.child.kill("SIGTERM");
    await server.child.status;
  }
}

const rows: { webchat: Held; bare: Held }[] = [];
for (const count of COUNTS) {
  const b = await bare(count);
  await sleep(2000);
  const w = await webchat(count);
  rows.push({ webchat: w, bare: b });
  const settled = (h: Held) =>
    h.settledSec === null
      ? `${h.failed} not in after ${SETTLE_MS / 1000} s`
      : `${h.settledSec.toFixed(1)} s`;
  console.log(
    `${count} connections: webChat ${w.kibPerConnection.toFixed(1)} KiB each ` +
      `(${(w.kibPerConnection / b.kibPerConnection).toFixed(2)}× bare ${
        b.kibPerConnection.toFixed(1)
      } KiB), ` +
      `all logged in ${settled(w)} (bare: ${settled(b)}), idle CPU ${
        w.idleCpuPercent.toFixed(1)
      }% ` +
      `(bare ${b.idleCpuPercent.toFixed(1)}%)`,
  );
}
emitResult("connections", rows);
