/**
 * Benchmark (a script, not a test) of the production stack: the real server (Redis + MariaDB,
 * archive worker running) in its own process on 127.0.0.1, driven over loopback HTTP and
 * WebSockets from this process.
 *
 *   deno task bench                      (= deno run -A --frozen tests/bench/chat_bench.ts)
 *   deno task bench --pairs=1000 --messages=20 --window=8 --rate=2000 --latency-pairs=200
 *                   --seconds=10 --archive-rows=50000 [--skip-baseline] [--skip-archive]
 *                   [--profile] [--trace-gc=false]
 *
 * 0. Baseline, same run: every phase also runs against tests/bench/relay_server.ts (a bare
 *    WebSocket relay with webChat's frames and no stores, in its own process, its 2,000 sockets
 *    open alongside), right before webChat's turn. The machine has 2 shared cores, so webChat's
 *    figures are printed next to the relay's (and as a ratio), with the CPU every party used in
 *    each phase (server, this load generator, Redis, MariaDB, everything else on the machine).
 * 1. Throughput: `pairs` sender accounts, each with its own socket, send `messages` messages to
 *    their own partner (another socket) as fast as acks allow with a window of `window`
 *    unacknowledged frames; a message is done when the partner received its `say`. Then the
 *    time until every row is in `webchat_messageYYYYMM` (end-to-end durable throughput).
 * 2. Latency: `latency-pairs` of those pairs send at a paced `rate` (spread evenly) for `seconds`;
 *    send → receive latency measured at the partner (same clock: same process). An idle socket
 *    sends `ping` every 50 ms meanwhile: its `pong` time is the server's event-loop delay.
 * 3. Archive: runs queue/archive_bench.ts (worker path vs plain multi-row INSERT) as a
 *    subprocess once the chat server has stopped, and relays its output.
 *
 * Diagnostics printed along the way: Redis commands and MariaDB statements per message (and per
 * /ws login), the server's GC pauses per phase (`--trace-gc`, on unless `--trace-gc=false`), the
 * slowest 100 ms slices of the paced phase with the GC pauses and heartbeat that overlapped
 * them, and the time the server takes to shut down with 2,000 sockets open.
 *
 * Then a plain-text summary for the README. Every loop is bounded; the Redis prefix and the
 * database are removed at the end, also on failure or Ctrl-C. `--profile` runs the server with
 * V8's CPU profiler and prints where its threads spent time in each phase.
 *
 * Users are inserted straight into MySQL with one precomputed scrypt hash of cheaper parameters
 * (N=1024 instead of 16384: stored hashes carry their own parameters, and 2,000 logins at the
 * default cost would take minutes on 2 cores); login speed is not what is measured here.
 *
 * @module
 */
import { scrypt } from "node:crypto";
import { MysqlUserStore } from "../../store/users_mysql.ts";
import type { MysqlPool } from "../../store/mysql_pool.ts";
import { openTestStores, TEST_REDIS_URL, type TestStores } from "../support/stores.ts";

// ---------------------------------------------------------------------------------------------
// Options

const options = parseOptions(Deno.args, {
  pairs: 1000,
  messages: 20,
  window: 8,
  rate: 2000,
  "latency-pairs": 200,
  seconds: 10,
  "archive-rows": 50_000,
  "login-concurrency": 16,
  "connect-concurrency": 50,
  "skip-baseline": false,
  "skip-archive": false,
  profile: false,
  "trace-gc": true,
});
const PAIRS = options.pairs as number;
const MESSAGES = options.messages as number;
const WINDOW = Math.min(options.window as number, 900); // the server closes at 1000 in flight
const RATE = options.rate as number;
const LATENCY_PAIRS = Math.min(options["latency-pairs"] as number, PAIRS);
const SECONDS = options.seconds as number;
const ARCHIVE_ROWS = options["archive-rows"] as number;
const PASSWORD = "bench-password";
/** Hard bounds, so the script always ends. */
const PHASE_TIMEOUT_MS = 180_000;
const ARCHIVE_TIMEOUT_MS = 180_000;
const SETUP_TIMEOUT_MS = 600_000;

const here = new URL(".", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;

// ---------------------------------------------------------------------------------------------
// Shared state

/** `[pid:0xisolate]   1234 ms: Scavenge 3.3 (4.4) -> 3.2 (5.4) MB, pooled: 0 MB, 4.26 / 0.00 ms`
 * (the kind may be several words: `Incremental Mark-Compact (reduce)`). */
const GC_LINE =
  /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: (.+?) [\d.]+ \([\d.]+\) -> .*?, ([\d.]+) \/ [\d.]+ ms/;

/** Names of the server's isolates in --trace-gc order. */
const THREADS = ["main", "worker", "isolate 3", "isolate 4"];

/** Set by Ctrl-C / SIGTERM: every wait gives up, then the `finally` cleans up. */
const aborted = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    if (aborted.signal.aborted) return;
    console.error(`\n${signal}: stopping and cleaning up…`);
    aborted.abort(new Error(`interrupted by ${signal}`));
  });
}

/** CPU used during a phase, in cores (CPU seconds per second). */
interface PhaseCpu {
  server: number;
  client: number;
  redis: number | null;
  mysql: number | null;
  /** Everything else on the machine (other users' processes included). */
  others: number;
  idle: number;
  /** Largest delay of a 20 ms timer in this process: the load generator's own stalls. */
  clientLagMs: number;
}

