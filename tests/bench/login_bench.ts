/**
 * Benchmark (a script, not a test): `--logins` (1,000) `POST /api/login` with the right password,
 * `--parallel` (50) at a time, against the webChat server (bench_server.ts, Redis + MariaDB, its
 * own process), each account once: the time for all, the server's peak resident memory meanwhile
 * and its resident memory `--settle-seconds` (10) later. The baseline in the same run is the
 * same number of `GET /healthz` (everything of a request but the password check).
 *
 *   deno run -A --frozen tests/bench/login_bench.ts [--logins=1000] [--parallel=50]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { hashPassword } from "../../store/password.ts";
import { openTestStores, TEST_REDIS_URL } from "../support/stores.ts";
import { emitResult, processMemory } from "./bench_report.ts";
import { pool } from "./bounded_waits.ts";
import { insertBenchUsers } from "./user_setup.ts";
import { startBenchServer } from "./server_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    logins: { type: "string", default: "1000" },
    parallel: { type: "string", default: "50" },
    "settle-seconds": { type: "string", default: "10" },
  },
});
const LOGINS = Number(values.logins);
const PARALLEL = Number(values.parallel);
const stores = await openTestStores();
const server = await startBenchServer("bench_server.ts", [
  JSON.stringify({
    redisUrl: TEST_REDIS_URL,
    redisPrefix: stores.prefix,
    mysqlUrl: stores.mysqlUrl,
  }),
], null);
try {
  const pid = server.child.pid;
  const hash = await hashPassword("bench-password");
  const ids = Array.from({ length: LOGINS }, (_, i) => `login${i}`);
  await insertBenchUsers(stores, ids, hash);
  const timed = async (work: (id: string) => Promise<void>) => {
    const started = performance.now();
    let peak = 0;
    const sampler = setInterval(() => peak = Math.max(peak, processMemory(pid).rssKiB), 50);
    await pool(ids, PARALLEL, work);
    clearInterval(sampler);
    return { seconds: (performance.now() - started) / 1000, peakKiB: peak };
  };
  const startRss = processMemory(pid).rssKiB;
  const healthz = await timed(async () => {
    await (await fetch(`${server.url}/healthz`)).body?.cancel();
  });
  let failed = 0;
  // Every login comes from 127.0.0.1: the per-address budget counts failures only.
  const logins = await timed(async (accountid) => {
    const response = await fetch(`${server.url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accountid, password: "bench-password" }),
    });
    if (response.status !== 200) failed++;
    await response.body?.cancel();
  });
  await new Promise((r) => setTimeout(r, Number(values["settle-seconds"]) * 1000));
  const settledKiB = processMemory(pid).rssKiB;
  console.log(
    `${LOGINS} logins, ${PARALLEL} at a time: ${logins.seconds.toFixed(1)} s ` +
      `(${(LOGINS / logins.seconds).toFixed(0)}/s; ${failed} failed), server RSS ` +
      `${(startRss / 1024).toFixed(0)} MiB before, peak ${
        (logins.peakKiB / 1024).toFixed(0)
      } MiB, ` +
      `${(settledKiB / 1024).toFixed(0)} MiB ${values["settle-seconds"]} s later; baseline: ` +
      `${LOGINS} GET /healthz in ${healthz.seconds.toFixed(2)} s`,
  );
  emitResult("logins", {
    logins: LOGINS,
    parallel: PARALLEL,
    failed,
    seconds: logins.seconds,
    startKiB: startRss,
    peakKiB: logins.peakKiB,
    settledKiB,
    healthzSeconds: healthz.seconds,
  });
} finally {
  await server.stop();
  await stores.cleanup();
}
