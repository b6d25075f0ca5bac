/**
 * `chat upgrade`: a database of the PHP webChat brought to this version's schema, in place,
 * by a list of steps. Each step leaves its tables either done or as they were, so a run that
 * stops half-way (a crash, Ctrl-C, a full disk) is simply run again: the steps look at what
 * the tables are and do what is left.
 *
 * Before anything changes, the whole database is looked at: tables that are neither the
 * original's nor this version's, or a server or the original's queue daemon that still writes
 * to the tables, make it refuse, changing nothing.
 *
 * The original's groups (in its Redis and its history) and broadcasts have steps of their
 * own; the original had no file records (its files are named by md5 in the messages).
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { RecentRedis } from "../queue/recent_redis.ts";
import { raiseSeqEpoch } from "../queue/seq_epoch_raise.ts";
import { type MysqlPool, openMysql } from "../store/mysql_pool.ts";
import { closeRedis, connectRedis, redactUrl, type RedisClient } from "../store/redis_client.ts";
import { foreignTables, inspectSchema, pendingTables, type PhpSchema } from "./php_schema.ts";
import { checkBroadcasts, upgradeBroadcasts } from "./upgrade_broadcasts.ts";
import { upgradeGroups } from "./upgrade_groups.ts";
import { checkMonths, upgradeMessages } from "./upgrade_messages.ts";
import { UpgradeRefused } from "./upgrade_refused.ts";
import { dropMergeTables, upgradeStatus, upgradeUsers } from "./upgrade_tables.ts";

/** What a step gets. */
export interface UpgradeContext {
  pool: MysqlPool;
  schema: PhpSchema;
  /** The configured Redis (its seq marker and recent contacts), if any. */
  redis: RedisClient | null;
  redisPrefix: string;
  /** The original's Redis (its groups' members and titles), when given. */
  phpRedis: RedisClient | null;
  /** Rows the messages step will copy, for the progress bar. */
  progress: (rows: number) => void;
  log: (line: string) => void;
}

/** One step: says in lines what it did (nothing when there was nothing to do). */
export interface UpgradeStep {
  name: string;
  /** Refuses (throws {@link UpgradeRefused}) before any step has changed anything. */
  check?(ctx: UpgradeContext): Promise<void>;
  run(ctx: UpgradeContext): Promise<string[]>;
}

/** A heartbeat younger than this means a server (or the PHP daemon) writes to the tables. */
const LIVE_BEAT_SECONDS = 300;

/** The steps, in order. */
export const UPGRADE_STEPS: UpgradeStep[] = [
  {
    name: "merge tables",
    async run(ctx) {
      const dropped = await dropMergeTables(ctx.pool, ctx.schema);
      return dropped.length ? [`dropped the MERGE tables ${dropped.join(", ")}`] : [];
    },
  },
  {
    name: "accounts",
    async run(ctx) {
      if (ctx.schema.users?.state !== "php") return [];
      const users = await upgradeUsers(ctx.pool, ctx.schema);
      const lines = [
        `webchat_user: ${users.accounts} accounts; their md5 passwords are accepted once at ` +
        "login and replaced by scrypt",
      ];
      if (users.withoutPassword > 0) {
        lines.push(
          `  ${users.withoutPassword} have no password (the original never checked one): ` +
            "`chat user passwd ACCOUNT` sets one",
        );
      }
      if (users.badNames.length > 0) {
        lines.push(
          `  ${users.badNames.length} cannot log in with this version (names beyond letters, ` +
            `digits, _ and .): ${users.badNames.slice(0, 10).join(", ")}` +
            (users.badNames.length > 10 ? " …" : ""),
        );
      }
      return lines;
    },
  },
  {
    name: "queue status",
    async run(ctx) {
      return await upgradeStatus(ctx.pool, ctx.schema)
        ? ["queue_deamon_status: this version's columns and key; the old daemon's counters kept"]
        : [];
    },
  },
  {
    // Before the messages: it finds the groups in the months still in the original's shape.
    name: "groups",
    async run(ctx) {
      const done = await upgradeGroups(ctx.pool, ctx.schema, ctx.phpRedis);
      const lines = done.groups === 0 ? [] : [
        `groups: ${done.groups} made from the history, ${done.fromRedis} of them with their ` +
        "members, join times and title from the original's Redis" +
        (ctx.phpRedis ? "" : " (give --php-redis URL for those; here: the master and " +
          "everyone who wrote into the group, joined when it was made)"),
      ];
      if (done.skipped.length > 0) {
        lines.push(`  ${done.skipped.length} not made: ${done.skipped.slice(0, 5).join("; ")}`);
      }
      return lines;
    },
  },
  {
    name: "messages",
    check: (ctx) => checkMonths(ctx.pool, ctx.schema),
    async run(ctx) {
      const done = await upgradeMessages(ctx.pool, ctx.schema, ctx.progress, ctx.log);
      if (done.tables === 0) return [];
      const lines = [
        `messages: ${done.messages} in ${done.tables} monthly tables, each with a mid and its ` +
        "chat's seq in time order",
      ];
      if (done.skipped.length > 0) {
        lines.push(
          `  ${done.skipped.length} rows could not be converted (kept in webchat_php_…): ` +
            done.skipped.slice(0, 5).map((s) => `${s.table} id ${s.id}: ${s.reason}`).join("; "),
        );
      }
      await raiseSeqEpoch(ctx.pool, ctx.redis, ctx.redisPrefix);
      if (ctx.redis) {
        const recent = new RecentRedis({ redis: ctx.redis, prefix: ctx.redisPrefix });
        const newest = [...done.newest.values()];
        for (let i = 0; i < newest.length; i += 500) await recent.record(newest.slice(i, i + 500));
        lines.push(`recent contacts: ${newest.length} one-to-one chats`);
      }
      return lines;
    },
  },
  {
    name: "broadcasts",
    check: (ctx) => checkBroadcasts(ctx.pool, ctx.schema),
    async run(ctx) {
      const done = await upgradeBroadcasts(ctx.pool, ctx.schema, ctx.progress, ctx.log);
      if (done.tables === 0) return [];
      const lines = [
        `broadcasts: ${done.broadcasts} in ${done.tables} yearly tables, each with a bid, its ` +
        "recipients as rows of webchat_broadcast_recipient, subject and content unescaped",
      ];
      if (done.badRecipients > 0) {
        lines.push(`  ${done.badRecipients} recipient names are not accountids: left out`);
      }
      if (done.skipped.length > 0) {
        lines.push(
          `  ${done.skipped.length} rows could not be converted (kept in webchat_php_…): ` +
            done.skipped.slice(0, 5).map((s) => `${s.table} id ${s.id}: ${s.reason}`).join("; "),
        );
      }
      return lines;
    },
  },
];

