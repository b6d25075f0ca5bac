/**
 * The plain-text summary for the README: webChat next to the bare relay, phase by phase, with
 * the targets and whether they were met.
 *
 * @module
 */
import type { BenchOptions } from "./bench_options.ts";
import { fmtInt, fmtMs } from "./bench_format.ts";
import type { PacedStats, Results } from "./bench_results.ts";
import { disturbed, fmtCpu } from "./cpu_meter.ts";
import { traffic } from "./socket_traffic.ts";

/**
 * Prints the summary table of `results`, the notes under it (stray frames, sockets the server
 * closed) and, after a `failure`, that the run is incomplete.
 */
export function printSummary(
  results: Results,
  options: BenchOptions,
  failure: unknown,
): void {
  const { pairs, messages, window, rate, latencyPairs, seconds, archiveRows } = options;
  const { stray, closedUnexpectedly } = traffic;
  type Row = [string, string, string, string, string];
  const rows: Row[] = [];
  const w = results.webchat, b = results.relay, a = results.archive, s = results.setup;
  const met = (ok: boolean | null) => ok === null ? "n/a" : ok ? "MET" : "MISSED";
  const ratio = (x?: number, y?: number) =>
    x !== undefined && y !== undefined && y > 0 ? ` (${(x / y).toFixed(2)}x relay)` : "";
  if (w.burst || b.burst) {
    rows.push([
      `1. ${fmtInt(pairs)} pairs x ${messages} msgs, window ${window}: send -> partner's say`,
      w.burst ? `${fmtInt(w.burst.rate)} msg/s${ratio(w.burst.rate, b.burst?.rate)}` : "-",
      b.burst ? `${fmtInt(b.burst.rate)} msg/s` : "-",
      "-",
      w.burst && w.burst.delivered < w.burst.total
        ? `${w.burst.total - w.burst.delivered} lost`
        : "",
    ]);
    rows.push([
      "   messages, elapsed",
      w.burst ? `${fmtInt(w.burst.delivered)} in ${w.burst.elapsedSec.toFixed(2)} s` : "-",
      b.burst ? `${fmtInt(b.burst.delivered)} in ${b.burst.elapsedSec.toFixed(2)} s` : "-",
      "-",
      "",
    ]);
    rows.push([
      "   latency while saturated p50 / p99",
      w.burst ? `${fmtMs(w.burst.p50)} / ${fmtMs(w.burst.p99)}` : "-",
      b.burst ? `${fmtMs(b.burst.p50)} / ${fmtMs(b.burst.p99)}` : "-",
      "-",
      "",
    ]);
    const d = results.durable;
    rows.push([
      "   durable: until all rows are in webchat_messageYYYYMM",
      !d
        ? "-"
        : d.archivedSec === null
        ? "not caught up in time"
        : `${fmtInt(d.rate!)} msg/s (${d.archivedSec.toFixed(2)} s)`,
      "n/a",
      "-",
      "",
    ]);
    rows.push([
      "   CPU (cores) meanwhile",
      w.burst ? fmtCpu(w.burst.cpu, true) : "-",
      b.burst ? fmtCpu(b.burst.cpu, true) : "-",
      "",
      "",
    ]);
  }
  if (w.paced || b.paced) {
    const l = w.paced;
    const ok = l ? l.p99 < 50 && l.sentRate >= rate * 0.95 && l.delivered === l.total : null;
    rows.push([
      `2. paced ${fmtInt(rate)} msg/s, ${latencyPairs} pairs, ${seconds} s: achieved`,
      l ? `${fmtInt(l.sentRate)} msg/s, ${fmtInt(l.delivered)}/${fmtInt(l.total)} recv` : "-",
      b.paced
        ? `${fmtInt(b.paced.sentRate)} msg/s, ${fmtInt(b.paced.delivered)}/` +
          `${fmtInt(b.paced.total)} recv`
        : "-",
      `${fmtInt(rate * 0.95)}+ msg/s`,
      "",
    ]);
    const lat = (x?: PacedStats) =>
      x ? `${fmtMs(x.p50)} / ${fmtMs(x.p90)} / ${fmtMs(x.p99)} / ${fmtMs(x.max)}` : "-";
    rows.push([
      "   send -> receive p50 / p90 / p99 / max",
      lat(l),
      lat(b.paced),
      "p99 < 50 ms",
      met(ok) + (l && !ok && disturbed(l.cpu) ? " *" : ""),
    ]);
    const ping = (x?: PacedStats) =>
      x?.pingP99 != null ? `${fmtMs(x.pingP50!)} / ${fmtMs(x.pingP99)}` : "-";
    rows.push(["   idle socket ping -> pong p50 / p99", ping(l), ping(b.paced), "-", ""]);
    if (l) {
      rows.push([
        "   server heartbeat (ping to all sockets) inside",
        l.heartbeats.length
          ? `yes, at ${l.heartbeats.map((t) => `+${t.toFixed(1)} s`).join(", ")}`
          : "no (one every 25 s)",
        "n/a",
        "-",
        "",
      ]);
    }
    const lag = (x?: PacedStats) => x ? fmtMs(x.maxSendLag) : "-";
    rows.push(["   load generator behind schedule (max)", lag(l), lag(b.paced), "-", ""]);
    rows.push([
      "   CPU (cores) meanwhile",
      l ? fmtCpu(l.cpu, true) : "-",
      b.paced ? fmtCpu(b.paced.cpu, true) : "-",
      "",
      "",
    ]);
  }
  if (a) {
    rows.push([
      `3. archive of a ${fmtInt(archiveRows)}-message backlog: worker / plain INSERT`,
      a.ok
        ? `${fmtInt(a.worker!)} / ${fmtInt(a.plain!)} rows/s = ${a.ratio!.toFixed(2)}x`
        : `failed: ${a.detail}`,
      "n/a",
      ">= 0.5x",
      met(a.ok ? a.ratio! >= 0.5 : null),
    ]);
  }
  if (s || w.connectSec !== undefined) {
    rows.push([
      `   setup: ${fmtInt(pairs * 2)} users; HTTP logins; /ws logins`,
      (s ? `${s.usersSec.toFixed(1)} s; ${s.loginSec.toFixed(1)} s; ` : "") +
      (w.connectSec !== undefined ? `${w.connectSec.toFixed(1)} s` : "-"),
      b.connectSec !== undefined ? `${b.connectSec.toFixed(1)} s (/ws)` : "-",
      "-",
      "",
    ]);
  }
  if (w.stopSec !== undefined) {
    rows.push([
      `   server shutdown with ${fmtInt(pairs * 2)} sockets`,
      `${w.stopSec.toFixed(1)} s`,
      "",
      "",
      "",
    ]);
  }
  const header: Row = ["measure", "webChat", "bare relay (same run)", "target", "result"];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.slice(0, 4).map((cell, i) => cell.padEnd(widths[i])).join("  ").concat("  ", r[4])
      .trimEnd();
  console.log("\n==== webChat benchmark summary (paste into README) ====");
  console.log(
    `date ${results.date}; nproc ${results.nproc} (shared); Deno ${results.deno}; loopback; ` +
      `server in its own process on Redis + MariaDB, archive worker running; ` +
      `command: deno task bench:chat ${Deno.args.join(" ")}`.trimEnd(),
  );
  console.log(line(header));
  console.log(line(widths.map((n) => "-".repeat(n)).concat("------")));
  for (const r of rows) console.log(line(r));
  console.log(
    "CPU in cores: srv = the server's process (all threads), gen = this load generator, " +
      "redis/maria = the local stores, other = the rest of the machine (other users' jobs).",
  );
  if (w.paced && disturbed(w.paced.cpu)) {
    console.log(
      `* the machine was saturated during the latency phase (other jobs ` +
        `${w.paced.cpu.others.toFixed(2)} cores, idle ${w.paced.cpu.idle.toFixed(2)} of ` +
        `${results.nproc}; load generator stalled up to ${fmtMs(w.paced.cpu.clientLagMs)}): ` +
        `compare with the bare relay's column, and rerun on a quiet machine to judge the target`,
    );
  }
  if (stray.errors || closedUnexpectedly.length) {
    console.log(
      `notes: ${stray.errors} stray error frames${
        stray.samples[0] ? ` (e.g. ${stray.samples[0]})` : ""
      }; ${closedUnexpectedly.length} sockets closed by the server` +
        (closedUnexpectedly[0] ? ` (e.g. ${closedUnexpectedly[0]})` : ""),
    );
  }
  if (failure) console.log(`INCOMPLETE: ${(failure as Error)?.message ?? failure}`);
  console.log("========================================================");
}
