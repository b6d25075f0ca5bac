/**
 * One burst: every sender sends its messages as fast as a window of unacknowledged frames
 * allows; a message is done when its partner received the `say`.
 *
 * @module
 */
import { sayFrame } from "./bench_accounts.ts";
import type { Target } from "./bench_target.ts";
import { aborted, waitFor } from "./bounded_waits.ts";
import { idleHooks, traffic } from "./socket_traffic.ts";

/** Hard bound, so the script always ends. */
const PHASE_TIMEOUT_MS = 180_000;

/** What a burst delivered and when (performance.now() times). */
export interface BurstRun {
  total: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  start: number;
  lastAck: number;
  lastReceive: number;
  /** Send → receive latencies of the delivered messages, ascending. */
  latencies: Float64Array;
}

/**
 * Every one of `pairs` senders sends `perPair` messages as fast as a window of acks allows;
 * `tag` marks this burst's `cid`s.
 */
export async function runBurst(
  target: Target,
  tag: string,
  pairs: number,
  perPair: number,
  window: number,
): Promise<BurstRun> {
  const total = pairs * perPair;
  const sentAt = new Float64Array(total);
  const latency = new Float64Array(total).fill(NaN);
  const next = new Int32Array(pairs);
  const inflight = new Int32Array(pairs);
  const run: BurstRun = {
    total,
    delivered: 0,
    errors: 0,
    errorSamples: [],
    start: 0,
    lastAck: 0,
    lastReceive: 0,
    latencies: latency,
  };
  const done = Promise.withResolvers<void>();
  const check = () => {
    if (run.delivered + run.errors >= total) done.resolve();
  };
  const pump = (pair: number) => {
    const socket = target.senders[pair];
    while (inflight[pair] < window && next[pair] < perPair) {
      const index = pair * perPair + next[pair]++;
      inflight[pair]++;
      sentAt[index] = performance.now();
      socket.ws.send(sayFrame(pair, `${tag}.${index}`, index));
    }
  };
  traffic.hooks = {
    onAck(pair) {
      if (pair >= pairs) return;
      inflight[pair]--;
      run.lastAck = performance.now();
      pump(pair);
    },
    onError(pair, frame) {
      if (pair >= pairs || !frame.includes(`"cid":"${tag}.`)) return idleHooks.onError(pair, frame);
      inflight[pair]--;
      run.errors++;
      if (run.errorSamples.length < 5) run.errorSamples.push(frame.slice(0, 300));
      pump(pair);
      check();
    },
    onSay(cid, at) {
      if (!cid.startsWith(tag + ".")) return;
      const index = Number(cid.slice(tag.length + 1));
      if (!(index >= 0 && index < total) || !Number.isNaN(latency[index])) return;
      latency[index] = at - sentAt[index];
      run.delivered++;
      run.lastReceive = at;
      check();
    },
  };
  run.start = performance.now();
  for (let pair = 0; pair < pairs; pair++) pump(pair);
  try {
    await waitFor(done.promise, PHASE_TIMEOUT_MS, `${tag}: delivery`).catch((error) => {
      if (aborted.signal.aborted) throw error;
      console.error(`${error.message}: ${run.delivered}/${total} delivered; continuing`);
    });
  } finally {
    traffic.hooks = idleHooks;
  }
  run.latencies = latency.filter((v) => !Number.isNaN(v)).sort();
  return run;
}