interface BurstStats {
  total: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  elapsedSec: number;
  ackSec: number;
  rate: number;
  p50: number;
  p99: number;
  cpu: PhaseCpu;
}

interface PacedStats {
  total: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  sendSec: number;
  sentRate: number;
  deliveredRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  maxSendLag: number;
  pingP50: number | null;
  pingP99: number | null;
  pingMax: number | null;
  cpu: PhaseCpu;
  /** Seconds into the phase at which the server's 25 s heartbeat pinged every socket. */
  heartbeats: number[];
}

interface TargetResults {
  connectSec?: number;
  connectCpu?: PhaseCpu;
  burst?: BurstStats;
  paced?: PacedStats;
  stopSec?: number;
}

interface Results {
  date: string;
  nproc: string;
  deno: string;
  setup?: { users: number; usersSec: number; loginSec: number };
  webchat: TargetResults;
  relay: TargetResults;
  durable?: { archivedSec: number | null; rate: number | null; rows: number };
  archive?: {
    worker: number | null;
    plain: number | null;
    ratio: number | null;
    ok: boolean;
    detail: string;
  };
}

const results: Results = {
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  nproc: await nproc(),
  deno: Deno.version.deno,
  webchat: {},
  relay: {},
};

// ---------------------------------------------------------------------------------------------
// Sockets

type Role = "sender" | "receiver";

interface BenchSocket {
  ws: WebSocket;
  accountid: string;
  role: Role;
  pair: number;
}

/** A server under load and this process's sockets to it. */
interface Target {
  name: string;
  server: BenchServer;
  senders: BenchSocket[];
  receivers: BenchSocket[];
}

/** What the running phase wants to hear about. */
interface PhaseHooks {
  onAck(pair: number): void;
  onError(pair: number, frame: string): void;
  onSay(cid: string, at: number): void;
}

const idleHooks: PhaseHooks = {
  onAck() {},
  onError(_pair, frame) {
    stray.errors++;
    if (stray.samples.length < 5) stray.samples.push(frame.slice(0, 300));
  },
  onSay() {},
};
let hooks: PhaseHooks = idleHooks;
/** Frames nobody waited for (login/logout broadcasts, errors between phases). */
const stray = { login: 0, logout: 0, errors: 0, other: 0, samples: [] as string[] };
const closedUnexpectedly: string[] = [];
let shuttingDown = false;

/** Ping probe on an idle socket: how quickly the server's event loop answers. */
const probe = { socket: null as WebSocket | null, sentAt: 0, rtts: [] as number[], on: false };

function handleFrame(socket: BenchSocket, data: string): void {
  // Both servers write `type` first, so the prefix tells the frame without parsing it.
  if (data.startsWith('{"type":"say"')) {
    if (socket.role === "receiver") {
      const at = performance.now();
      const cid = /"cid":"([^"]*)"/.exec(data)?.[1] ?? "";
      hooks.onSay(cid, at);
    }
  } else if (data.startsWith('{"type":"ack"')) {
    hooks.onAck(socket.pair);
  } else if (data.startsWith('{"type":"ping"')) {
    socket.ws.send('{"type":"pong"}');
  } else if (data.startsWith('{"type":"pong"')) {
    if (socket.ws === probe.socket && probe.sentAt > 0) {
      if (probe.on) probe.rtts.push(performance.now() - probe.sentAt);
      probe.sentAt = 0;
    }
  } else if (data.startsWith('{"type":"login"')) {
    stray.login++;
  } else if (data.startsWith('{"type":"logout"')) {
    stray.logout++;
  } else if (data.startsWith('{"type":"error"')) {
    hooks.onError(socket.pair, data);
  } else {
    stray.other++;
  }
}

