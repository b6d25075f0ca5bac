/**
 * `chat status`: asks the running server through its status endpoint (this machine's, or
 * another host's with `--url` and the admin token) and, when no server runs here, reads the
 * stores directly. Text lines by default, one JSON object with `--json`.
 *
 * Exit code: 0 only when the server process runs (answers) and its worker is `alive`, else 1.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedConfig } from "../config/mod.ts";
import { openEmbeddedBackend } from "../store/backend_embedded.ts";
import { openProductionBackend } from "../store/backend_production.ts";
import { SQLITE_FILE } from "../store/sqlite_db.ts";
import { fetchStatus } from "./admin_client.ts";
import { type QueueState, queueState } from "./queue_state.ts";
import { probeServer } from "./run_files.ts";
import type { ServerStatus } from "./server_status.ts";

/** Options of {@link printStatus}. */
export interface StatusOptions {
  json?: boolean;
  /** Another host's server (`--url`), asked with `token`. */
  url?: string;
  token?: string;
}

/** What `--json` prints. */
export interface StatusReport {
  process:
    & { state: "running" | "stopped" | "unreachable"; pid?: number }
    & Partial<
      ServerStatus["process"]
    >;
  /** "server": its status endpoint answered; "stores": read from the stores directly. */
  source: "server" | "stores" | "none";
  connections: ServerStatus["connections"] | null;
  stores: Record<string, string> | null;
  queue: QueueState | null;
  /** Running and its worker alive: the exit code is 0. */
  healthy: boolean;
  /** Why a part could not be read. */
  notes: string[];
}

/** Prints the state; returns the exit code. */
export async function printStatus(
  config: ResolvedConfig,
  options: StatusOptions = {},
): Promise<number> {
  const report = await statusReport(config, options);
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else for (const line of statusLines(report, config)) console.log(line);
  return report.healthy ? 0 : 1;
}

/** Gathers the report (see the module comment for where each part comes from). */
export async function statusReport(
  config: ResolvedConfig,
  options: StatusOptions = {},
): Promise<StatusReport> {
  const notes: string[] = [];
  if (options.url) {
    try {
      return fromServer(await fetchStatus({ url: options.url, token: options.token ?? "" }));
    } catch (error) {
      return {
        process: { state: "unreachable" },
        source: "none",
        connections: null,
        stores: null,
        queue: null,
        healthy: false,
        notes: [(error as Error).message],
      };
    }
  }
  const probe = probeServer(config);
  if (probe.running && probe.info) {
    try {
      return fromServer(await fetchStatus({ url: probe.info.url, token: probe.info.token }));
    } catch (error) {
      notes.push(`the server does not answer its status endpoint: ${(error as Error).message}`);
    }
  }
  if (!probe.running && probe.stale) notes.push(`stale pid file: ${probe.stale.reason}`);
  const running = probe.running;
  const process = running
    ? { state: "running" as const, ...(probe.pid ? { pid: probe.pid } : {}) }
    : { state: "stopped" as const };
  const fromStores = await readStores(config, notes);
  const queue = fromStores?.queue ?? null;
  return {
    process,
    source: fromStores ? "stores" : "none",
    connections: null,
    stores: fromStores?.stores ?? null,
    queue,
    // Answering nothing is not healthy, whatever the stores say.
    healthy: running && notes.length === 0 && queue?.worker === "alive",
    notes,
  };
}

function fromServer(status: ServerStatus): StatusReport {
  return {
    process: { state: "running", ...status.process },
    source: "server",
    connections: status.connections,
    stores: status.stores,
    queue: status.queue,
    healthy: status.queue.worker === "alive",
    notes: [],
  };
}

