/**
 * `chat status`: the process and the queue, read from the configured stores.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedConfig } from "../config/mod.ts";
import { openEmbeddedBackend } from "../store/backend_embedded.ts";
import { openProductionBackend } from "../store/backend_production.ts";
import { SQLITE_FILE } from "../store/sqlite_db.ts";
import { queueState } from "./queue_state.ts";

/**
 * Prints the state; returns the exit code: 0 only when the server process runs and its
 * worker is alive (running and not stalled), else 1.
 */
export async function printStatus(config: ResolvedConfig, processState: string): Promise<number> {
  console.log(`process: ${processState}`);
  const running = processState.startsWith("running");
  if (!config.redisUrl && !existsSync(join(config.dataDir, SQLITE_FILE))) {
    // Opening would create an empty database in a folder no server has used.
    console.log(`backend: embedded, no database in ${config.dataDir} (never started here?)`);
    return 1;
  }
  // The embedded database is a file any process can open beside the running server (WAL).
  // Degraded: while MySQL is down the backlog in Redis is exactly what the operator needs to
  // see, so the worker rows MySQL holds are reported unreadable instead of the command failing.
  const backend = config.redisUrl && config.mysqlUrl
    ? await openProductionBackend(config, `status-${Deno.pid}`, () => {}, { degraded: true })
    : await openEmbeddedBackend(config, `status-${Deno.pid}`, () => {});
  try {
    const status = await queueState(backend, config.queue.stallSeconds);
    const at = (t: number) => t ? new Date(t * 1000).toISOString() : "never";
    // Another process's heartbeats may still look fresh after this one stopped: the process
    // state comes first.
    // No row ever read (MySQL unreachable): whether a worker runs is not known here.
    const unknown = status.archive !== "ok" && status.lastBeat === 0;
    const worker = unknown
      ? "unknown"
      : running
      ? status.worker
      : status.worker === "alive"
      ? "not running here"
      : status.worker;
    console.log(
      `worker: ${worker} (last heartbeat ${at(status.lastBeat)}, last archived ${
        at(status.lastProgress)
      })`,
    );
    if (status.stalled) {
      console.log(
        `  stalled: nothing archived for over ${config.queue.stallSeconds} s with a backlog`,
      );
    }
    console.log(`archive lag: ${status.archiveLag} s`);
    console.log(`processed total: ${status.processedTotal}`);
    console.log(`processed today: ${status.processedToday}`);
    console.log(`pending: ${status.pending}`);
    console.log(`in flight: ${status.inFlight}`);
    console.log(`parked: ${status.parked}`);
    for (const { reason, count } of status.parkedReasons) console.log(`  ${count} × ${reason}`);
    if (status.parked > 0) console.log("  (`chat queue retry-parked` puts them back on the queue)");
    if (status.archive !== "ok") console.log(`archive: ${status.archive}`);
    const { store, persistence, ackSurvives, warnings } = status.durability;
    console.log(
      `${store} persistence: ${persistence}: an acknowledged message survives ${ackSurvives}`,
    );
    for (const warning of warnings) console.log(`WARNING: ${warning}`);
    return running && status.worker === "alive" ? 0 : 1;
  } finally {
    await backend.close();
  }
}