/** Opens `/ws`, sends `login`, resolves on `init`. */
function openSocket(
  baseUrl: string,
  token: string,
  accountid: string,
  role: Role,
  pair: number,
): Promise<BenchSocket> {
  const url = baseUrl.replace(/^http/, "ws") + `/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const socket: BenchSocket = { ws, accountid, role, pair };
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => fail(new Error(`${accountid}: no init within 60 s`)), 60_000);
    const fail = (error: Error) => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      try {
        ws.close();
      } catch { /* closing */ }
      reject(error);
    };
    ws.onopen = () => ws.send(JSON.stringify({ type: "login", clientName: accountid }));
    ws.onerror = (event) => fail(new Error(`${accountid}: ${(event as ErrorEvent).message}`));
    ws.onclose = (event) => {
      if (!ready) fail(new Error(`${accountid}: closed ${event.code} ${event.reason}`));
      else if (!shuttingDown) {
        closedUnexpectedly.push(`${accountid}: ${event.code} ${event.reason}`);
      }
    };
    ws.onmessage = (event) => {
      const data = String(event.data);
      if (!ready) {
        if (data.startsWith('{"type":"init"')) {
          ready = true;
          clearTimeout(timer);
          resolve(socket);
        } else if (data.startsWith('{"type":"error"')) {
          fail(new Error(`${accountid}: login refused: ${data.slice(0, 300)}`));
        }
        return;
      }
      handleFrame(socket, data);
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Main

let stores: TestStores | null = null;
const liveTargets = new Set<Target>();
/** When the throughput burst started (the durable rate is measured from there). */
let burstStart = 0;
let failure: unknown = null;
const profileDir = options.profile ? await Deno.makeTempDir({ prefix: "chat_bench_prof_" }) : null;
const profileWindows: { name: string; from: number; to: number }[] = [];
const storePids = findStorePids();
const CLK_TCK = 100; // USER_HZ: /proc's tick unit on Linux

console.log(
  `webChat benchmark ${results.date}: nproc ${results.nproc}, Deno ${results.deno}, ` +
    `${PAIRS} pairs × ${MESSAGES} msgs (window ${WINDOW}); latency ${LATENCY_PAIRS} pairs at ` +
    `${RATE} msg/s for ${SECONDS} s; archive backlog ${ARCHIVE_ROWS}; load average ` +
    `${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
);
try {
  stores = await openTestStores();
  console.log(`stores: redis prefix ${stores.prefix}, database ${stores.database}`);
  await run(stores);
} catch (error) {
  failure = error;
  console.error(`benchmark failed: ${(error as Error)?.stack ?? error}`);
} finally {
  shuttingDown = true;
  hooks = idleHooks;
  for (const target of liveTargets) await stopTarget(target);
  if (stores) {
    await stores.cleanup().then(
      () => console.log(`cleaned up: redis prefix ${stores!.prefix}, database ${stores!.database}`),
      (error) => console.error(`cleanup failed: ${error}`),
    );
  }
}
if (profileDir) {
  await reportProfiles(profileDir, profileWindows);
  await Deno.remove(profileDir, { recursive: true }).catch(() => {});
}
if (!aborted.signal.aborted && !options["skip-archive"]) {
  try {
    await archivePhase();
  } catch (error) {
    failure ??= error;
    console.error(`archive phase failed: ${error}`);
  }
}
printSummary();
Deno.exit(failure ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// Runs

/**
 * Both servers stay up side by side; each phase runs against the bare relay right before
 * webChat, so both see nearly the same machine (the shared cores' load changes by the minute).
 */
async function run(stores: TestStores): Promise<void> {
  let relay: Target | null = null;
  if (!options["skip-baseline"]) {
    const server = await startBenchServer("relay_server.ts", [], null);
    relay = { name: "relay", server, senders: [], receivers: [] };
    liveTargets.add(relay);
    console.log(`baseline: bare relay ${server.url} (pid ${server.child.pid})`);
    const r = results.relay;
    ({ sec: r.connectSec, cpu: r.connectCpu } = await connectAll(relay, (id) => id));
    await warmup(relay);
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
    profileDir,
    options["trace-gc"] as boolean,
  );
  const target: Target = { name: "webChat", server, senders: [], receivers: [] };
  liveTargets.add(target);
  console.log(`webChat: ${server.url} (pid ${server.child.pid}, own process, archive worker on)`);
  const tokens = await withTimeout(setupUsers(server.url, stores), SETUP_TIMEOUT_MS, "setup");
  const w = results.webchat;
  markProfile("connect", "start");
  ({ sec: w.connectSec, cpu: w.connectCpu } = await connectAll(
    target,
    (id) => tokens.get(id)!,
  ));
  markProfile("connect", "end");
  await warmup(target);
  // Wait until the warmup is archived, so the count below only grows by this phase's rows.
  if (await waitArchived(stores.pool, PAIRS, performance.now() + 60_000) === null) {
    console.log(`webChat: warmup not fully archived within 60 s`);
  }
  const baseline = await archivedRows(stores.pool);

  if (relay) results.relay.burst = await burstPhase(relay);
  markProfile("throughput", "start");
  w.burst = await burstPhase(target);
  markProfile("throughput", "end");
  const accepted = w.burst.total - w.burst.errors;
  const archivedAt = await waitArchived(
    stores.pool,
    baseline + accepted,
    performance.now() + ARCHIVE_TIMEOUT_MS,
  );
  const archivedSec = archivedAt === null ? null : (archivedAt - burstStart) / 1000;
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

  if (relay) results.relay.paced = await pacedPhase(relay);
  markProfile("latency", "start");
  w.paced = await pacedPhase(target);
  markProfile("latency", "end");
  shuttingDown = true;
  if (profileDir) {
    // The orderly close can block the server's event loop for long with 2,000 sockets; the
    // profile is only written at a normal exit, so the profiled server exits at once.
    await stopTarget(target, true);
  } else {
    w.stopSec = await stopTarget(target);
  }
  if (relay) await stopTarget(relay);
}

/** Closes the server first (it closes every socket: no logout fan-out), then our sockets. */
async function stopTarget(target: Target, now = false): Promise<number> {
  if (!liveTargets.delete(target)) return 0;
  const started = performance.now();
  const code = await target.server.stop(now);
  const sec = seconds(started);
  await closeSockets([...target.senders, ...target.receivers]);
  console.log(
    `${target.name}: server stopped in ${sec.toFixed(1)} s (exit ${code}); ` +
      `${target.server.logs.length} log lines`,
  );
  for (const line of target.server.logs.slice(-10)) console.log(`  | ${line}`);
  return sec;
}

// ---------------------------------------------------------------------------------------------
// Phases

/** Users straight into MySQL (the server created the table), then HTTP logins: the tokens. */
async function setupUsers(baseUrl: string, stores: TestStores): Promise<Map<string, string>> {
  let started = performance.now();
  const hash = await cheapHash(PASSWORD);
  const users = new MysqlUserStore(stores.pool);
  const accounts = Array.from({ length: PAIRS }, (_, i) => [senderId(i), receiverId(i)]).flat();
  await pool(accounts, 8, (accountid) =>
    users.add({
      accountid,
      username: accountid.toUpperCase(),
      dept: "Bench",
      deptDetail: "Company,Bench",
      email: `${accountid}@example.com`,
      tel: "",
      mobile: "",
    }, hash));
  const usersSec = seconds(started);
  console.log(`webChat setup: ${accounts.length} users inserted in ${usersSec.toFixed(1)} s`);

  started = performance.now();
  const tokens = new Map<string, string>();
  await pool(accounts, options["login-concurrency"] as number, async (accountid) => {
    for (let attempt = 0;; attempt++) {
      const response = await fetch(baseUrl + "/api/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountid, password: PASSWORD }),
        signal: AbortSignal.any([aborted.signal, AbortSignal.timeout(30_000)]),
      });
      const body = await response.json().catch(() => null);
      if (response.status === 200 && body?.token) {
        tokens.set(accountid, body.token);
        return;
      }
      if (attempt >= 3 || response.status < 500) {
        throw new Error(`login ${accountid}: ${response.status} ${JSON.stringify(body)}`);
      }
      await sleep(200 * (attempt + 1));
    }
  });
  const loginSec = seconds(started);
  console.log(
    `webChat setup: ${accounts.length} HTTP logins in ${loginSec.toFixed(1)} s ` +
      `(${(accounts.length / loginSec).toFixed(0)}/s)`,
  );
  results.setup = { users: accounts.length, usersSec, loginSec };
  return tokens;
}

/** Receivers first, so every sender's partner is online when it starts. */
async function connectAll(target: Target, token: (accountid: string) => string) {
  const countersBefore = await storeCounters();
  const meter = startMeter(target);
  const started = performance.now();
  const broadcastsBefore = stray.login;
  const indexes = Array.from({ length: PAIRS }, (_, i) => i);
  for (const role of ["receiver", "sender"] as const) {
    const list = role === "sender" ? target.senders : target.receivers;
    let done = 0;
    await pool(indexes, options["connect-concurrency"] as number, async (i) => {
      const accountid = role === "sender" ? senderId(i) : receiverId(i);
      list[i] = await openSocket(target.server.url, token(accountid), accountid, role, i);
      if (++done % 500 === 0 && done < PAIRS || done === PAIRS) {
        console.log(
          `${target.name}: ${done} ${role}s connected (${seconds(started).toFixed(1)} s)`,
        );
      }
    });
  }
  const sec = seconds(started);
  const cpu = meter.stop();
  console.log(
    `${target.name}: ${PAIRS * 2} sockets logged in over /ws in ${sec.toFixed(1)} s ` +
      `(${(PAIRS * 2 / sec).toFixed(0)}/s; ${stray.login - broadcastsBefore} login broadcasts ` +
      `received); CPU ${fmtCpu(cpu)}`,
  );
  const counters = countersDelta(countersBefore, await storeCounters(), PAIRS * 2);
  if (counters) console.log(`${target.name}: ${counters.replace("per message", "per /ws login")}`);
  return { sec, cpu };
}

/** One message per pair, so chats exist and caches are warm before anything is timed. */
async function warmup(target: Target): Promise<void> {
  const started = performance.now();
  const run = await runBurst(target, "w", PAIRS, 1, WINDOW);
  console.log(
    `${target.name} warmup: ${run.delivered}/${run.total} delivered in ` +
      `${seconds(started).toFixed(1)} s` +
      (run.errors ? `, ${run.errors} errors: ${run.errorSamples[0]}` : ""),
  );
  if (run.delivered === 0) throw new Error(`${target.name} warmup: nothing was delivered`);
}

async function burstPhase(target: Target): Promise<BurstStats> {
  const countersBefore = await storeCounters();
  const meter = startMeter(target);
  const run = await runBurst(target, "t", PAIRS, MESSAGES, WINDOW);
  const cpu = meter.stop();
  const counters = countersDelta(countersBefore, await storeCounters(), run.delivered);
  burstStart = run.start;
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
  return stats;
}

interface BurstRun {
  total: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  start: number;
  lastAck: number;
  lastReceive: number;
  latencies: Float64Array;
}

/** Every one of `pairs` senders sends `perPair` messages as fast as a window of acks allows. */
async function runBurst(
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
  hooks = {
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
    hooks = idleHooks;
  }
  run.latencies = latency.filter((v) => !Number.isNaN(v)).sort();
  return run;
}

/** `LATENCY_PAIRS` pairs at `RATE` msg/s in total, evenly spread, for `SECONDS`. */
async function pacedPhase(target: Target): Promise<PacedStats> {
  const pairs = LATENCY_PAIRS;
  const total = Math.round(RATE * SECONDS);
  const intervalMs = 1000 / RATE;
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
    while (inflight[pair] < WINDOW && queue.length > 0) {
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
  hooks = {
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
  probe.socket = target.receivers[PAIRS - 1].ws;
  probe.on = true;
  probe.rtts = [];
  probe.sentAt = 0;
  const probeTimer = setInterval(() => {
    if (probe.socket && probe.sentAt === 0 && probe.socket.readyState === WebSocket.OPEN) {
      probe.sentAt = performance.now();
      probe.socket.send('{"type":"ping"}');
    }
  }, 50);
  const countersBefore = await storeCounters();
  const meter = startMeter(target);
  start = performance.now();
  const timer = setInterval(tick, 1);
  tick();
  let cpu: PhaseCpu;
  try {
    await waitFor(done.promise, SECONDS * 1000 + 60_000, "latency: delivery").catch((error) => {
      if (aborted.signal.aborted) throw error;
      console.error(`${error.message}: ${delivered}/${total} delivered; continuing`);
    });
  } finally {
    clearInterval(timer);
    clearInterval(probeTimer);
    probe.on = false;
    hooks = idleHooks;
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
  const counters = countersDelta(countersBefore, await storeCounters(), delivered);
  if (counters) console.log(`${target.name} latency: ${counters}`);
  const gc = gcSummary(target.server, firstSend, lastReceive);
  if (gc) console.log(`${target.name} latency: GC ${gc}`);
  for (const line of slowMoments(target.server, start, sentAt, latency)) {
    console.log(`${target.name} latency: ${line}`);
  }
  return l;
}

// ---------------------------------------------------------------------------------------------
// Archive

/** queue/archive_bench.ts in a subprocess (it is a top-level script with its own cleanup). */
async function archivePhase(): Promise<void> {
  const path = root + "queue/archive_bench.ts";
  console.log(`archive: deno run -A --frozen queue/archive_bench.ts ${ARCHIVE_ROWS}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", path, String(ARCHIVE_ROWS)],
    cwd: root,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", CHAT_TEST_REDIS: TEST_REDIS_URL },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const relay = async (stream: ReadableStream<Uint8Array>) => {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const parts = pending.split("\n");
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        console.log(`  archive_bench | ${line}`);
      }
    }
    if (pending) {
      lines.push(pending);
      console.log(`  archive_bench | ${pending}`);
    }
  };
  const relays = Promise.all([relay(child.stdout), relay(child.stderr)]);
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch { /* exited */ }
  };
  // SIGINT lets its `finally` clean up; SIGKILL only if it does not end after that.
  const timer = setTimeout(() => kill("SIGINT"), 600_000);
  const onAbort = () => kill("SIGINT");
  aborted.signal.addEventListener("abort", onAbort);
  const hardTimer = setTimeout(() => kill("SIGKILL"), 660_000);
  const status = await child.status;
  clearTimeout(timer);
  clearTimeout(hardTimer);
  aborted.signal.removeEventListener("abort", onAbort);
  await relays;
  const text = lines.join("\n");
  const worker = Number(/worker path: (\d+) rows\/s/.exec(text)?.[1] ?? NaN);
  const plain = Number(/plain INSERT: (\d+) rows\/s/.exec(text)?.[1] ?? NaN);
  const ok = status.success && Number.isFinite(worker) && Number.isFinite(plain) && plain > 0;
  results.archive = {
    worker: Number.isFinite(worker) ? worker : null,
    plain: Number.isFinite(plain) ? plain : null,
    ratio: ok ? worker / plain : null,
    ok,
    detail: ok ? "" : `archive_bench exited ${status.code}`,
  };
  if (!ok) throw new Error(`archive_bench.ts failed (exit ${status.code})`);
}

// ---------------------------------------------------------------------------------------------
// Summary

function printSummary(): void {
  type Row = [string, string, string, string, string];
  const rows: Row[] = [];
  const w = results.webchat, b = results.relay, a = results.archive, s = results.setup;
  const met = (ok: boolean | null) => ok === null ? "n/a" : ok ? "MET" : "MISSED";
  const ratio = (x?: number, y?: number) =>
    x !== undefined && y !== undefined && y > 0 ? ` (${(x / y).toFixed(2)}x relay)` : "";
  if (w.burst || b.burst) {
    rows.push([
      `1. ${fmtInt(PAIRS)} pairs x ${MESSAGES} msgs, window ${WINDOW}: send -> partner's say`,
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
    const ok = l ? l.p99 < 50 && l.sentRate >= RATE * 0.95 && l.delivered === l.total : null;
    rows.push([
      `2. paced ${fmtInt(RATE)} msg/s, ${LATENCY_PAIRS} pairs, ${SECONDS} s: achieved`,
      l ? `${fmtInt(l.sentRate)} msg/s, ${fmtInt(l.delivered)}/${fmtInt(l.total)} recv` : "-",
      b.paced
        ? `${fmtInt(b.paced.sentRate)} msg/s, ${fmtInt(b.paced.delivered)}/` +
          `${fmtInt(b.paced.total)} recv`
        : "-",
      `${fmtInt(RATE * 0.95)}+ msg/s`,
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
      `3. archive of a ${fmtInt(ARCHIVE_ROWS)}-message backlog: worker / plain INSERT`,
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
      `   setup: ${fmtInt(PAIRS * 2)} users; HTTP logins; /ws logins`,
      (s ? `${s.usersSec.toFixed(1)} s; ${s.loginSec.toFixed(1)} s; ` : "") +
      (w.connectSec !== undefined ? `${w.connectSec.toFixed(1)} s` : "-"),
      b.connectSec !== undefined ? `${b.connectSec.toFixed(1)} s (/ws)` : "-",
      "-",
      "",
    ]);
  }
  if (w.stopSec !== undefined) {
    rows.push([
      `   server shutdown with ${fmtInt(PAIRS * 2)} sockets`,
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
      `command: deno task bench ${Deno.args.join(" ")}`.trimEnd(),
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

// ---------------------------------------------------------------------------------------------
// Server processes

interface BenchServer {
  url: string;
  child: Deno.ChildProcess;
  logs: string[];
  /** performance.now() here when it reported listening (its heartbeat started just before). */
  listenAt: number;
  /** GC pauses from --trace-gc, on this process's clock; isolate 0 is the main thread. */
  gcs: GcEvent[];
  /**
   * Closes its stdin (orderly shutdown), then SIGTERM / SIGKILL if it lingers; `now` asks it to
   * exit at once instead (bench_server.ts only).
   */
  stop(now?: boolean): Promise<number>;
}

/** One garbage collection reported by V8's --trace-gc. */
interface GcEvent {
  /** 0 = the first isolate seen (the main thread), 1 = the archive worker, … */
  isolate: number;
  /** When it was reported, on this process's performance.now() clock. */
  at: number;
  kind: string;
  pauseMs: number;
}

/** Runs tests/bench/`script` in its own Deno process; resolves once it listens. */
async function startBenchServer(
  script: string,
  args: string[],
  profileDir: string | null,
  traceGc = false,
): Promise<BenchServer> {
  const denoArgs = ["run", "-A", "--frozen"];
  if (profileDir) denoArgs.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`);
  if (traceGc) denoArgs.push("--v8-flags=--trace-gc");
  denoArgs.push(here + script, ...args);
  const child = new Deno.Command(Deno.execPath(), {
    args: denoArgs,
    cwd: root,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = child.stdin.getWriter();
  const logs: string[] = [];
  const listening = Promise.withResolvers<string>();
  const gcs: GcEvent[] = [];
  const isolates = new Map<string, number>();
  let clockOffset = 0, listenAt = 0;
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const parts = pending.split("\n");
      pending = parts.pop()!;
      for (const line of parts) {
        const gc = GC_LINE.exec(line);
        if (gc) {
          if (!isolates.has(gc[1])) isolates.set(gc[1], isolates.size);
          if (gcs.length < 500_000) {
            gcs.push({
              isolate: isolates.get(gc[1])!,
              at: Number(gc[2]) + clockOffset,
              kind: gc[3],
              pauseMs: Number(gc[4]),
            });
          }
          continue;
        }
        const match = /BENCH_SERVER_LISTENING (http\S+)(?: ([\d.]+))?/.exec(line);
        if (match) {
          listenAt = performance.now();
          if (match[2]) clockOffset = listenAt - Number(match[2]);
          listening.resolve(match[1]);
        } else if (logs.push(line) > 2000) logs.splice(0, 1000);
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]).catch((error) => {
    logs.push(`(reading the server's output failed: ${error})`);
    listening.reject(error);
  });
  child.status.then((s) =>
    listening.reject(new Error(`server exited (${s.code}): ${logs.slice(-20).join("\n")}`))
  );
  let stopped: Promise<number> | null = null;
  const server: BenchServer = {
    url: "",
    child,
    logs,
    listenAt: 0,
    gcs,
    stop(now = false) {
      stopped ??= (async () => {
        if (now) await stdin.write(new TextEncoder().encode("exit-now\n")).catch(() => {});
        await stdin.close().catch(() => {});
        const kill = (signal: Deno.Signal) => {
          try {
            child.kill(signal);
          } catch { /* exited */ }
        };
        const term = setTimeout(() => kill("SIGTERM"), 25_000);
        const hard = setTimeout(() => kill("SIGKILL"), 40_000);
        const status = await child.status;
        clearTimeout(term);
        clearTimeout(hard);
        await pumps;
        return status.code;
      })();
      return stopped;
    },
  };
  try {
    server.url = await waitFor(listening.promise, 60_000, "server start");
    server.listenAt = listenAt;
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

// ---------------------------------------------------------------------------------------------
// Where the time went: GC pauses and the slowest moments

/** GC count, total and longest pause per thread between `from` and `to`; "" without trace. */
function gcSummary(server: BenchServer, from: number, to: number): string {
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
function heartbeatsWithin(server: BenchServer, from: number, to: number): number[] {
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
function slowMoments(
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

// ---------------------------------------------------------------------------------------------
// Store counters (whole servers: other users' jobs on the same Redis/MariaDB count too, which
// the relay's phases, touching neither, show as the background)

interface StoreCounters {
  redis: Map<string, number>;
  mysql: Map<string, number>;
}

async function storeCounters(): Promise<StoreCounters | null> {
  if (!stores) return null;
  try {
    const info = await stores.redis.info("commandstats");
    const redis = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) redis.set(m[1], Number(m[2]));
    const [rows] = await stores.pool.query(
      `SHOW GLOBAL STATUS WHERE Variable_name IN
        ('Com_select', 'Com_insert', 'Com_commit', 'Innodb_data_fsyncs')`,
    ) as unknown as [{ Variable_name: string; Value: string }[]];
    const mysql = new Map(rows.map((r) => [r.Variable_name, Number(r.Value)]));
    return { redis, mysql };
  } catch {
    return null;
  }
}

/** Store commands per delivered message during a phase. */
function countersDelta(
  before: StoreCounters | null,
  after: StoreCounters | null,
  messages: number,
): string {
  if (!before || !after || messages === 0) return "";
  const per = (n: number) => (n / messages).toFixed(n / messages < 0.1 ? 3 : 2);
  const redis = [...after.redis]
    .map(([name, calls]) => [name, calls - (before.redis.get(name) ?? 0)] as const)
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1]);
  const redisTotal = redis.reduce((sum, [, calls]) => sum + calls, 0);
  const mysql = [...after.mysql].map(([name, value]) =>
    `${name.replace(/^Com_/, "").toUpperCase()} ${per(value - (before.mysql.get(name) ?? 0))}`
  );
  return `per message, Redis ${per(redisTotal)} commands, scripts' inner calls included (` +
    redis.slice(0, 10).map(([name, calls]) => `${name} ${per(calls)}`).join(", ") +
    `), MariaDB ${mysql.join(", ")} (whole servers)`;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting

/** The pids of the local Redis and MariaDB servers, when this machine's /proc shows them. */
function findStorePids(): { redis: number | null; mysql: number | null } {
  const found = { redis: null as number | null, mysql: null as number | null };
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      let comm = "";
      try {
        comm = Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim();
      } catch {
        continue;
      }
      if (comm === "redis-server") found.redis ??= Number(entry.name);
      if (comm === "mariadbd" || comm === "mysqld") found.mysql ??= Number(entry.name);
    }
  } catch {
    // no /proc: CPU figures are left out
  }
  return found;
}

/** utime + stime of a process (all its threads), in seconds; null when unreadable. */
function processCpu(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Machine-wide busy and idle CPU seconds from /proc/stat. */
function machineCpu(): { busy: number; idle: number } | null {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((x, y) => x + y, 0);
    return { busy: (total - idle) / CLK_TCK, idle: idle / CLK_TCK };
  } catch {
    return null;
  }
}

/** Starts measuring a phase's CPU (cores used by each party) and this process's timer lag. */
function startMeter(target: Target) {
  const snap = () => ({
    at: performance.now(),
    server: processCpu(target.server.child.pid),
    client: processCpu(Deno.pid),
    redis: processCpu(storePids.redis),
    mysql: processCpu(storePids.mysql),
    machine: machineCpu(),
  });
  const before = snap();
  let lag = 0, expected = performance.now() + 20;
  const lagTimer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - expected);
    expected = now + 20;
  }, 20);
  return {
    stop(): PhaseCpu {
      clearInterval(lagTimer);
      const after = snap();
      const sec = (after.at - before.at) / 1000;
      const cores = (x: number | null, y: number | null) =>
        x === null || y === null ? null : (y - x) / sec;
      const server = cores(before.server, after.server) ?? 0;
      const client = cores(before.client, after.client) ?? 0;
      const redis = cores(before.redis, after.redis);
      const mysql = cores(before.mysql, after.mysql);
      const busy = before.machine && after.machine
        ? (after.machine.busy - before.machine.busy) / sec
        : 0;
      const idle = before.machine && after.machine
        ? (after.machine.idle - before.machine.idle) / sec
        : 0;
      return {
        server,
        client,
        redis,
        mysql,
        others: Math.max(0, busy - server - client - (redis ?? 0) - (mysql ?? 0)),
        idle,
        clientLagMs: lag,
      };
    },
  };
}

function fmtCpu(cpu: PhaseCpu, short = false): string {
  const f = (x: number | null) => x === null ? "?" : x.toFixed(2);
  if (short) {
    return `srv ${f(cpu.server)} gen ${f(cpu.client)} redis ${f(cpu.redis)} ` +
      `maria ${f(cpu.mysql)} other ${f(cpu.others)} idle ${f(cpu.idle)}`;
  }
  return `server ${f(cpu.server)}, gen ${f(cpu.client)}, redis ${f(cpu.redis)}, ` +
    `maria ${f(cpu.mysql)}, other ${f(cpu.others)}, idle ${f(cpu.idle)} cores; ` +
    `load generator's longest timer stall ${fmtMs(cpu.clientLagMs)}`;
}

/** Other jobs took a good part of the machine, or this load generator itself stalled. */
function disturbed(cpu: PhaseCpu): boolean {
  return cpu.others > 0.5 || cpu.clientLagMs > 50;
}

// ---------------------------------------------------------------------------------------------
// CPU profiles (--profile)

/** Records a phase boundary on the profiler's clock (CLOCK_MONOTONIC ≈ /proc/uptime, in µs). */
function markProfile(name: string, edge: "start" | "end"): void {
  if (!profileDir) return;
  const uptime = Number(Deno.readTextFileSync("/proc/uptime").split(" ")[0]) * 1e6;
  if (edge === "start") profileWindows.push({ name, from: uptime, to: Infinity });
  else {
    const window = profileWindows.findLast((w) => w.name === name);
    if (window) window.to = uptime;
  }
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function (and by module) of every profiled thread, per phase window. */
async function reportProfiles(dir: string, windows: typeof profileWindows): Promise<void> {
  const files = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".cpuprofile"));
  if (files.length === 0) {
    console.log("profile: the server wrote no profile (it did not exit normally?)");
    return;
  }
  for (const file of files) {
    const profile = JSON.parse(await Deno.readTextFile(`${dir}/${file.name}`)) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const urls = new Set(profile.nodes.map((n) => n.callFrame.url));
    const thread = [...urls].some((u) => u.endsWith("/queue/worker.ts"))
      ? "archive worker thread"
      : "main thread";
    for (const window of windows) {
      const self = new Map<string, number>();
      const modules = new Map<string, number>();
      let t = profile.startTime, total = 0, idle = 0;
      for (let i = 0; i < profile.samples.length; i++) {
        t += profile.timeDeltas[i];
        if (t < window.from || t > window.to) continue;
        const dt = profile.timeDeltas[i + 1] ?? 0;
        const frame = byId.get(profile.samples[i])!;
        total += dt;
        if (frame.functionName === "(idle)") {
          idle += dt;
          continue;
        }
        const module = frame.url ? shortUrl(frame.url) : frame.functionName;
        const key = `${frame.functionName || "(anonymous)"} ${module}` +
          (frame.url ? `:${frame.lineNumber + 1}` : "");
        self.set(key, (self.get(key) ?? 0) + dt);
        modules.set(module, (modules.get(module) ?? 0) + dt);
      }
      if (total === 0) continue;
      const busy = total - idle;
      console.log(
        `profile ${window.name}, server ${thread}: ${(total / 1e6).toFixed(1)} s sampled, ` +
          `busy ${(100 * busy / total).toFixed(0)}%; top self time:`,
      );
      const top = (map: Map<string, number>, n: number) =>
        [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
      for (const [key, us] of top(self, 18)) {
        console.log(`  ${(100 * us / busy).toFixed(1).padStart(5)}%  ${key}`);
      }
      console.log("  by module:");
      for (const [key, us] of top(modules, 10)) {
        console.log(`  ${(100 * us / busy).toFixed(1).padStart(5)}%  ${key}`);
      }
    }
  }
}

function shortUrl(url: string): string {
  const npm = /\/npm\/registry\.npmjs\.org\/(.+)$/.exec(url);
  if (npm) return "npm:" + npm[1];
  return url.replace("file://" + root, "").replace(/^ext:/, "ext:");
}

// ---------------------------------------------------------------------------------------------
// Helpers

function senderId(i: number): string {
  return `bs${String(i).padStart(5, "0")}`;
}

function receiverId(i: number): string {
  return `br${String(i).padStart(5, "0")}`;
}

/** "br…" sorts before "bs…", so the chat id is receiver--sender. */
function chatId(pair: number): string {
  return `${receiverId(pair)}--${senderId(pair)}`;
}

function sayFrame(pair: number, cid: string, index: number): string {
  return `{"type":"say","chatid":"${chatId(pair)}","content":"bench message ${index}: ` +
    `an ordinary line of chat text","cid":"${cid}"}`;
}

/** A scrypt hash in store/password.ts's format, with cheaper parameters (see the header). */
function cheapHash(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const [n, r, p] = [1024, 8, 1];
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: n, r, p }, (error, key) => {
      if (error) return reject(error);
      const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
      resolve(`scrypt$${n}$${r}$${p}$${b64(salt)}$${b64(new Uint8Array(key))}`);
    })
  );
}

/** Rows in every monthly archive table. */
async function archivedRows(pool: MysqlPool): Promise<number> {
  const [tables] = await pool.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME REGEXP '^webchat_message[0-9]{6}$'`,
  ) as unknown as [{ name: string }[]];
  let rows = 0;
  for (const { name } of tables) {
    const [[count]] = await pool.query(`SELECT COUNT(*) AS n FROM \`${name}\``) as unknown as [
      { n: number }[],
    ];
    rows += Number(count.n);
  }
  return rows;
}

