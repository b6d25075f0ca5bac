/**
 * `chat status`: the queue counts, read from the configured stores.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedConfig } from "../config/mod.ts";
import { openEmbeddedBackend } from "../store/backend_embedded.ts";
import { openProductionBackend } from "../store/backend_production.ts";
import { SQLITE_FILE } from "../store/sqlite_db.ts";
import { queueStatus } from "./status_routes.ts";

/** Prints the queue counts; returns the exit code (1 when the worker is not alive). */
export async function printStatus(config: ResolvedConfig): Promise<number> {
  if (!config.redisUrl && !existsSync(join(config.dataDir, SQLITE_FILE))) {
    // Opening would create an empty database in a folder no server has used.
    console.log(`backend: embedded, no database in ${config.dataDir} (never started here?)`);
    return 1;
  }
  // The embedded database is a file any process can open beside the running server (WAL).
  const backend = config.redisUrl && config.mysqlUrl
    ? await openProductionBackend(config, `status-${Deno.pid}`, () => {})
    : await openEmbeddedBackend(config, `status-${Deno.pid}`, () => {});
  try {
    const status = await queueStatus(backend);
    const beat = status.lastBeat ? new Date(status.lastBeat * 1000).toISOString() : "never";
    console.log(`worker: ${status.alive ? "alive" : "not alive"} (last heartbeat ${beat})`);
    console.log(`processed total: ${status.processedTotal}`);
    console.log(`processed today: ${status.processedToday}`);
    console.log(`pending: ${status.pending}`);
    console.log(`in flight: ${status.inFlight}`);
    console.log(`parked: ${status.parked}`);
    const { store, persistence, ackSurvives, warnings } = status.durability;
    console.log(
      `${store} persistence: ${persistence}: an acknowledged message survives ${ackSurvives}`,
    );
    for (const warning of warnings) console.log(`WARNING: ${warning}`);
    return status.alive ? 0 : 1;
  } finally {
    await backend.close();
  }
}