/** The queue and the stores' health, read without a server; null when there is nothing. */
async function readStores(
  config: ResolvedConfig,
  notes: string[],
): Promise<{ queue: QueueState; stores: Record<string, string> } | null> {
  if (!config.redisUrl && !existsSync(join(config.dataDir, SQLITE_FILE))) {
    // Opening would create an empty database in a folder no server has used.
    notes.push(`backend: embedded, no database in ${config.dataDir} (never started here?)`);
    return null;
  }
  // The embedded database is a file any process can open beside the running server (WAL).
  // Degraded: while MySQL is down the backlog in Redis is exactly what the operator needs to
  // see, so the worker rows MySQL holds are reported unreadable instead of the command failing.
  const backend = config.redisUrl && config.mysqlUrl
    ? await openProductionBackend(config, `status-${Deno.pid}`, () => {}, { degraded: true })
    : await openEmbeddedBackend(config, `status-${Deno.pid}`, () => {});
  try {
    const [queue, stores] = await Promise.all([
      queueState(backend, config.queue.stallSeconds),
      backend.health(),
    ]);
    return { queue, stores };
  } finally {
    await backend.close();
  }
}

/** The text lines of a report. */
export function statusLines(report: StatusReport, config: ResolvedConfig): string[] {
  const lines: string[] = [];
  const p = report.process;
  lines.push(
    p.state === "running"
      ? `process: running${p.pid ? ` (pid ${p.pid})` : ""}`
      : p.state === "stopped"
      ? "process: stopped"
      : "process: unreachable",
  );
  if (p.version !== undefined) {
    lines.push(
      `version: ${p.version} (Deno ${p.deno}), up ${duration(p.uptimeSeconds ?? 0)} since ${
        at(p.startedAt ?? 0)
      }`,
    );
    lines.push(`listening: ${p.url} (node ${p.nodeName}, ${p.backend} backend)`);
  }
  const c = report.connections;
  if (c) {
    const online = c.accountsOnline < 0 ? "unknown" : String(c.accountsOnline);
    lines.push(
      `connections: ${c.webSockets} WebSocket${c.webSockets === 1 ? "" : "s"}, ${c.http} HTTP; ` +
        `accounts online: ${online} (${c.accountsHere} on this node)`,
    );
  }
  if (report.stores) {
    lines.push(
      `stores: ${Object.entries(report.stores).map(([name, s]) => `${name} ${s}`).join(", ")}`,
    );
  }
  for (const note of report.notes) lines.push(note);
  if (report.queue) lines.push(...queueLines(report.queue, p.state === "running", config));
  return lines;
}

/** The queue's lines, as `chat status` has printed them since the first release. */
function queueLines(status: QueueState, running: boolean, config: ResolvedConfig): string[] {
  const lines: string[] = [];
  // Another process's heartbeats may still look fresh after this one stopped: the process
  // state comes first. No row ever read (MySQL unreachable): whether a worker runs is unknown.
  const unknown = status.archive !== "ok" && status.lastBeat === 0;
  const worker = unknown
    ? "unknown"
    : running
    ? status.worker
    : status.worker === "alive"
    ? "not running here"
    : status.worker;
  lines.push(
    `worker: ${worker} (last heartbeat ${at(status.lastBeat)}, last archived ${
      at(status.lastProgress)
    })`,
  );
  if (status.stalled) {
    lines.push(
      `  stalled: nothing archived for over ${config.queue.stallSeconds} s with a backlog`,
    );
  }
  lines.push(`archive lag: ${status.archiveLag} s`);
  lines.push(`processed total: ${status.processedTotal}`);
  lines.push(`processed today: ${status.processedToday}`);
  lines.push(`pending: ${status.pending}`);
  lines.push(`in flight: ${status.inFlight}`);
  lines.push(`parked: ${status.parked}`);
  for (const { reason, count } of status.parkedReasons) lines.push(`  ${count} × ${reason}`);
  if (status.parked > 0) lines.push("  (`chat queue retry-parked` puts them back on the queue)");
  if (status.archive !== "ok") lines.push(`archive: ${status.archive}`);
  const { store, persistence, ackSurvives, warnings } = status.durability;
  lines.push(
    `${store} persistence: ${persistence}: an acknowledged message survives ${ackSurvives}`,
  );
  for (const warning of warnings) lines.push(`WARNING: ${warning}`);
  return lines;
}

function at(t: number): string {
  return t ? new Date(t * 1000).toISOString() : "never";
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24;
  const m = Math.floor(seconds / 60) % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}
