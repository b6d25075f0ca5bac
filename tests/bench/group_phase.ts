/**
 * The group phase: one sender into a group of `size` members (every member online with one
 * socket), `messages` messages as fast as a window of unacknowledged frames allows; a delivery
 * is one member's socket receiving one message (the sender's own echo included). Measured at
 * the members (same clock as the sender: same process): deliveries per second and send →
 * receive latency per delivery; an idle socket outside the group sends `ping` every 50 ms, its
 * `pong` time is how long the server's event loop was held up.
 *
 * @module
 */
import { fmtInt, fmtMs } from "./bench_format.ts";
import type { Target } from "./bench_target.ts";
import { aborted, waitFor } from "./bounded_waits.ts";
import { fmtCpu, type PhaseCpu, startMeter, type StorePids } from "./cpu_meter.ts";
import { percentile } from "./percentile.ts";
import type { BenchSocket } from "./socket_traffic.ts";

/** What one group phase measured against one server. */
export interface GroupStats {
  size: number;
  messages: number;
  deliveries: number;
  errors: number;
  elapsedSec: number;
  /** Deliveries per second, first send to last receipt. */
  rate: number;
  p50: number;
  p99: number;
  max: number;
  pingP50: number;
  pingP99: number;
  pingMax: number;
  /** The server's worst event-loop lag during the phase (its own 10 ms timer's lateness). */
  loopLagMax: number;
  cpu: PhaseCpu;
}

/** Hard bound, so the script always ends. */
const PHASE_TIMEOUT_MS = 180_000;

/** Every socket of a target, sender and receiver of each pair in turn: `bs00000`, `br00000`, … */
export function socketsOf(target: Target): BenchSocket[] {
  return target.senders.flatMap((sender, i) => [sender, target.receivers[i]]);
}

/** Creates the group `<first>-<size>` of the first `size` sockets; resolves once all heard. */
export async function createGroup(target: Target, size: number): Promise<string> {
  const members = socketsOf(target).slice(0, size);
  const chatid = `${members[0].accountid}-${size}`;
  const marker = `"chatid":"${chatid}"`;
  let heard = 0;
  const all = Promise.withResolvers<void>();
  const listeners = members.map((socket) => {
    let done = false;
    const listener = (event: MessageEvent) => {
      const data = String(event.data);
      if (!done && data.startsWith('{"type":"groupset"') && data.includes(marker)) {
        done = true;
        if (++heard === members.length) all.resolve();
      } else if (data.startsWith('{"type":"error"')) {
        all.reject(new Error(`${target.name}: groupset refused: ${data.slice(0, 300)}`));
      }
    };
    socket.ws.addEventListener("message", listener);
    return listener;
  });
  members[0].ws.send(JSON.stringify({
    type: "groupset",
    chatid,
    title: `bench ${size}`,
    members: members.slice(1).map((s) => s.accountid),
  }));
  try {
    await waitFor(all.promise, 60_000, `${target.name}: group of ${size}`);
  } finally {
    members.forEach((socket, i) => socket.ws.removeEventListener("message", listeners[i]));
  }
  return chatid;
}

/**
 * One sender, `messages` messages with a window of `window`, into the group `chatid`; `run`
 * (a letter) makes this run's `cid`s its own (a `cid` sent again is only acknowledged again).
 */