/** Polls every 100 ms until `rows` are archived; the time it was seen, or null at `deadline`. */
async function waitArchived(
  pool: MysqlPool,
  rows: number,
  deadline: number,
): Promise<number | null> {
  while (performance.now() < deadline && !aborted.signal.aborted) {
    if (await archivedRows(pool) >= rows) return performance.now();
    await sleep(100);
  }
  if (aborted.signal.aborted) throw aborted.signal.reason;
  return null;
}

/** Runs `work` over `items` with at most `limit` at a time; the first failure rejects. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      if (aborted.signal.aborted) throw aborted.signal.reason;
      await work(items[next++]);
    }
  });
  await Promise.all(lanes);
}

/** `promise`, or a rejection after `ms` or on abort. */
function waitFor<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what}: not done within ${ms} ms`)), ms);
    const onAbort = () => finish(aborted.signal.reason);
    const finish = (error: unknown, value?: T) => {
      clearTimeout(timer);
      aborted.signal.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(value as T);
    };
    aborted.signal.addEventListener("abort", onAbort);
    promise.then((value) => finish(null, value), (error) => finish(error));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return waitFor(promise, ms, what);
}

async function closeSockets(sockets: BenchSocket[]): Promise<void> {
  const open = sockets.filter((s) => s && s.ws.readyState <= WebSocket.OPEN);
  const closed = open.map((s) =>
    new Promise<void>((resolve) => {
      if (s.ws.readyState === WebSocket.CLOSED) return resolve();
      s.ws.addEventListener("close", () => resolve());
      try {
        s.ws.close(1000, "bench done");
      } catch {
        resolve();
      }
    })
  );
  await waitFor(Promise.all(closed), 15_000, "closing sockets").catch((error) =>
    console.error(`${error.message ?? error}`)
  );
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms` : "n/a";
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

async function nproc(): Promise<string> {
  try {
    const out = await new Deno.Command("nproc", { stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim() || String(navigator.hardwareConcurrency);
  } catch {
    return String(navigator.hardwareConcurrency);
  }
}

/** `--name=value` / `--name value` / `--flag`, typed by the defaults; unknown names fail. */
function parseOptions<T extends Record<string, number | boolean>>(args: string[], defaults: T): T {
  const result = { ...defaults } as Record<string, number | boolean>;
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!match || !(match[1] in defaults)) {
      console.error(`unknown argument ${args[i]}; options: ${Object.keys(defaults).join(", ")}`);
      Deno.exit(2);
    }
    const [, name, inline] = match;
    if (typeof defaults[name] === "boolean") {
      result[name] = inline === undefined ? true : inline !== "false";
    } else {
      const value = Number(inline ?? args[++i]);
      if (!Number.isFinite(value) || value <= 0) {
        console.error(`--${name} needs a positive number`);
        Deno.exit(2);
      }
      result[name] = value;
    }
  }
  return result as T;
}
