/**
 * Benchmark (a script, not a test) of webChat's listener (own accept loop + `Deno.serveHttp`,
 * api/listener.ts) against a bare `Deno.serve` and a bare `Deno.serveHttp` loop, in the same
 * run, each server in its own process with the same handler (listener_bench_server.ts):
 *
 * 1. HTTP: `requests` sequential GETs over one keep-alive connection, then the same number
 *    spread over `parallel` keep-alive connections; requests per second.
 * 2. Memory: resident memory (and JS heap) of the server with `sockets` idle WebSockets open,
 *    minus the same reading before they opened (both after a full GC), per socket.
 * 3. WebSocket: 200 of those sockets each make 50 echo round trips of 100 bytes at once.
 *
 *   deno run -A --frozen tests/bench/listener_bench.ts [--requests=2000] [--parallel=32]
 *                                                       [--sockets=2000] [--rounds=3]
 *
 * The order of the servers alternates between rounds so all see the same machine; the best
 * round is shown for speed (least disturbed by other work on a shared machine), the median for
 * memory.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readLines } from "../support/read_lines.ts";
import { emitResult } from "./bench_report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "2000" },
    parallel: { type: "string", default: "32" },
    sockets: { type: "string", default: "2000" },
    rounds: { type: "string", default: "3" },
  },
});
const REQUESTS = Number(values.requests);
const PARALLEL = Number(values.parallel);
const SOCKETS = Number(values.sockets);
const ROUNDS = Number(values.rounds);
const ECHO_SOCKETS = 200;
const ECHOES = 100;
const MODES = ["serve", "listener", "serve-http"] as const;
type Mode = typeof MODES[number];

interface Round {
  sequential: number;
  parallel: number;
  /** WebSocket messages echoed per second. */
  echo: number;
  /** Server CPU (user + system, all threads) per request / per echo, in µs. */
  requestCpuUs: number;
  echoCpuUs: number;
  kibPerSocket: number;
  heapKibPerSocket: number;
}

async function startServer(mode: Mode) {
  const script = new URL("./listener_bench_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", script, mode],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const port = Promise.withResolvers<number>();
  const pumps = Promise.all([
    readLines(child.stdout, (line) => {
      const match = /^listening on (\d+)/.exec(line);
      if (match) port.resolve(Number(match[1]));
    }),
    readLines(child.stderr, (line) => console.error(`[${mode}] ${line}`)),
  ]);
  child.status.then(() => port.reject(new Error(`${mode} server exited`)));
  return {
    child,
    port: await port.promise,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await pumps;
    },
  };
}

/** utime + stime of a process (all its threads), in seconds (Linux clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function residentKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
}

/** Resident and JS-heap KiB of the server after a full GC. */
async function settledMemory(pid: number, base: string): Promise<{ rss: number; heap: number }> {
  await (await fetch(`${base}/gc`)).body?.cancel();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const usage = await (await fetch(`${base}/gc`)).json();
  return { rss: residentKiB(pid), heap: usage.heapUsed / 1024 };
}

