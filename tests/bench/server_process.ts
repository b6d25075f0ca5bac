/**
 * A server under test (bench_server.ts or relay_server.ts) in its own Deno process: started,
 * its output collected (log lines, --trace-gc pauses), stopped in order.
 *
 * @module
 */
import { readLines } from "../support/read_lines.ts";
import { waitFor } from "./bounded_waits.ts";

const here = new URL(".", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;

/** `[pid:0xisolate]   1234 ms: Scavenge 3.3 (4.4) -> 3.2 (5.4) MB, pooled: 0 MB, 4.26 / 0.00 ms`
 * (the kind may be several words: `Incremental Mark-Compact (reduce)`). */
const GC_LINE =
  /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: (.+?) [\d.]+ \([\d.]+\) -> .*?, ([\d.]+) \/ [\d.]+ ms/;

/** A running server process. */
export interface BenchServer {
  url: string;
  child: Deno.ChildProcess;
  logs: string[];
  /** performance.now() here when it reported listening (its heartbeat started just before). */
  listenAt: number;
  /** GC pauses from --trace-gc, on this process's clock; isolate 0 is the main thread. */
  gcs: GcEvent[];
  /** The server's worst event-loop lag per 250 ms (when it reports it: loop_lag.ts). */
  loopLags: { at: number; lagMs: number }[];
  /**
   * Closes its stdin (orderly shutdown), then SIGTERM / SIGKILL if it lingers; `now` asks it to
   * exit at once instead (bench_server.ts only).
   */
  stop(now?: boolean): Promise<number>;
}

/** One garbage collection reported by V8's --trace-gc. */
export interface GcEvent {
  /** 0 = the first isolate seen (the main thread), 1 = the archive worker, … */
  isolate: number;
  /** When it was reported, on this process's performance.now() clock. */
  at: number;
  kind: string;
  pauseMs: number;
}

/** Runs tests/bench/`script` in its own Deno process; resolves once it listens. */
export async function startBenchServer(
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
  const loopLags: { at: number; lagMs: number }[] = [];
  const isolates = new Map<string, number>();
  let clockOffset = 0, listenAt = 0;
  const onLine = (line: string) => {
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
      return;
    }
    const lag = /^BENCH_LOOP_LAG ([\d.]+) ([\d.]+)$/.exec(line);
    if (lag) {
      if (loopLags.length < 100_000) {
        loopLags.push({ at: Number(lag[1]) + clockOffset, lagMs: Number(lag[2]) });
      }
      return;
    }
    const match = /BENCH_SERVER_LISTENING (http\S+)(?: ([\d.]+))?/.exec(line);
    if (match) {
      listenAt = performance.now();
      if (match[2]) clockOffset = listenAt - Number(match[2]);
      listening.resolve(match[1]);
    } else if (logs.push(line) > 2000) logs.splice(0, 1000);
  };
  const pumps = Promise.all([readLines(child.stdout, onLine), readLines(child.stderr, onLine)])
    .catch((error) => {
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
    loopLags,
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
