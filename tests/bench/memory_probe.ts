/**
 * Where an idle connection's memory goes (a diagnostic script, not a test): the webChat server
 * (bench_server.ts, production stack) with `n` authenticated idle WebSockets (logged in with a
 * `login` frame unless `--no-login`), its memory after a full GC before and after they open, and
 * then a heap snapshot (taken last: writing one takes memory the process keeps, which would
 * count against the sockets if it came first). Open it in Chrome DevTools' Memory tab.
 *
 *   deno run -A --frozen tests/bench/memory_probe.ts [--sockets=2000] [--out=/tmp/probe] [--no-login]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openTestStores } from "../support/stores.ts";
import { setupUsers } from "./user_setup.ts";
import { receiverId, senderId } from "./bench_accounts.ts";
import { pool } from "./bounded_waits.ts";
import { startScript } from "./scripted_child.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sockets: { type: "string", default: "2000" },
    out: { type: "string", default: "/tmp/probe" },
    "no-login": { type: "boolean", default: false },
  },
});
const n = Number(values.sockets);
const out = values.out!;
await Deno.mkdir(out, { recursive: true });
const stores = await openTestStores();
const here = new URL(".", import.meta.url).pathname;
const server = await startScript([
  here + "bench_server.ts",
  JSON.stringify({
    redisUrl: "redis://127.0.0.1:6379/0",
    redisPrefix: stores.prefix,
    mysqlUrl: stores.mysqlUrl,
  }),
], /BENCH_SERVER_LISTENING (\S+)/);
const { child, command } = server;
const url = server.first[1];
const memory = async () => {
  await new Promise((r) => setTimeout(r, 1000));
  const m = await command("memory", /BENCH_MEMORY (\d+) (\d+) (\d+) (\d+)/);
  const smaps = await Deno.readTextFile(`/proc/${child.pid}/smaps_rollup`).catch(() => "");
  console.log(`memory: rss ${m[1]} heapUsed ${m[2]} external ${m[3]} heapTotal ${m[4]}`);
  console.log(smaps.split("\n").filter((l) => /Rss|Anonymous|Private/.test(l)).join("; "));
  return {
    rss: Number(m[1]) / 1024,
    heap: Number(m[2]) / 1024,
    external: Number(m[3]) / 1024,
    heapTotal: Number(m[4]) / 1024,
  };
};
const { tokens } = await setupUsers(url, stores, n / 2, 16);
const before = await memory();
const sockets: WebSocket[] = [];
const ids = Array.from({ length: n / 2 }, (_, i) => [senderId(i), receiverId(i)]).flat();
await pool(ids, 32, async (id) => {
  const socket = new WebSocket(url.replace("http", "ws") + `/ws?token=${tokens.get(id)}`);
  await new Promise((resolve, reject) => {
    socket.onopen = () => {
      if (values["no-login"]) resolve(null);
      else socket.send(JSON.stringify({ type: "login", clientName: id }));
    };
    socket.onmessage = (e) => {
      if (String(e.data).includes('"init"')) resolve(null);
    };
    socket.onerror = reject;
  });
  socket.onmessage = null;
  sockets.push(socket);
});
await new Promise((r) => setTimeout(r, 3000));
const after = await memory();
await command(`snapshot ${out}/after.heapsnapshot`, /BENCH_SNAPSHOT/);
const per = (k: "rss" | "heap" | "external" | "heapTotal") =>
  ((after[k] - before[k]) / n).toFixed(1);
console.log(
  `${n} idle sockets: RSS ${before.rss.toFixed(0)} → ${after.rss.toFixed(0)} KiB (${
    per("rss")
  } KiB each), ` +
    `JS heap ${per("heap")} KiB each (committed ${per("heapTotal")}), external ${
      per("external")
    } KiB each`,
);
for (const s of sockets) s.close();
await server.stop();
await stores.cleanup();
