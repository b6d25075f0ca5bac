/**
 * The original's yearly broadcast tables (`webchat_broadcastYYYY`: MyISAM, a `touser` text
 * `-a-b-c-` matched with `LIKE`, subject and content escaped twice) brought to this version's
 * shape in place, year by year, as the months of messages are:
 *
 * 1. the year's rows are copied, in id order, into a new table of today's shape
 *    (`webchat_upgrading_broadcastYYYY`), each with a `bid` made from its table and id (the same
 *    on every run), its subject and content unescaped once (what the sender typed; the content,
 *    HTML of the original's editor, as text), and its
 *    recipients written as rows of `webchat_broadcast_recipient` (so "my broadcasts" is an
 *    indexed read) — a recipient row already there is left as it is;
 * 2. one atomic `RENAME TABLE` puts the new table in the year's place and keeps the original
 *    as `webchat_php_broadcastYYYY`, unchanged.
 *
 * A run cut short leaves the year as it was (plus a half copy the next run drops).
 *
 * @module
 */
import { MessageRejectedError } from "../queue/archive.ts";
import type { Broadcast } from "../queue/broadcast.ts";
import {
  MysqlBroadcastArchive,
  yearlyTableName,
  yearTableSql,
} from "../queue/broadcast_archive_mysql.ts";
import {
  BROADCAST_COLUMNS,
  broadcastRow,
  checkBroadcast,
  recipientRows,
} from "../queue/broadcast_sql.ts";
import type { MysqlPool } from "../store/mysql_pool.ts";
import { ACCOUNT_ID } from "../store/users.ts";
import { BROADCAST_TABLE, KEPT_PREFIX, type PhpSchema } from "./php_schema.ts";
import { legacyMid, phpText } from "./upgrade_messages.ts";
import { UpgradeRefused } from "./upgrade_refused.ts";

const CHUNK = 2000;

/** What the broadcast step did. */
export interface BroadcastsUpgraded {
  tables: number;
  broadcasts: number;
  /** Recipient names in `touser` this version cannot hold (they are left out). */
  badRecipients: number;
  /** Rows that could not be converted (they stay in the kept original), with why. */
  skipped: { table: string; id: number; reason: string }[];
}

/** `webchat_php_broadcastYYYY`. */
export function keptBroadcast(name: string): string {
  return `${KEPT_PREFIX}broadcast${BROADCAST_TABLE.exec(name)![1]}`;
}

function upgrading(name: string): string {
  return `webchat_upgrading_broadcast${BROADCAST_TABLE.exec(name)![1]}`;
}

/** Throws {@link UpgradeRefused} when a kept broadcast table is in the way. */
export async function checkBroadcasts(pool: MysqlPool, schema: PhpSchema): Promise<void> {
  for (const table of schema.broadcasts.filter((t) => t.state === "php")) {
    const [exists] = await pool.query(`SHOW TABLES LIKE ?`, [keptBroadcast(table.name)]);
    if ((exists as unknown[]).length > 0) {
      throw new UpgradeRefused(
        `${table.name} is in the original's shape, but ${keptBroadcast(table.name)} exists too`,
      );
    }
  }
}

/**
 * PHP's `stripslashes`: the original stored subject and content escaped once more than it
 * meant to (`addslashes` before queueing, and again before its INSERT).
 */
export function stripSlashes(stored: string): string {
  return stored.replace(/\\(.?)/gs, (_, next: string) => next === "0" ? "\0" : next);
}

/**
 * The original's content (the HTML of its page's editable box) as the text this version shows:
 * line breaks and block ends as new lines, other tags dropped, entities decoded (the editor
 * wrote a typed `<` as `&lt;`, so every tag is markup, never text).
 */
export function broadcastText(html: string): string {
  return phpText(
    html.replace(/<br\s*\/?>/gi, "\n").replace(/<\/(div|p|li|h[1-6])\s*>/gi, "\n")
      .replace(/<[^>]*>/g, ""),
  ).replace(/\n+$/, "");
}

