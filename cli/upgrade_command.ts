/**
 * `chat upgrade`, and the offer `chat start` makes when it finds the PHP webChat's tables.
 *
 * @module
 */
import { probeServer } from "../api/run_files.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import { openMysql } from "../store/mysql_pool.ts";
import { inspectSchema, pendingTables } from "../upgrade/php_schema.ts";
import { runUpgrade } from "../upgrade/run_upgrade.ts";
import { UpgradeRefused } from "../upgrade/upgrade_refused.ts";
import { UsageError } from "./command_line.ts";
import { Progress } from "./progress.ts";

/** Runs the upgrade with a progress bar; returns the exit code. */
async function upgradeNow(config: ResolvedConfig, phpRedisUrl?: string): Promise<number> {
  let progress: Progress | null = null;
  try {
    const result = await runUpgrade(config, {
      phpRedisUrl,
      onRows: (total, copied) => {
        if (total !== null) progress = new Progress("upgrading messages and broadcasts", total);
        else progress?.add(copied);
      },
    });
    (progress as Progress | null)?.finish();
    for (const line of result.lines) console.log(line);
    if (result.changed) {
      console.log(
        "upgrade done. The original's tables are kept as webchat_php_…; drop them once you " +
          "have checked the history. Use a fresh Redis database (or redis.prefix): the " +
          "original's Redis keys hold PHP serialize() data this version does not read.",
      );
    }
    return 0;
  } catch (error) {
    (progress as Progress | null)?.finish();
    if (!(error instanceof UpgradeRefused)) throw error;
    console.error(`chat upgrade: ${error.message}`);
    return 1;
  }
}

/** `chat upgrade [--yes] [--php-redis URL]`. */
export async function upgradeCommand(
  config: ResolvedConfig,
  options: { yes: boolean; phpRedisUrl?: string },
): Promise<number> {
  if (!config.mysqlUrl) {
    throw new UsageError(
      "chat upgrade: the PHP webChat's tables are in MySQL: give --mysql URL and --redis URL",
    );
  }
  if (options.phpRedisUrl === "") throw new UsageError("chat upgrade: --php-redis needs a URL");
  const probe = probeServer(config);
  if (probe.running) {
    console.error(`chat upgrade: a server runs on ${config.dataDir} (pid ${probe.pid}): chat stop`);
    return 1;
  }
  if (!options.yes && Deno.stdin.isTerminal()) {
    if (!confirm("Convert the PHP webChat's tables in place (the originals are kept)?")) {
      console.log("nothing was changed");
      return 1;
    }
  }
  return await upgradeNow(config, options.phpRedisUrl);
}

/**
 * Before a start: 0 when there is nothing of the original's to convert (or MySQL cannot be
 * asked: the server decides what to do about that), else the upgrade is offered on a
 * terminal, or the start refused with how to run it.
 */
export async function offerUpgrade(config: ResolvedConfig): Promise<number | "unreachable"> {
  let pending: string[];
  try {
    const pool = await openMysql(config.mysqlUrl!, { createDatabase: false });
    try {
      pending = pendingTables(await inspectSchema(pool));
    } finally {
      await pool.end();
    }
  } catch (error) {
    // No database yet: a new installation, nothing to offer.
    if ((error as { code?: string }).code === "ER_BAD_DB_ERROR") return 0;
    return "unreachable";
  }
  if (pending.length === 0) return 0;
  const list = pending.slice(0, 6).join(", ") + (pending.length > 6 ? " …" : "");
  console.log(
    `The database holds tables of the PHP webChat that this version converts first: ${list}`,
  );
  if (
    Deno.stdin.isTerminal() && confirm("Upgrade them now (chat upgrade; the originals are kept)?")
  ) {
    return await upgradeNow(config);
  }
  console.error(
    "chat: not started: run `chat upgrade` first (it converts them in place, keeps the " +
      "originals, and can be run again), then start",
  );
  return 1;
}