/** What a run did. */
export interface UpgradeResult {
  /** False: the database was upgraded already (or holds none of the original's tables). */
  changed: boolean;
  lines: string[];
}

/** Options of {@link runUpgrade}. */
export interface UpgradeOptions {
  log?: (line: string) => void;
  /** Called once with the number of rows to copy, then with each chunk copied. */
  onRows?: (total: number | null, copied: number) => void;
  /** The original's Redis, to read its groups from (`--php-redis`). */
  phpRedisUrl?: string;
}

/** Looks at the database and upgrades what is left; throws {@link UpgradeRefused}. */
export async function runUpgrade(
  config: ResolvedConfig,
  options: UpgradeOptions = {},
): Promise<UpgradeResult> {
  if (!config.mysqlUrl) {
    throw new UpgradeRefused("the PHP webChat's tables are in MySQL: give --mysql (and --redis)");
  }
  const log = options.log ?? (() => {});
  // Never created: an upgrade of a database that does not exist is a typo in the URL.
  const pool = await openMysql(config.mysqlUrl, { createDatabase: false });
  let redis: RedisClient | null = null;
  let phpRedis: RedisClient | null = null;
  try {
    const schema = await inspectSchema(pool);
    const foreign = foreignTables(schema);
    if (foreign.length > 0) {
      throw new UpgradeRefused(
        "this database is not the PHP webChat's: " +
          foreign.map((t) => `${t.name} ${t.why}`).join("; ") + "; nothing was changed",
      );
    }
    if (pendingTables(schema).length === 0) {
      const known = schema.users || schema.messages.length > 0;
      if (!known) {
        throw new UpgradeRefused(
          "this database holds none of the PHP webChat's tables (webchat_user, " +
            "webchat_messageYYYYMM, …); nothing to upgrade",
        );
      }
      return {
        changed: false,
        lines: ["nothing to upgrade: every table has this version's shape"],
      };
    }
    await refuseWhileWritten(pool, schema);
    if (options.phpRedisUrl) {
      const url = options.phpRedisUrl;
      phpRedis = await connectRedis(url).catch((error) => {
        throw new UpgradeRefused(
          `the original's Redis at ${redactUrl(url)}: ${error.message}; nothing was changed`,
        );
      });
    }
    if (config.redisUrl) redis = await connectRedis(config.redisUrl);
    const total = await rowsToCopy(pool, schema);
    options.onRows?.(total, 0);
    const ctx: UpgradeContext = {
      pool,
      schema,
      redis,
      redisPrefix: config.redisPrefix,
      phpRedis,
      progress: (rows) => options.onRows?.(null, rows),
      log,
    };
    for (const step of UPGRADE_STEPS) await step.check?.(ctx);
    const lines: string[] = [];
    for (const step of UPGRADE_STEPS) {
      const said = await step.run(ctx);
      for (const line of said) log(`upgrade: ${line}`);
      lines.push(...said);
    }
    return { changed: true, lines };
  } finally {
    if (redis) await closeRedis(redis);
    if (phpRedis) await closeRedis(phpRedis);
    await pool.end();
  }
}

/** Refuses while a heartbeat in `queue_deamon_status` says something still archives. */
async function refuseWhileWritten(pool: MysqlPool, schema: PhpSchema): Promise<void> {
  if (!schema.status) return;
  const current = schema.status.state === "current";
  const [rows] = await pool.query(
    `SELECT server, UNIX_TIMESTAMP() - tm AS age FROM queue_deamon_status
      WHERE tm > UNIX_TIMESTAMP() - ? ${current ? "AND state = 'running'" : ""}
      ORDER BY tm DESC LIMIT 1`,
    [LIVE_BEAT_SECONDS],
  );
  const live = (rows as { server: string; age: number }[])[0];
  if (live) {
    throw new UpgradeRefused(
      `${current ? "a webChat server" : "the PHP queue daemon"} (${live.server || "?"}) wrote ` +
        `a heartbeat into queue_deamon_status ${live.age} s ago: stop it (every node) first; ` +
        "nothing was changed",
    );
  }
}

async function rowsToCopy(pool: MysqlPool, schema: PhpSchema): Promise<number> {
  let total = 0;
  for (const table of [...schema.messages, ...schema.broadcasts].filter((t) => t.state === "php")) {
    const [rows] = await pool.query(`SELECT COUNT(*) AS n FROM \`${table.name}\``);
    total += Number((rows as { n: number }[])[0].n);
  }
  return total;
}