async function requestsPerSecond(base: string, total: number, lanes: number): Promise<number> {
  // One client per lane, so each lane keeps its own keep-alive connection.
  const clients = Array.from(
    { length: lanes },
    () => Deno.createHttpClient({ poolMaxIdlePerHost: 1 }),
  );
  const start = performance.now();
  await Promise.all(clients.map(async (client, lane) => {
    for (let i = lane; i < total; i += lanes) {
      const response = await fetch(`${base}/healthz`, { client });
      if (response.status !== 200) throw new Error(`status ${response.status}`);
      await response.arrayBuffer();
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  for (const client of clients) client.close();
  return total / seconds;
}

async function openSockets(port: number, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      sockets.push(ws);
      return new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error("WebSocket failed"));
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

/** Every socket sends `each` messages, one at a time, each after the previous echo. */
async function echoesPerSecond(sockets: WebSocket[], each: number): Promise<number> {
  const start = performance.now();
  await Promise.all(sockets.map((ws) =>
    new Promise<void>((resolve) => {
      let left = each;
      ws.onmessage = () => {
        if (--left === 0) resolve();
        else ws.send("x".repeat(100));
      };
      ws.send("x".repeat(100));
    })
  ));
  return (sockets.length * each) / ((performance.now() - start) / 1000);
}

async function closeSockets(sockets: WebSocket[]) {
  await Promise.all(sockets.map((ws) =>
    new Promise((resolve) => {
      ws.onclose = resolve;
      ws.close();
    })
  ));
}

async function round(mode: Mode): Promise<Round> {
  const server = await startServer(mode);
  const base = `http://127.0.0.1:${server.port}`;
  try {
    await requestsPerSecond(base, 500, 1); // warm-up: JIT, pools
    const pid = server.child.pid;
    const cpuBefore = cpuSeconds(pid);
    const sequential = await requestsPerSecond(base, REQUESTS, 1);
    const parallel = await requestsPerSecond(base, REQUESTS, PARALLEL);
    const requestCpuUs = (cpuSeconds(pid) - cpuBefore) * 1e6 / (2 * REQUESTS);
    const before = await settledMemory(server.child.pid, base);
    const sockets = await openSockets(server.port, SOCKETS);
    const after = await settledMemory(server.child.pid, base);
    const echoCpuBefore = cpuSeconds(pid);
    const echo = await echoesPerSecond(sockets.slice(0, ECHO_SOCKETS), ECHOES);
    const echoCpuUs = (cpuSeconds(pid) - echoCpuBefore) * 1e6 / (ECHO_SOCKETS * ECHOES);
    await closeSockets(sockets);
    return {
      sequential,
      parallel,
      echo,
      requestCpuUs,
      echoCpuUs,
      kibPerSocket: (after.rss - before.rss) / SOCKETS,
      heapKibPerSocket: (after.heap - before.heap) / SOCKETS,
    };
  } finally {
    await server.stop();
  }
}

const results = Object.fromEntries(MODES.map((mode) => [mode, [] as Round[]])) as Record<
  Mode,
  Round[]
>;
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of r % 2 === 0 ? MODES : [...MODES].reverse()) {
    const result = await round(mode);
    results[mode].push(result);
    console.log(
      `round ${r + 1} ${mode.padEnd(10)}: ${result.sequential.toFixed(0)} req/s sequential, ` +
        `${result.parallel.toFixed(0)} req/s over ${PARALLEL} connections, ` +
        `${result.echo.toFixed(0)} echoes/s, CPU ${result.requestCpuUs.toFixed(0)} µs/request ` +
        `${result.echoCpuUs.toFixed(0)} µs/echo, ${result.kibPerSocket.toFixed(1)} KiB ` +
        `(heap ${result.heapKibPerSocket.toFixed(1)} KiB) per idle WebSocket`,
    );
  }
}

const best = (mode: Mode, key: keyof Round) => Math.max(...results[mode].map((r) => r[key]));
const median = (mode: Mode, key: keyof Round) => {
  const sorted = results[mode].map((r) => r[key]).sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
};
const rows: [string, (mode: Mode) => number, string][] = [
  [
    "GET /healthz, sequential, one keep-alive connection (best)",
    (m) => best(m, "sequential"),
    "req/s",
  ],
  [
    `GET /healthz over ${PARALLEL} keep-alive connections (best)`,
    (m) => best(m, "parallel"),
    "req/s",
  ],
  [
    `WebSocket echo, ${ECHO_SOCKETS} sockets × ${ECHOES} round trips (best)`,
    (m) => best(m, "echo"),
    "msg/s",
  ],
  ["server CPU per HTTP request (median)", (m) => median(m, "requestCpuUs"), "µs"],
  ["server CPU per WebSocket echo (median)", (m) => median(m, "echoCpuUs"), "µs"],
  [
    `resident memory per idle WebSocket, ${SOCKETS} open (median)`,
    (m) => median(m, "kibPerSocket"),
    "KiB",
  ],
  ["of which JS heap (median)", (m) => median(m, "heapKibPerSocket"), "KiB"],
];
console.log(`\nDeno ${Deno.version.deno}, ${ROUNDS} rounds, ${REQUESTS} requests per HTTP phase`);
console.log(
  "| measure | Deno.serve | webChat listener | bare serveHttp loop | listener / Deno.serve |",
);
console.log("| --- | --- | --- | --- | --- |");
for (const [label, value, unit] of rows) {
  const [serve, own, bare] = MODES.map(value);
  const digits = unit === "KiB" ? 1 : 0;
  console.log(
    `| ${label} | ${serve.toFixed(digits)} ${unit} | ${own.toFixed(digits)} ${unit} | ` +
      `${bare.toFixed(digits)} ${unit} | ${(own / serve).toFixed(2)}× |`,
  );
}
emitResult(
  "listener",
  rows.map(([label, value, unit]) => {
    const [serve, own, bare] = MODES.map(value);
    return { label, unit, denoServe: serve, webchatListener: own, bareServeHttp: bare };
  }),
);
