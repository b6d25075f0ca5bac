/**
 * Benchmark (a script, not a test) of several nodes: three webChat servers (each its own
 * process, archive worker on) on one Redis and one MariaDB, against one of them alone in the
 * same run.
 *
 *   deno run -A --frozen tests/bench/nodes_bench.ts [--pairs=600 --messages=20 --window=8
 *                   --rate=1000 --latency-pairs=150 --seconds=10]
 *
 * 1. Single node: every pair's two sockets on node 0; throughput (every pair sends `messages`
 *    with a window of `window`) and the paced latency phase (`rate` msg/s for `seconds`).
 * 2. Three nodes: the same accounts reconnect, pair i's sender on node i mod 3 and its partner on
 *    node (i+1) mod 3, so every message crosses nodes through Redis pub/sub; the same phases.
 * All three servers run during both cases (the machine is the same); CPU figures are node 0's.
 *
 * @module
 */
import { readBenchOptions } from "./bench_options.ts";
import type { BurstStats, PacedStats } from "./bench_results.ts";
import { closeSockets } from "./bench_sockets.ts";
import type { Target } from "./bench_target.ts";
import { listenForInterrupts, waitFor } from "./bounded_waits.ts";
import { findStorePids } from "./cpu_meter.ts";
import { fmtMs } from "./bench_format.ts";
import { pacedPhase } from "./paced_phase.ts";
import { type BenchServer, startBenchServer } from "./server_process.ts";
import { connectAll } from "./socket_logins.ts";
import { idleHooks, traffic } from "./socket_traffic.ts";
import { burstPhase, warmup } from "./throughput_phase.ts";
import { setupUsers } from "./user_setup.ts";
import { openTestStores, TEST_REDIS_URL } from "../support/stores.ts";

const NODES = 3;
const options = readBenchOptions([
  "--pairs=600",
  "--rate=1000",
  "--latency-pairs=150",
  ...Deno.args,
]);
listenForInterrupts();
const stores = await openTestStores();
const storePids = findStorePids();
const ctx = { options, stores, storePids };
const servers: BenchServer[] = [];
const live = new Set<Target>();
const figures: { name: string; burst: BurstStats; paced: PacedStats }[] = [];
let failed = false;
console.log(
  `webChat nodes benchmark ${new Date().toISOString()}: ${options.pairs} pairs × ` +
    `${options.messages} msgs (window ${options.window}); latency ${options.latencyPairs} pairs ` +
    `at ${options.rate} msg/s for ${options.seconds} s; load average ` +
    Deno.loadavg().map((l) => l.toFixed(1)).join(" "),
);
try {
  for (let i = 0; i < NODES; i++) {
    servers.push(
      await startBenchServer("bench_server.ts", [
        JSON.stringify({
          redisUrl: TEST_REDIS_URL,
          redisPrefix: stores.prefix,
          mysqlUrl: stores.mysqlUrl,
        }),
      ], null),
    );
    console.log(`node ${i}: ${servers[i].url} (pid ${servers[i].child.pid})`);
  }
  const { tokens } = await waitFor(
    setupUsers(servers[0].url, stores, options.pairs, options.loginConcurrency),
    600_000,
    "setup",
  );
  const cases: [string, Target["urlFor"]][] = [
    ["one node", () => servers[0].url],
    [
      "three nodes, pairs across",
      (role, pair) => servers[(pair + (role === "sender" ? 0 : 1)) % NODES].url,
    ],
  ];
  for (const [name, urlFor] of cases) {
    traffic.shuttingDown = false;
    traffic.hooks = idleHooks;
    const target: Target = { name, server: servers[0], senders: [], receivers: [], urlFor };
    live.add(target);
    await connectAll(target, (id) => tokens.get(id)!, ctx);
    await warmup(target, ctx);
    const burst = (await burstPhase(target, ctx)).stats;
    const paced = await pacedPhase(target, ctx);
    figures.push({ name, burst, paced });
    traffic.shuttingDown = true;
    live.delete(target);
    await closeSockets([...target.senders, ...target.receivers]);
    // Let the logouts settle before the next case logs everyone in again; the next case sends
    // the same cids, which the server would take for retries of these: forget them.
    await new Promise((r) => setTimeout(r, 2000));
    for await (const keys of stores.redis.scanIterator({ MATCH: `${stores.prefix}cid:*` })) {
      if (keys.length > 0) await stores.redis.del(keys);
    }
  }
} catch (error) {
  failed = true;
  console.error(`benchmark failed: ${(error as Error)?.stack ?? error}`);
} finally {
  traffic.shuttingDown = true;
  traffic.hooks = idleHooks;
  for (const target of live) await closeSockets([...target.senders, ...target.receivers]);
  for (const server of servers) await server.stop().catch(() => 0);
  await stores.cleanup().catch((error) => console.error(`cleanup failed: ${error}`));
}

console.log("\nsummary (same run, same machine):");
console.log(
  "| case | throughput: delivered msg/s (p99 while saturated) | paced: delivered msg/s | paced p50 / p99 |",
);
console.log("| --- | --- | --- | --- |");
for (const { name, burst, paced } of figures) {
  console.log(
    `| ${name} | ${burst.rate.toFixed(0)} (${fmtMs(burst.p99)}) | ` +
      `${paced.deliveredRate.toFixed(0)} of ${paced.total} sent: ${paced.delivered} received | ` +
      `${fmtMs(paced.p50)} / ${fmtMs(paced.p99)} |`,
  );
}
Deno.exit(failed || figures.length < 2 ? 1 : 0);
