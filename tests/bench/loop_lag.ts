/**
 * A bench server's own event-loop lag, reported for the load generator: a 10 ms timer notes how
 * late it fires, and every 250 ms the worst lateness of that window goes to standard error as
 * `BENCH_LOOP_LAG <ms since start> <lag ms>` (server_process.ts reads it onto its own clock).
 * Measured inside the server, so it shows how long the server held its event loop, not how long
 * the load generator took to read its sockets.
 *
 * @module
 */

const TICK_MS = 10;
const REPORT_MS = 250;

/** Starts the reports (for the process's whole life). */
export function reportLoopLag(): void {
  let expected = performance.now() + TICK_MS;
  let worst = 0;
  let windowEnd = performance.now() + REPORT_MS;
  setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + TICK_MS;
    if (now >= windowEnd) {
      console.error(`BENCH_LOOP_LAG ${now.toFixed(1)} ${worst.toFixed(1)}`);
      worst = 0;
      windowEnd = now + REPORT_MS;
    }
  }, TICK_MS);
}
