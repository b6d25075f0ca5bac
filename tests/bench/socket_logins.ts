/**
 * The connect phase: every account of a target opens its socket and logs in over `/ws`.
 *
 * @module
 */
import { receiverId, senderId } from "./bench_accounts.ts";
import { seconds } from "./bench_format.ts";
import { openSocket } from "./bench_sockets.ts";
import type { PhaseContext, Target } from "./bench_target.ts";
import { pool } from "./bounded_waits.ts";
import { fmtCpu, type PhaseCpu, startMeter } from "./cpu_meter.ts";
import { traffic } from "./socket_traffic.ts";
import { countersDelta, storeCounters } from "./store_counters.ts";

/**
 * Connects every pair's two sockets, receivers first, so every sender's partner is online when
 * it starts; `token` gives each account's login token.
 */
export async function connectAll(
  target: Target,
  token: (accountid: string) => string,
  { options, stores, storePids }: PhaseContext,
): Promise<{ sec: number; cpu: PhaseCpu }> {
  const pairs = options.pairs;
  const countersBefore = await storeCounters(stores);
  const meter = startMeter(target.server.child.pid, storePids);
  const started = performance.now();
  const broadcastsBefore = traffic.stray.login;
  const indexes = Array.from({ length: pairs }, (_, i) => i);
  for (const role of ["receiver", "sender"] as const) {
    const list = role === "sender" ? target.senders : target.receivers;
    let done = 0;
    await pool(indexes, options.connectConcurrency, async (i) => {
      const accountid = role === "sender" ? senderId(i) : receiverId(i);
      const url = target.urlFor?.(role, i) ?? target.server.url;
      list[i] = await openSocket(url, token(accountid), accountid, role, i);
      if (++done % 500 === 0 && done < pairs || done === pairs) {
        console.log(
          `${target.name}: ${done} ${role}s connected (${seconds(started).toFixed(1)} s)`,
        );
      }
    });
  }
  const sec = seconds(started);
  const cpu = meter.stop();
  console.log(
    `${target.name}: ${pairs * 2} sockets logged in over /ws in ${sec.toFixed(1)} s ` +
      `(${(pairs * 2 / sec).toFixed(0)}/s; ${traffic.stray.login - broadcastsBefore} login ` +
      `broadcasts received); CPU ${fmtCpu(cpu)}`,
  );
  const counters = countersDelta(countersBefore, await storeCounters(stores), pairs * 2);
  if (counters) console.log(`${target.name}: ${counters.replace("per message", "per /ws login")}`);
  return { sec, cpu };
}
