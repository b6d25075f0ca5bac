/**
 * A server under load with this process's sockets to it, what a phase runs against, and how
 * a target is stopped.
 *
 * @module
 */
import type { BenchOptions } from "./bench_options.ts";
import { seconds } from "./bench_format.ts";
import { closeSockets } from "./bench_sockets.ts";
import type { StorePids } from "./cpu_meter.ts";
import type { BenchServer } from "./server_process.ts";
import type { BenchSocket } from "./socket_traffic.ts";
import type { TestStores } from "../support/stores.ts";

/** A server under load and this process's sockets to it. */
export interface Target {
  name: string;
  server: BenchServer;
  senders: BenchSocket[];
  receivers: BenchSocket[];
  /** Where pair `pair`'s socket of `role` connects (several nodes); default `server.url`. */
  urlFor?: (role: "sender" | "receiver", pair: number) => string;
}

/** What every phase needs besides its target. */
export interface PhaseContext {
  options: BenchOptions;
  /** The run's Redis prefix and database (their counters are read around each phase). */
  stores: TestStores;
  storePids: StorePids;
}

/**
 * Closes the server first (it closes every socket: no logout fan-out), then our sockets; the
 * seconds the server took. Does nothing (0) if `target` is no longer in `live`.
 */
export async function stopTarget(target: Target, live: Set<Target>, now = false): Promise<number> {
  if (!live.delete(target)) return 0;
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
