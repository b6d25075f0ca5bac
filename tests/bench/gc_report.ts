/**
 * Where the server's time went: its GC pauses per phase, its heartbeat, and the slowest
 * moments of the paced phase with what overlapped them.
 *
 * @module
 */
import { fmtMs } from "./bench_format.ts";
import type { BenchServer } from "./server_process.ts";

/** Names of the server's isolates in --trace-gc order. */
const THREADS = ["main", "worker", "isolate 3", "isolate 4"];

/** GC count, total and longest pause per thread between `from` and `to`; "" without trace. */
export function gcSummary(server: BenchServer, from: number, to: number): string {
  const inside = server.gcs.filter((g) => g.at >= from && g.at <= to);
  if (inside.length === 0) return "";
  const seconds = (to - from) / 1000;
  const parts: string[] = [];
  for (const isolate of [...new Set(inside.map((g) => g.isolate))].sort()) {
    const mine = inside.filter((g) => g.isolate === isolate);
    const total = mine.reduce((sum, g) => sum + g.pauseMs, 0);
    const longest = mine.reduce((a, b) => b.pauseMs > a.pauseMs ? b : a);
    const kinds = new Map<string, number>();
    for (const g of mine) kinds.set(g.kind, (kinds.get(g.kind) ?? 0) + 1);
    parts.push(
      `${THREADS[isolate] ?? `isolate ${isolate + 1}`} thread ${mine.length} GCs ` +
        `(${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}), paused ` +
        `${fmtMs(total)} = ${(total / seconds / 10).toFixed(1)}% of the time, longest ` +
        `${fmtMs(longest.pauseMs)} (${longest.kind})`,
    );
  }
  return parts.join("; ");
}

/**
 * When bench_server.ts's heartbeat (default `heartbeat.pingSeconds` 25: a `ping` to every
 * socket in one go) fired between `from` and `to`, approximately: its interval starts just
 * before the server reports listening.
 */
export function heartbeatsWithin(server: BenchServer, from: number, to: number): number[] {
  const periodMs = 25_000;
  if (!server.listenAt) return [];
  const ticks: number[] = [];
  const first = Math.ceil((from - server.listenAt) / periodMs);
  for (let k = Math.max(1, first); server.listenAt + k * periodMs <= to; k++) {
    ticks.push(server.listenAt + k * periodMs);
  }
  return ticks;
}

/**
 * The five 100 ms slices of the paced phase whose messages waited longest, each with what the
 * server was doing then: its GC pauses (--trace-gc) and its heartbeat (a ping to every socket
 * every `heartbeat.pingSeconds`, 25 s by default, counted from its start).
 */
export function slowMoments(
  server: BenchServer,
  start: number,
  sentAt: Float64Array,
  latency: Float64Array,
): string[] {
  const slices = new Map<number, { max: number; over20: number; count: number }>();
  for (let i = 0; i < latency.length; i++) {
    if (Number.isNaN(latency[i])) continue;
    const slice = Math.floor((sentAt[i] - start) / 100);
    const entry = slices.get(slice) ?? { max: 0, over20: 0, count: 0 };
    entry.max = Math.max(entry.max, latency[i]);
    entry.count++;
    if (latency[i] > 20) entry.over20++;
    slices.set(slice, entry);
  }
  const slow = [...slices].filter(([, e]) => e.max > 20).sort((a, b) => b[1].max - a[1].max);
  const over20 = [...slices.values()].reduce((n, e) => n + e.over20, 0);
  const lines = [
    `${over20} messages over 20 ms, in ${slow.length} of ${slices.size} slices of 100 ms` +
    (slow.length ? "; the slowest:" : ""),
  ];
  for (const [slice, e] of slow.slice(0, 5)) {
    const from = start + slice * 100, to = from + 100 + e.max;
    const gcs = server.gcs.filter((g) => g.at >= from - 20 && g.at <= to && g.pauseMs >= 2);
    const notes = gcs.map((g) =>
      `${THREADS[g.isolate] ?? "isolate"} ${g.kind} ${fmtMs(g.pauseMs)}`
    );
    if (heartbeatsWithin(server, from - 100, to).length) {
      notes.push("heartbeat ping to every socket");
    }
    lines.push(
      `  +${(slice / 10).toFixed(1)} s: max ${fmtMs(e.max)}, ${e.over20}/${e.count} over 20 ms` +
        (notes.length ? ` — ${notes.join(", ")}` : ""),
    );
  }
  return lines;
}
