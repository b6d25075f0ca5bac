/**
 * The group benchmark (a script, not a test): one sender into groups of 50, 500 and 2,000
 * members, every member online with its own WebSocket, against the real server (Redis + MariaDB,
 * archive worker on, own process) and, as the baseline of the same run, a bare Deno WebSocket
 * broadcast server (tests/bench/relay_server.ts: one JSON text, one `send` per member socket,
 * nothing else). Each size runs against the bare server right before webChat, so both see
 * nearly the same machine.
 *
 *   deno task bench:groups  (= deno run -A --frozen tests/bench/group_bench.ts)
 *   deno task bench:groups --deliveries=200000 --window=8 [--skip-baseline] [--profile]
 *
 * Per size: deliveries per second (one member socket receiving one message, the sender's echo
 * included) with `deliveries / size` messages, send → receive latency p50/p99 per delivery, the
 * ping → pong time of an idle socket outside the group meanwhile (the server's event-loop
 * delay: webChat delivers a big group in slices), and the CPU each party used.
 *
 * @module
 */
import { readBenchOptions } from "./bench_options.ts";
import { fmtInt, fmtMs } from "./bench_format.ts";
import { type PhaseContext, stopTarget, type Target } from "./bench_target.ts";
import { aborted, listenForInterrupts, waitFor } from "./bounded_waits.ts";
import { findStorePids, fmtCpu } from "./cpu_meter.ts";
import { ProfileRecorder, reportProfiles } from "./cpu_profiles.ts";
import { createGroup, groupPhase, type GroupStats } from "./group_phase.ts";
import { startBenchServer } from "./server_process.ts";
import { connectAll } from "./socket_logins.ts";
import { traffic } from "./socket_traffic.ts";
import { setupUsers } from "./user_setup.ts";
import { openTestStores, TEST_REDIS_URL, type TestStores } from "../support/stores.ts";
import { emitResult } from "./bench_report.ts";

const own = parseOwnArgs(Deno.args);
const SIZES = own.sizes;
// For 2,000 members, 1,001 pairs: 2,002 accounts, the first 2,000 for the groups, the last one
// the idle probe.
const options = readBenchOptions([`--pairs=${Math.ceil((Math.max(...SIZES) + 2) / 2)}`]);
listenForInterrupts();
const storePids = findStorePids();
const profile = new ProfileRecorder(
  own.profile ? await Deno.makeTempDir({ prefix: "group_bench_prof_" }) : null,
);
const results = new Map<string, GroupStats[]>([["webChat", []], ["bare", []]]);
const live = new Set<Target>();
let stores: TestStores | null = null;
let failure: unknown = null;

