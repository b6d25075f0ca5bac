/**
 * `chat status`: the queue counts, read from the configured stores.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { openProductionBackend } from "../store/backend_production.ts";
import { queueStatus } from "./status_routes.ts";

/** Prints the queue counts; returns the exit code (1 when the worker is not alive). */
export async function printStatus(config: ResolvedConfig): Promise<number> {
  if (!config.redisUrl || !config.mysqlUrl) {
    console.log("backend: embedded (no queue counts outside the server process)");
    return 0;
  }
  const backend = await openProductionBackend(config, `status-${Deno.pid}`, () => {});
  try {
    const status = await queueStatus(backend);
    const beat = status.lastBeat ? new Date(status.lastBeat * 1000).toISOString() : "never";
    console.log(`worker: ${status.alive ? "alive" : "not alive"} (last heartbeat ${beat})`);
    console.log(`processed total: ${status.processedTotal}`);
    console.log(`processed today: ${status.processedToday}`);
    console.log(`pending: ${status.pending}`);
    console.log(`in flight: ${status.inFlight}`);
    return status.alive ? 0 : 1;
  } finally {
    await backend.close();
  }
}
