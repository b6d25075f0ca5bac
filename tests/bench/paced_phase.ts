/**
 * The paced latency phase: `latencyPairs` pairs send `rate` msg/s in total, evenly spread, for
 * `seconds`; send → receive latency measured at the partner (same clock: same process). An idle
 * socket sends `ping` every 50 ms meanwhile: its `pong` time is the server's event-loop delay.
 *
 * @module
 */
import { sayFrame } from "./bench_accounts.ts";
import { fmtMs } from "./bench_format.ts";
import type { PacedStats } from "./bench_results.ts";
import type { PhaseContext, Target } from "./bench_target.ts";
import { aborted, waitFor } from "./bounded_waits.ts";
import { fmtCpu, type PhaseCpu, startMeter } from "./cpu_meter.ts";
import { gcSummary, heartbeatsWithin, slowMoments } from "./gc_report.ts";
import { percentile } from "./percentile.ts";
import { idleHooks, traffic } from "./socket_traffic.ts";
import { countersDelta, storeCounters } from "./store_counters.ts";

/** `latencyPairs` pairs at `rate` msg/s in total, evenly spread, for `seconds`. */
export async function pacedPhase(
  target: Target,
  { options, stores, storePids }: PhaseContext,
): Promise<PacedStats> {
  const { latencyPairs: pairs, rate, seconds, window } = options;
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const sentAt = new Float64Array(total);
  const latency = new Float64Array(total).fill(NaN);
  const queued: number[][] = Array.from({ length: pairs }, () => []);
  const inflight = new Int32Array(pairs);
  let scheduled = 0, sent = 0, delivered = 0, errors = 0, maxSendLag = 0;
  let firstSend = 0, lastSend = 0, lastReceive = 0;
  const errorSamples: string[] = [];
  const done = Promise.withResolvers<void>();
  const check = () => {
    if (delivered + errors >= total) done.resolve();
  };
  let start = 0;
  const pump = (pair: number) => {
    const queue = queued[pair];
    while (inflight[pair] < window && queue.length > 0) {
      const index = queue.shift()!;
      inflight[pair]++;
      const now = performance.now();
      sentAt[index] = now;
      maxSendLag = Math.max(maxSendLag, now - (start + index * intervalMs));
      if (sent++ === 0) firstSend = now;
      lastSend = now;
      target.senders[pair].ws.send(sayFrame(pair, `l.${index}`, index));
    }
  };
  traffic.hooks = {
    onAck(pair) {
      if (pair >= pairs) return;
      inflight[pair]--;
      pump(pair);
    },
    onError(pair, frame) {
      if (pair >= pairs || !frame.includes(`"cid":"l.`)) return idleHooks.onError(pair, frame);
      inflight[pair]--;
      errors++;
      if (errorSamples.length < 5) errorSamples.push(frame.slice(0, 300));
      pump(pair);
      check();
    },
    onSay(cid, at) {
      if (!cid.startsWith("l.")) return;
      const index = Number(cid.slice(2));
      if (!(index >= 0 && index < total) || !Number.isNaN(latency[index])) return;
      latency[index] = at - sentAt[index];
      delivered++;
      lastReceive = at;
      check();
    },
  };
  // Message i belongs to pair i % pairs and is due at start + i / rate: an even spread.
  const tick = () => {
    const now = performance.now();
    const touched = new Set<number>();
    while (scheduled < total && start + scheduled * intervalMs <= now) {
      const pair = scheduled % pairs;
      queued[pair].push(scheduled++);
      touched.add(pair);
    }
    for (const pair of touched) pump(pair);
    if (scheduled >= total) clearInterval(timer);
  };
  // The idle-socket ping probe: one ping in flight, every 50 ms.
  const probe = traffic.probe;
  probe.socket = target.receivers[options.pairs - 1].ws;
  probe.on = true;
  probe.rtts = [];
  probe.sentAt = 0;
  const probeTimer = setInterval(() => {
    if (probe.socket && probe.sentAt === 0 && probe.socket.readyState === WebSocket.OPEN) {
      probe.sentAt = performance.now();
      probe.socket.send('{"type":"ping"}');
    }
  }, 50);
  const countersBefore = await storeCounters(stores);
  const meter = startMeter(target.server.child.pid, storePids);
  start = performance.now();
  const timer = setInterval(tick, 1);
  tick();
  let cpu: PhaseCpu;
  try {
    await waitFor(done.promise, seconds * 1000 + 60_000, "latency: delivery").catch((error) => {
      if (aborted.signal.aborted) throw error;
      console.error(`${error.message}: ${delivered}/${total} delivered; continuing`);
    });
  } finally {
    clearInterval(timer);
    clearInterval(probeTimer);
    probe.on = false;
    traffic.hooks = idleHooks;
    cpu = meter.stop();
  }
  const sorted = latency.filter((v) => !Number.isNaN(v)).sort();
  const sendSec = (lastSend - firstSend) / 1000;
  const pings = Float64Array.from(probe.rtts).sort();
  const l: PacedStats = {
    total,
    delivered,
    errors,
    errorSamples,
    sendSec,
    sentRate: (sent - 1) / sendSec,
    deliveredRate: delivered / ((lastReceive - firstSend) / 1000),
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    maxSendLag,
    pingP50: pings.length ? percentile(pings, 0.5) : null,
    pingP99: pings.length ? percentile(pings, 0.99) : null,
    pingMax: pings.length ? pings[pings.length - 1] : null,
    cpu,
    heartbeats: target.server.listenAt && target.name === "webChat"
      ? heartbeatsWithin(target.server, firstSend, lastReceive).map((t) => (t - start) / 1000)
      : [],
  };
  console.log(
    `${target.name} latency: ${delivered}/${total} delivered; sent at ${l.sentRate.toFixed(0)} ` +
      `msg/s over ${sendSec.toFixed(2)} s (largest lag behind schedule ${fmtMs(maxSendLag)}); ` +
      `delivered ${l.deliveredRate.toFixed(0)} msg/s`,
  );
  console.log(
    `${target.name} latency: send→receive p50 ${fmtMs(l.p50)}, p90 ${fmtMs(l.p90)}, ` +
      `p99 ${fmtMs(l.p99)}, max ${fmtMs(l.max)}` +
      (errors ? `; ${errors} errors, e.g. ${errorSamples[0]}` : ""),
  );
  if (pings.length) {
    console.log(
      `${target.name} latency: ping→pong on an idle socket meanwhile (${pings.length} probes): ` +
        `p50 ${fmtMs(l.pingP50!)}, p99 ${fmtMs(l.pingP99!)}, max ${fmtMs(l.pingMax!)}`,
    );
  }
  console.log(`${target.name} latency: CPU ${fmtCpu(cpu)}`);
  const counters = countersDelta(countersBefore, await storeCounters(stores), delivered);
  if (counters) console.log(`${target.name} latency: ${counters}`);
  const gc = gcSummary(target.server, firstSend, lastReceive);
  if (gc) console.log(`${target.name} latency: GC ${gc}`);
  for (const line of slowMoments(target.server, start, sentAt, latency)) {
    console.log(`${target.name} latency: ${line}`);
  }
  return l;
}
