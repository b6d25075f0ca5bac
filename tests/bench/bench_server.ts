/**
 * The webChat server for the benchmark, as its own process (so the load generator does not share
 * its event loop): the production stack of `startServer` — Redis, MySQL, the archive worker —
 * on a free port of 127.0.0.1, with the Redis prefix and database the parent chose.
 *
 * `deno run -A tests/bench/bench_server.ts '{"redisUrl":…,"redisPrefix":…,"mysqlUrl":…}'`
 * prints `BENCH_SERVER_LISTENING <url> <ms since start>` (stderr) once it accepts connections, logs to
 * stderr, and shuts
 * down in order when its standard input closes (the parent ended, even by crashing) or on
 * SIGTERM/SIGINT; the line `exit-now` on stdin makes it exit at once instead. It never touches
 * the stores' cleanup: the parent owns them.
 *
 * @module
 */
import { defaultConfig } from "../../config/mod.ts";
import { startServer } from "../../api/server.ts";
import { reportLoopLag } from "./loop_lag.ts";
import v8 from "node:v8";

function reportMemory(): void {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, heapTotal, external } = Deno.memoryUsage();
  console.error(`BENCH_MEMORY ${rss} ${heapUsed} ${external} ${heapTotal}`);
}

const settings = JSON.parse(Deno.args[0] ?? "{}") as {
  redisUrl: string;
  redisPrefix: string;
  mysqlUrl: string;
  /** Report the event loop's lag (loop_lag.ts; the group benchmark reads it). */
  loopLag?: boolean;
  /** limits.maxConnections (the connections benchmark holds up to 18,000). */
  maxConnections?: number;
};
if (settings.loopLag) reportLoopLag();
const config = defaultConfig();
config.port = 0;
config.redisUrl = settings.redisUrl;
config.redisPrefix = settings.redisPrefix;
config.mysqlUrl = settings.mysqlUrl;
// The load generator's senders are machines, faster than any person: the per-account send
// rate limit would measure itself, not the server.
config.limits.sendPerSecond = config.limits.sendBurst = 1_000_000;
if (settings.maxConnections) config.limits.maxConnections = settings.maxConnections;
// Every load client connects from 127.0.0.1.
config.limits.connectionsPerAddress = 1_000_000;

const server = await startServer(config, {
  log: (line) => console.error(`server: ${line}`),
});
// The clock lets the parent place this process's --trace-gc lines (ms since start) on its own.
// On stderr: V8's --trace-gc writes to stdout from any thread, and could split the line.
console.error(`BENCH_SERVER_LISTENING ${server.url} ${performance.now().toFixed(1)}`);

let stopping: Promise<void> | null = null;
function stop(): Promise<void> {
  stopping ??= (async () => {
    const timer = setTimeout(() => {
      console.error("server: close took over 20 s; exiting anyway");
      Deno.exit(2);
    }, 20_000);
    try {
      await server.close();
    } finally {
      clearTimeout(timer);
    }
    console.log("BENCH_SERVER_STOPPED");
    // --cpu-prof writes its profile at a normal exit.
    Deno.exit(0);
  })();
  return stopping;
}
for (const signal of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(signal, () => stop());
(async () => {
  try {
    const decoder = new TextDecoder();
    for await (const chunk of Deno.stdin.readable) {
      // "exit-now": leave without the orderly close (so a --cpu-prof profile is written even
      // when closing would take long); EOF: the parent is done (or gone), close in order.
      const text = decoder.decode(chunk);
      if (text.includes("exit-now")) Deno.exit(0);
      // "memory": the process's memory after a full collection (with --v8-flags=--expose-gc);
      // "snapshot <path>": a V8 heap snapshot there, for finding what a connection holds.
      if (text.includes("memory")) reportMemory();
      const snapshot = /snapshot (\S+)/.exec(text);
      if (snapshot) {
        v8.writeHeapSnapshot(snapshot[1]);
        console.error(`BENCH_SNAPSHOT ${snapshot[1]}`);
      }
    }
  } catch {
    // stdin closed abruptly: same as EOF
  }
  await stop();
})();