interface PhpBroadcastRow {
  id: number;
  fromuser: string;
  touser: string;
  touserTitle: string;
  title: string;
  content: string;
  time: number;
}

/** Upgrades every year still in the original's shape; `progress` hears each row read. */
export async function upgradeBroadcasts(
  pool: MysqlPool,
  schema: PhpSchema,
  progress: (rows: number) => void,
  log: (line: string) => void,
): Promise<BroadcastsUpgraded> {
  await checkBroadcasts(pool, schema);
  const result: BroadcastsUpgraded = { tables: 0, broadcasts: 0, badRecipients: 0, skipped: [] };
  const years = schema.broadcasts.filter((t) => t.state === "php");
  if (years.length === 0) return result;
  await new MysqlBroadcastArchive(pool).ensureSchema();
  for (const year of years) {
    const target = upgrading(year.name);
    await pool.query(`DROP TABLE IF EXISTS \`${target}\``);
    await pool.query(yearTableSql(target));
    let copied = 0, after = -1;
    while (true) {
      const [read] = await pool.query(
        `SELECT id, fromuser, touser, touserTitle, title, content, time FROM \`${year.name}\`
          WHERE id > ? ORDER BY id LIMIT ?`,
        [after, CHUNK],
      );
      const rows = read as PhpBroadcastRow[];
      if (rows.length === 0) break;
      after = Number(rows.at(-1)!.id);
      const fresh: Broadcast[] = [];
      for (const row of rows) {
        const converted = convert(year.name, row, result);
        if (typeof converted === "string") {
          result.skipped.push({ table: year.name, id: Number(row.id), reason: converted });
        } else fresh.push(converted);
      }
      if (fresh.length > 0) {
        await pool.query(`INSERT INTO \`${target}\` (${BROADCAST_COLUMNS}) VALUES ?`, [
          fresh.map(broadcastRow),
        ]);
        const recipients = fresh.flatMap(recipientRows);
        for (let i = 0; i < recipients.length; i += 5000) {
          // IGNORE: a row an interrupted run wrote (the same bid) is kept, not repeated.
          await pool.query(
            "INSERT IGNORE INTO webchat_broadcast_recipient (accountid, bid, time) VALUES ?",
            [recipients.slice(i, i + 5000)],
          );
        }
      }
      copied += fresh.length;
      progress(rows.length);
    }
    const kept = keptBroadcast(year.name);
    await pool.query(
      `RENAME TABLE \`${year.name}\` TO \`${kept}\`, \`${target}\` TO \`${year.name}\``,
    );
    log(`upgrade: ${year.name}: ${copied} broadcasts (the original kept as ${kept})`);
    result.tables++;
    result.broadcasts += copied;
  }
  return result;
}

/** One original row as a broadcast, or why it cannot be one. */
function convert(
  table: string,
  row: PhpBroadcastRow,
  result: BroadcastsUpgraded,
): Broadcast | string {
  const time = Number(row.time);
  if (!Number.isSafeInteger(time) || time < 0) return `time ${row.time} is not a unix time`;
  const names = String(row.touser ?? "").split("-").filter((name) => name !== "");
  const recipients = [...new Set(names.filter((name) => ACCOUNT_ID.test(name)))];
  result.badRecipients += new Set(names).size - recipients.length;
  if (recipients.length === 0) return "no recipient is an accountid";
  // This version finds a broadcast's table by the year of its time.
  if (yearlyTableName(time) !== table) return `its time ${time} is not in ${table}'s year`;
  const broadcast: Broadcast = {
    bid: legacyMid(table, Number(row.id), time),
    fromuser: String(row.fromuser ?? ""),
    touserTitle: String(row.touserTitle ?? ""),
    title: stripSlashes(String(row.title ?? "")),
    content: broadcastText(stripSlashes(String(row.content ?? ""))),
    time,
    recipients,
  };
  try {
    checkBroadcast(broadcast);
  } catch (error) {
    if (error instanceof MessageRejectedError) return error.message;
    throw error;
  }
  return broadcast;
}
