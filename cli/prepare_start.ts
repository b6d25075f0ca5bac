/**
 * What `chat start` looks at before the server starts: tables of the PHP webChat in the MySQL
 * database are offered the upgrade on a terminal, else the start is refused with how to run
 * it (the server would fail on them). Only `information_schema` is read: a start that then
 * fails (a port in use) has changed nothing.
 *
 * @module
 */
import { probeServer } from "../api/run_files.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import { offerUpgrade } from "./upgrade_command.ts";

/** Answers 0 to go on, else the exit code of a refused start. */
export async function prepareStart(config: ResolvedConfig): Promise<number> {
  // A server already running here: the start is refused anyway, and says so.
  if (probeServer(config).running || !config.mysqlUrl) return 0;
  const offered = await offerUpgrade(config);
  // MySQL did not answer: the server starts degraded and says so itself.
  return offered === "unreachable" ? 0 : offered;
}
