/**
 * The phases in order against both servers, which stay up side by side: each phase runs
 * against the bare relay right before webChat, so both see nearly the same machine (the shared
 * cores' load changes by the minute).
 *
 * @module
 */
import type { Results } from "./bench_results.ts";
import { type PhaseContext, stopTarget, type Target } from "./bench_target.ts";
import { archivedRows, waitArchived } from "./archived_rows.ts";
import { waitFor } from "./bounded_waits.ts";
import type { ProfileRecorder } from "./cpu_profiles.ts";
import { pacedPhase } from "./paced_phase.ts";
import { startBenchServer } from "./server_process.ts";
import { traffic } from "./socket_traffic.ts";
import { connectAll } from "./socket_logins.ts";
import { burstPhase, warmup } from "./throughput_phase.ts";
import { setupUsers } from "./user_setup.ts";
import { TEST_REDIS_URL } from "../support/stores.ts";

/** Hard bounds, so the script always ends. */
const ARCHIVE_TIMEOUT_MS = 180_000;
const SETUP_TIMEOUT_MS = 600_000;

/**
 * Starts the relay (unless `skipBaseline`) and webChat, runs setup, connect, warmup,
 * throughput (with its durable time) and latency, and stops both; `live` holds the targets
 * still running, for the caller's cleanup on failure.
 */
export async function runPhases(
  ctx: PhaseContext,
  results: Results,
  profile: ProfileRecorder,
  live: Set<Target>,
): Promise<void> {
  const { options, stores } = ctx;
  let relay: Target | null = null;
  if (!options.skipBaseline) {
    const server = await startBenchServer("relay_server.ts", [], null);
    relay = { name: "relay", server, senders: [], receivers: [] };
    live.add(relay);
    console.log(`baseline: bare relay ${server.url} (pid ${server.child.pid})`);
    const r = results.relay;
    ({ sec: r.connectSec, cpu: r.connectCpu } = await connectAll(relay, (id) => id, ctx));
    await warmup(relay, ctx);
  }

  const server = await startBenchServer(
    "bench_server.ts",
    [
      JSON.stringify({
        redisUrl: TEST_REDIS_URL,
        redisPrefix: stores.prefix,
        mysqlUrl: stores.mysqlUrl,
      }),
    ],
    profile.dir,
    options.traceGc,
  );
  const target: Target = { name: "webChat", server, senders: [], receivers: [] };
  live.add(target);
  console.log(`webChat: ${server.url} (pid ${server.child.pid}, own process, archive worker on)`);
  const { tokens, times } = await waitFor(
    setupUsers(server.url, stores, options.pairs, options.loginConcurrency),
    SETUP_TIMEOUT_MS,
    "setup",
  );
  results.setup = times;
  const w = results.webchat;
  profile.mark("connect", "start");
  ({ sec: w.connectSec, cpu: w.connectCpu } = await connectAll(
    target,
    (id) => tokens.get(id)!,
    ctx,
  ));
  profile.mark("connect", "end");
  await warmup(target, ctx);
  // Wait until the warmup is archived, so the count below only grows by this phase's rows.
  if (await waitArchived(stores.pool, options.pairs, performance.now() + 60_000) === null) {
    console.log(`webChat: warmup not fully archived within 60 s`);
  }
  const baseline = await archivedRows(stores.pool);

  if (relay) results.relay.burst = (await burstPhase(relay, ctx)).stats;
  profile.mark("throughput", "start");
  const burst = await burstPhase(target, ctx);
  w.burst = burst.stats;
  profile.mark("throughput", "end");
  const accepted = w.burst.total - w.burst.errors;
  const archivedAt = await waitArchived(
    stores.pool,
    baseline + accepted,
    performance.now() + ARCHIVE_TIMEOUT_MS,
  );
  const archivedSec = archivedAt === null ? null : (archivedAt - burst.start) / 1000;
  results.durable = {
    archivedSec,
    rate: archivedSec === null ? null : accepted / archivedSec,
    rows: accepted,
  };
  console.log(
    archivedSec === null
      ? `webChat throughput: archive did not catch up within ${ARCHIVE_TIMEOUT_MS / 1000} s ` +
        `(${(await archivedRows(stores.pool)) - baseline}/${accepted} rows)`
      : `webChat throughput: all ${accepted} rows in webchat_messageYYYYMM after ` +
        `${archivedSec.toFixed(2)} s = ${results.durable.rate!.toFixed(0)} msg/s durable`,
  );

  if (relay) results.relay.paced = await pacedPhase(relay, ctx);
  profile.mark("latency", "start");
  w.paced = await pacedPhase(target, ctx);
  profile.mark("latency", "end");
  traffic.shuttingDown = true;
  if (profile.dir) {
    // The orderly close can block the server's event loop for long with 2,000 sockets; the
    // profile is only written at a normal exit, so the profiled server exits at once.
    await stopTarget(target, live, true);
  } else {
    w.stopSec = await stopTarget(target, live);
  }
  if (relay) await stopTarget(relay, live);
}