export async function groupPhase(
  target: Target,
  chatid: string,
  size: number,
  messages: number,
  window: number,
  storePids: StorePids,
  run: string,
): Promise<GroupStats> {
  const sockets = socketsOf(target);
  const members = sockets.slice(0, size);
  const sender = members[0];
  const tag = `${run}${size}.`;
  const cidOf = new RegExp(`"cid":"${tag.replace(".", "\\.")}(\\d+)"`);
  const total = messages * size;
  const sentAt = new Float64Array(messages);
  const latency = new Float64Array(total);
  let delivered = 0, errors = 0, next = 0, inflight = 0, lastReceive = 0;
  const done = Promise.withResolvers<void>();
  const check = () => {
    if (delivered + errors * size >= total) done.resolve();
  };
  const pump = () => {
    while (inflight < window && next < messages) {
      inflight++;
      sentAt[next] = performance.now();
      sender.ws.send(
        `{"type":"say","chatid":"${chatid}","content":"group bench message ${next}: an ` +
          `ordinary line of chat text","cid":"${tag}${next++}"}`,
      );
    }
  };
  const onSender = (event: MessageEvent) => {
    const data = String(event.data);
    if (data.startsWith('{"type":"ack"')) {
      inflight--;
      pump();
    } else if (data.startsWith('{"type":"error"') && data.includes(`"cid":"${tag}`)) {
      inflight--;
      errors++;
      pump();
      check();
    }
  };
  const onMember = (event: MessageEvent) => {
    const data = String(event.data);
    if (!data.startsWith('{"type":"say"')) return;
    const at = performance.now();
    const match = cidOf.exec(data);
    if (!match) return;
    latency[delivered++] = at - sentAt[Number(match[1])];
    lastReceive = at;
    check();
  };
  for (const socket of members) socket.ws.addEventListener("message", onMember);
  sender.ws.addEventListener("message", onSender);
  // The ping probe: a socket outside every group, one ping in flight, every 50 ms.
  const probe = sockets[sockets.length - 1].ws;
  const pings: number[] = [];
  let pingAt = 0;
  const onProbe = (event: MessageEvent) => {
    if (String(event.data).startsWith('{"type":"pong"') && pingAt > 0) {
      pings.push(performance.now() - pingAt);
      pingAt = 0;
    }
  };
  probe.addEventListener("message", onProbe);
  const probeTimer = setInterval(() => {
    if (pingAt === 0 && probe.readyState === WebSocket.OPEN) {
      pingAt = performance.now();
      probe.send('{"type":"ping"}');
    }
  }, 50);
  const meter = startMeter(target.server.child.pid, storePids);
  const start = performance.now();
  pump();
  let cpu: PhaseCpu;
  try {
    await waitFor(done.promise, PHASE_TIMEOUT_MS, `${target.name}: group of ${size}`).catch(
      (error) => {
        if (aborted.signal.aborted) throw error;
        console.error(`${error.message}: ${delivered}/${total} delivered; continuing`);
      },
    );
  } finally {
    cpu = meter.stop();
    clearInterval(probeTimer);
    probe.removeEventListener("message", onProbe);
    sender.ws.removeEventListener("message", onSender);
    for (const socket of members) socket.ws.removeEventListener("message", onMember);
  }
  const sorted = latency.slice(0, delivered).sort();
  const pingSorted = Float64Array.from(pings).sort();
  const elapsedSec = (lastReceive - start) / 1000;
  const stats: GroupStats = {
    size,
    messages,
    deliveries: delivered,
    errors,
    elapsedSec,
    rate: delivered / elapsedSec,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    pingP50: percentile(pingSorted, 0.5),
    pingP99: percentile(pingSorted, 0.99),
    pingMax: pingSorted.length ? pingSorted[pingSorted.length - 1] : NaN,
    loopLagMax: Math.max(
      ...target.server.loopLags.filter((l) => l.at >= start && l.at <= lastReceive + 250)
        .map((l) => l.lagMs),
    ),
    cpu,
  };
  console.log(
    `${target.name} group of ${fmtInt(size)}: ${fmtInt(delivered)}/${fmtInt(total)} deliveries ` +
      `of ${fmtInt(messages)} messages in ${elapsedSec.toFixed(2)} s = ${fmtInt(stats.rate)}/s; ` +
      `latency p50 ${fmtMs(stats.p50)} p99 ${fmtMs(stats.p99)} max ${fmtMs(stats.max)}; ` +
      `server loop lag max ${fmtMs(stats.loopLagMax)}; idle ping p99 ${fmtMs(stats.pingP99)} ` +
      `max ${fmtMs(stats.pingMax)}` +
      (errors ? `; ${errors} errors` : ""),
  );
  console.log(`${target.name} group of ${fmtInt(size)}: CPU ${fmtCpu(cpu)}`);
  return stats;
}