console.log(
  `webChat group benchmark ${new Date().toISOString()}: Deno ${Deno.version.deno}, ` +
    `groups of ${SIZES.join(", ")}, ${fmtInt(own.deliveries)} deliveries each, window ` +
    `${own.window}; load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
);
try {
  stores = await openTestStores();
  const ctx: PhaseContext = { options, stores, storePids };
  let bare: Target | null = null;
  if (!own.skipBaseline) {
    const server = await startBenchServer("relay_server.ts", ["--loop-lag"], null);
    bare = { name: "bare", server, senders: [], receivers: [] };
    live.add(bare);
    await connectAll(bare, (id) => id, ctx);
  }
  const server = await startBenchServer("bench_server.ts", [
    JSON.stringify({
      redisUrl: TEST_REDIS_URL,
      redisPrefix: stores.prefix,
      mysqlUrl: stores.mysqlUrl,
      loopLag: true,
    }),
  ], profile.dir);
  const webchat: Target = { name: "webChat", server, senders: [], receivers: [] };
  live.add(webchat);
  const { tokens } = await waitFor(
    setupUsers(server.url, stores, options.pairs, options.loginConcurrency),
    600_000,
    "setup",
  );
  await connectAll(webchat, (id) => tokens.get(id)!, ctx);
  for (const size of SIZES) {
    const messages = Math.max(20, Math.round(own.deliveries / size));
    for (const target of [bare, webchat]) {
      if (!target || aborted.signal.aborted) continue;
      const chatid = await createGroup(target, size);
      // A few messages first: caches warm, the group's first seq taken.
      await groupPhase(target, chatid, size, 5, own.window, storePids, "w");
      if (target === webchat) profile.mark(`group of ${size}`, "start");
      const stats = await groupPhase(target, chatid, size, messages, own.window, storePids, "g");
      if (target === webchat) profile.mark(`group of ${size}`, "end");
      results.get(target.name)!.push(stats);
    }
  }
} catch (error) {
  failure = error;
  console.error(`group benchmark failed: ${(error as Error)?.stack ?? error}`);
} finally {
  traffic.shuttingDown = true;
  // A profiled server exits at once: its profile is written at a normal exit.
  for (const target of live) await stopTarget(target, live, profile.dir !== null);
  await stores?.cleanup().catch((error) => console.error(`cleanup failed: ${error}`));
}
if (profile.dir) {
  await reportProfiles(profile.dir, profile.windows);
  await Deno.remove(profile.dir, { recursive: true }).catch(() => {});
}
printSummary();
Deno.exit(failure ? 1 : 0);

function printSummary(): void {
  console.log(
    "\nSummary (the machine's 2 cores are shared with other work: read the ratio, measured " +
      "in the same run, more than the rates):",
  );
  const rows = [["group", "webChat deliveries/s", "bare deliveries/s", "ratio", "target"]];
  const latency = [[
    "group",
    "webChat p50 / p99",
    "bare p50 / p99",
    "server loop lag max: webChat / bare",
    "idle ping p99: webChat / bare",
  ]];
  const w = results.get("webChat")!, b = results.get("bare")!;
  for (const size of SIZES) {
    const ws = w.find((s) => s.size === size), bs = b.find((s) => s.size === size);
    const ratio = ws && bs ? ws.rate / bs.rate : NaN;
    rows.push([
      fmtInt(size),
      ws ? fmtInt(ws.rate) : "-",
      bs ? fmtInt(bs.rate) : "-",
      Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : "-",
      Number.isFinite(ratio) ? (ratio >= 0.5 ? ">= 0.5x: MET" : ">= 0.5x: MISSED") : "n/a",
    ]);
    latency.push([
      fmtInt(size),
      ws ? `${fmtMs(ws.p50)} / ${fmtMs(ws.p99)}` : "-",
      bs ? `${fmtMs(bs.p50)} / ${fmtMs(bs.p99)}` : "-",
      `${ws ? fmtMs(ws.loopLagMax) : "-"} / ${bs ? fmtMs(bs.loopLagMax) : "-"}`,
      `${ws ? fmtMs(ws.pingP99) : "-"} / ${bs ? fmtMs(bs.pingP99) : "-"}`,
    ]);
  }
  for (const table of [rows, latency]) {
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i])).join("  "));
    console.log("");
  }
  for (const stats of w) {
    console.log(`webChat group of ${stats.size}: CPU ${fmtCpu(stats.cpu, true)}`);
  }
  if (failure) console.log("INCOMPLETE: the run failed (see above)");
  emitResult("groups", {
    webchat: results.get("webChat"),
    bare: results.get("bare"),
    failed: failure !== null,
  });
}

/** This script's own flags: `--deliveries=N`, `--window=N`, `--skip-baseline`, `--profile`. */
function parseOwnArgs(args: string[]) {
  const found = {
    deliveries: 200_000,
    window: 8,
    skipBaseline: false,
    profile: false,
    sizes: [50, 500, 2000],
  };
  for (const arg of args) {
    const [, name, value] = /^--([a-z-]+)(?:=(.*))?$/.exec(arg) ?? [];
    if (name === "deliveries" && Number(value) > 0) found.deliveries = Number(value);
    else if (name === "window" && Number(value) > 0) found.window = Math.min(Number(value), 900);
    else if (name === "skip-baseline") found.skipBaseline = value !== "false";
    else if (name === "profile") found.profile = value !== "false";
    else if (name === "sizes" && /^\d+(,\d+)*$/.test(value ?? "")) {
      found.sizes = value.split(",").map(Number).filter((n) => n >= 2);
    } else {
      console.error(
        `unknown argument ${arg}; options: --deliveries=N --window=N --sizes=50,500,2000 --skip-baseline`,
      );
      Deno.exit(2);
    }
  }
  return found;
}
