/**
 * CPU used by each party during a phase, from Linux's /proc: the server's process, this load
 * generator, the local Redis and MariaDB, and the rest of the machine.
 *
 * @module
 */
import { fmtMs } from "./bench_format.ts";

const CLK_TCK = 100; // USER_HZ: /proc's tick unit on Linux

/** CPU used during a phase, in cores (CPU seconds per second). */
export interface PhaseCpu {
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

/** The pids of the local Redis and MariaDB servers; null when /proc does not show them. */
export interface StorePids {
  redis: number | null;
  mysql: number | null;
}

/** A running measurement; `stop()` ends it. */
export interface CpuMeter {
  stop(): PhaseCpu;
}

/** The pids of the local Redis and MariaDB servers, when this machine's /proc shows them. */
export function findStorePids(): StorePids {
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

/**
 * Starts measuring a phase's CPU (cores used by each party: the server at `serverPid`, this
 * process, the stores at `storePids`, the machine) and this process's timer lag.
 */
export function startMeter(serverPid: number, storePids: StorePids): CpuMeter {
  const snap = () => ({
    at: performance.now(),
    server: processCpu(serverPid),
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

/** One line of a phase's CPU; `short` for the summary table's cells. */
export function fmtCpu(cpu: PhaseCpu, short = false): string {
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
export function disturbed(cpu: PhaseCpu): boolean {
  return cpu.others > 0.5 || cpu.clientLagMs > 50;
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
