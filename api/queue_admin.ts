/**
 * `chat queue …`: queue administration on the configured stores.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { openEmbeddedBackend } from "../store/backend_embedded.ts";
import { openProductionBackend } from "../store/backend_production.ts";

const USAGE = "usage: chat queue retry-parked";

/** Runs a queue subcommand; returns the exit code. */
export async function queueCommand(config: ResolvedConfig, args: string[]): Promise<number> {
  const [sub, ...extra] = args;
  if (sub !== "retry-parked" || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const backend = config.redisUrl && config.mysqlUrl
    ? await openProductionBackend(config, `queue-admin-${Deno.pid}`, () => {})
    : await openEmbeddedBackend(config, `queue-admin-${Deno.pid}`, () => {});
  try {
    const reasons = await backend.producer.parkedReasons();
    const moved = await backend.producer.retryParked();
    for (const { reason, count } of reasons) console.log(`  ${count} × ${reason}`);
    console.log(
      `${moved} parked message${moved === 1 ? "" : "s"} put back on the queue; ` +
        "the archive worker parks again, with the reason, what it still refuses",
    );
    return 0;
  } finally {
    await backend.close();
  }
}
