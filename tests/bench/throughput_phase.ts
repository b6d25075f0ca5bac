/**
 * The throughput phase (`pairs` × `messages` as fast as acks allow) and the warmup before it.
 *
 * @module
 */
import { fmtMs, seconds } from "./bench_format.ts";
import type { BurstStats } from "./bench_results.ts";
import type { PhaseContext, Target } from "./bench_target.ts";
import { runBurst } from "./burst_run.ts";
import { fmtCpu, startMeter } from "./cpu_meter.ts";
import { gcSummary } from "./gc_report.ts";
import { percentile } from "./percentile.ts";
import { countersDelta, storeCounters } from "./store_counters.ts";

/** One message per pair, so chats exist and caches are warm before anything is timed. */
export async function warmup(target: Target, { options }: PhaseContext): Promise<void> {
  const started = performance.now();
  const run = await runBurst(target, "w", options.pairs, 1, options.window);
  console.log(
    `${target.name} warmup: ${run.delivered}/${run.total} delivered in ` +
      `${seconds(started).toFixed(1)} s` +
      (run.errors ? `, ${run.errors} errors: ${run.errorSamples[0]}` : ""),
  );
  if (run.delivered === 0) throw new Error(`${target.name} warmup: nothing was delivered`);
}

/**
 * Every pair sends `messages` with a window of `window`; the figures, and when the burst
 * started (the durable rate is measured from there).
 */
export async function burstPhase(
  target: Target,
  { options, stores, storePids }: PhaseContext,
): Promise<{ stats: BurstStats; start: number }> {
  const countersBefore = await storeCounters(stores);
  const meter = startMeter(target.server.child.pid, storePids);
  const run = await runBurst(target, "t", options.pairs, options.messages, options.window);
  const cpu = meter.stop();
  const counters = countersDelta(countersBefore, await storeCounters(stores), run.delivered);
  const elapsedSec = (run.lastReceive - run.start) / 1000;
  const stats: BurstStats = {
    total: run.total,
    delivered: run.delivered,
    errors: run.errors,
    errorSamples: run.errorSamples,
    elapsedSec,
    ackSec: (run.lastAck - run.start) / 1000,
    rate: run.delivered / elapsedSec,
    p50: percentile(run.latencies, 0.5),
    p99: percentile(run.latencies, 0.99),
    cpu,
  };
  console.log(
    `${target.name} throughput: ${run.delivered}/${run.total} delivered in ` +
      `${elapsedSec.toFixed(2)} s = ${stats.rate.toFixed(0)} msg/s (all acks after ` +
      `${stats.ackSec.toFixed(2)} s; latency while saturated p50 ${fmtMs(stats.p50)} ` +
      `p99 ${fmtMs(stats.p99)})` +
      (run.errors ? `; ${run.errors} errors, e.g. ${run.errorSamples[0]}` : ""),
  );
  console.log(`${target.name} throughput: CPU ${fmtCpu(cpu)}`);
  if (counters) console.log(`${target.name} throughput: ${counters}`);
  const gc = gcSummary(target.server, run.start, run.lastReceive);
  if (gc) console.log(`${target.name} throughput: GC ${gc}`);
  return { stats, start: run.start };
}
