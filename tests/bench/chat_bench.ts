/**
 * Benchmark (a script, not a test) of the production stack: the real server (Redis + MariaDB,
 * archive worker running) in its own process on 127.0.0.1, driven over loopback HTTP and
 * WebSockets from this process.
 *
 *   deno task bench:chat                 (= deno run -A --frozen tests/bench/chat_bench.ts)
 *   deno task bench:chat --pairs=1000 --messages=20 --window=8 --rate=2000 --latency-pairs=200
 *                   --seconds=10 --archive-rows=50000 [--skip-baseline] [--skip-archive]
 *                   [--profile] [--trace-gc=false]
 *
 * 0. Baseline, same run: every phase also runs against tests/bench/relay_server.ts (a bare
 *    WebSocket relay with webChat's frames and no stores, in its own process, its 2,000 sockets
 *    open alongside), right before webChat's turn. The machine has 2 shared cores, so webChat's
 *    figures are printed next to the relay's (and as a ratio), with the CPU every party used in
 *    each phase (server, this load generator, Redis, MariaDB, everything else on the machine).
 * 1. Throughput: `pairs` sender accounts, each with its own socket, send `messages` messages to
 *    their own partner (another socket) as fast as acks allow with a window of `window`
 *    unacknowledged frames; a message is done when the partner received its `say`. Then the
 *    time until every row is in `webchat_messageYYYYMM` (end-to-end durable throughput).
 * 2. Latency: `latency-pairs` of those pairs send at a paced `rate` (spread evenly) for `seconds`;
 *    send → receive latency measured at the partner (same clock: same process). An idle socket
 *    sends `ping` every 50 ms meanwhile: its `pong` time is the server's event-loop delay.
 * 3. Archive: runs queue/archive_bench.ts (worker path vs plain multi-row INSERT) as a
 *    subprocess once the chat server has stopped, and relays its output.
 *
 * Diagnostics printed along the way: Redis commands and MariaDB statements per message (and per
 * /ws login), the server's GC pauses per phase (`--trace-gc`, on unless `--trace-gc=false`), the
 * slowest 100 ms slices of the paced phase with the GC pauses and heartbeat that overlapped
 * them, and the time the server takes to shut down with 2,000 sockets open.
 *
 * Then a plain-text summary for the README. Every loop is bounded; the Redis prefix and the
 * database are removed at the end, also on failure or Ctrl-C. `--profile` runs the server with
 * V8's CPU profiler and prints where its threads spent time in each phase.
 *
 * Users are inserted straight into MySQL with one precomputed scrypt hash of cheaper parameters
 * (N=1024 instead of 16384: stored hashes carry their own parameters, and 2,000 logins at the
 * default cost would take minutes on 2 cores); login speed is not what is measured here.
 *
 * This file is the entry point; the parts live beside it: bench_options.ts (flags),
 * bench_run.ts (the phases in order), user_setup.ts, socket_logins.ts, throughput_phase.ts and
 * burst_run.ts, paced_phase.ts, archive_relay.ts, cpu_meter.ts (/proc), store_counters.ts,
 * gc_report.ts, cpu_profiles.ts, server_process.ts, summary_table.ts.
 *
 * @module
 */
import { archivePhase } from "./archive_relay.ts";
import { readBenchOptions } from "./bench_options.ts";
import { createResults } from "./bench_results.ts";
import { runPhases } from "./bench_run.ts";
import { stopTarget, type Target } from "./bench_target.ts";
import { aborted, listenForInterrupts } from "./bounded_waits.ts";
import { findStorePids } from "./cpu_meter.ts";
import { ProfileRecorder, reportProfiles } from "./cpu_profiles.ts";
import { idleHooks, traffic } from "./socket_traffic.ts";
import { printSummary } from "./summary_table.ts";
import { openTestStores, type TestStores } from "../support/stores.ts";
import { emitResult } from "./bench_report.ts";

const options = readBenchOptions(Deno.args);
listenForInterrupts();
const results = await createResults();

let stores: TestStores | null = null;
const liveTargets = new Set<Target>();
let failure: unknown = null;
const profile = new ProfileRecorder(
  options.profile ? await Deno.makeTempDir({ prefix: "chat_bench_prof_" }) : null,
);
const storePids = findStorePids();

console.log(
  `webChat benchmark ${results.date}: nproc ${results.nproc}, Deno ${results.deno}, ` +
    `${options.pairs} pairs × ${options.messages} msgs (window ${options.window}); latency ` +
    `${options.latencyPairs} pairs at ${options.rate} msg/s for ${options.seconds} s; archive ` +
    `backlog ${options.archiveRows}; load average ` +
    `${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
);
try {
  stores = await openTestStores();
  console.log(`stores: redis prefix ${stores.prefix}, database ${stores.database}`);
  await runPhases({ options, stores, storePids }, results, profile, liveTargets);
} catch (error) {
  failure = error;
  console.error(`benchmark failed: ${(error as Error)?.stack ?? error}`);
} finally {
  traffic.shuttingDown = true;
  traffic.hooks = idleHooks;
  for (const target of liveTargets) await stopTarget(target, liveTargets);
  if (stores) {
    await stores.cleanup().then(
      () => console.log(`cleaned up: redis prefix ${stores!.prefix}, database ${stores!.database}`),
      (error) => console.error(`cleanup failed: ${error}`),
    );
  }
}
if (profile.dir) {
  await reportProfiles(profile.dir, profile.windows);
  await Deno.remove(profile.dir, { recursive: true }).catch(() => {});
}
if (!aborted.signal.aborted && !options.skipArchive) {
  try {
    await archivePhase(options.archiveRows, (archive) => results.archive = archive);
  } catch (error) {
    failure ??= error;
    console.error(`archive phase failed: ${error}`);
  }
}
printSummary(results, options, failure);
emitResult("one-to-one", { options, results, failed: failure !== null });
Deno.exit(failure ? 1 : 0);
