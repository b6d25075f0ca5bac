/**
 * The original's monthly message tables (MyISAM, utf8, no `mid`, no `seq`) brought to this
 * version's shape in place, month by month, oldest first:
 *
 * 1. the month's rows are copied, in time order, into a new table of today's shape
 *    (`webchat_upgrading_messageYYYYMM`), each with a `mid` and its chat's next `seq`;
 * 2. one atomic `RENAME TABLE` then puts the new table in the month's place and keeps the
 *    original as `webchat_php_messageYYYYMM`, unchanged.
 *
 * An interruption at any point leaves every month either upgraded or as it was (plus a half
 * copy, which the next run drops): the next run carries each chat's count on from the months
 * already upgraded. `seq` runs on across months, so a chat's numbers follow time.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { directChatId } from "../gateway/chat_id.ts";
import { MessageRejectedError } from "../queue/archive.ts";
import { ARCHIVE_COLUMNS, archiveRow, checkMessage } from "../queue/archive_sql.ts";
import type { ChatMessage, MessageTypeCode } from "../queue/message.ts";
import { createTableSql } from "../queue/monthly_tables_mysql.ts";
import { SEQ_EPOCH_SPAN } from "../queue/seq_epochs.ts";
import type { MysqlPool } from "../store/mysql_pool.ts";
import { KEPT_PREFIX, MESSAGE_TABLE, type PhpSchema } from "./php_schema.ts";
import { UpgradeRefused } from "./upgrade_refused.ts";

/** Rows read (and written) per statement. */
const CHUNK = 2000;

/** What the message step did. */
export interface MessagesUpgraded {
  tables: number;
  messages: number;
  /** Rows that could not be converted (they stay in the kept original), with why. */
  skipped: { table: string; id: number; reason: string }[];
  /** Each one-to-one chat's newest message, for the recent contacts. */
  newest: Map<string, ChatMessage>;
}

function monthsOf(schema: PhpSchema) {
  const months = [...schema.messages].sort((a, b) => a.name.localeCompare(b.name));
  return { months, firstOld: months.findIndex((t) => t.state === "php") };
}

function keptName(month: string): string {
  return `${KEPT_PREFIX}${month.slice("webchat_".length)}`;
}

/**
 * Throws {@link UpgradeRefused} when the months cannot be upgraded as they stand: one was
 * upgraded before an older one (seq could not follow time), or a kept original is in the way.
 */
export async function checkMonths(pool: MysqlPool, schema: PhpSchema): Promise<void> {
  const { months, firstOld } = monthsOf(schema);
  if (firstOld < 0) return;
  for (const later of months.slice(firstOld + 1).filter((t) => t.state === "current")) {
    if (await hasUpgradedRows(pool, later.name)) {
      throw new UpgradeRefused(
        `${later.name} was upgraded, but the older ${months[firstOld].name} was not: seq ` +
          "could not follow time. Restore the original's tables (webchat_php_…) and run again",
      );
    }
  }
  for (const month of months.filter((t) => t.state === "php")) {
    const [exists] = await pool.query(`SHOW TABLES LIKE ?`, [keptName(month.name)]);
    if ((exists as unknown[]).length > 0) {
      throw new UpgradeRefused(
        `${month.name} is in the original's shape, but ${keptName(month.name)} exists too`,
      );
    }
  }
}

/** Upgrades every month still in the original's shape; `progress` hears each row copied. */
export async function upgradeMessages(
  pool: MysqlPool,
  schema: PhpSchema,
  progress: (rows: number) => void,
  log: (line: string) => void,
): Promise<MessagesUpgraded> {
  await checkMonths(pool, schema);
  for (const name of schema.upgrading) {
    log(`upgrade: dropping ${name}, a month an interrupted run had half copied`);
    await pool.query(`DROP TABLE \`${name}\``);
  }
  const { months, firstOld } = monthsOf(schema);
  const result: MessagesUpgraded = { tables: 0, messages: 0, skipped: [], newest: new Map() };
  if (firstOld < 0) return result;
  const seq = new Map<string, number>();
  for (const done of months.slice(0, firstOld)) await countsOf(pool, done.name, seq);
  for (const month of months.slice(firstOld).filter((t) => t.state === "php")) {
    const kept = keptName(month.name);
    const copied = await copyMonth(pool, month.name, seq, result, progress);
    await pool.query(
      `RENAME TABLE \`${month.name}\` TO \`${kept}\`, \`${
        upgrading(month.name)
      }\` TO \`${month.name}\``,
    );
    log(`upgrade: ${month.name}: ${copied} messages (the original kept as ${kept})`);
    result.tables++;
    result.messages += copied;
  }
  return result;
}

function upgrading(month: string): string {
  return `webchat_upgrading_message${MESSAGE_TABLE.exec(month)![1]}${
    MESSAGE_TABLE.exec(month)![2]
  }`;
}

/** True when an upgrade wrote rows into the table (its seqs are below the first epoch's). */
async function hasUpgradedRows(pool: MysqlPool, table: string): Promise<boolean> {
  const [rows] = await pool.query(`SELECT 1 FROM \`${table}\` WHERE seq < ? LIMIT 1`, [
    SEQ_EPOCH_SPAN,
  ]);
  return (rows as unknown[]).length > 0;
}

/** Carries on each chat's count from a month upgraded before. */
async function countsOf(pool: MysqlPool, table: string, seq: Map<string, number>): Promise<void> {
  const [rows] = await pool.query(
    `SELECT chatid, MAX(seq) AS seq FROM \`${table}\` WHERE seq < ? GROUP BY chatid`,
    [SEQ_EPOCH_SPAN],
  );
  for (const row of rows as { chatid: string; seq: number }[]) {
    seq.set(row.chatid, Math.max(seq.get(row.chatid) ?? 0, Number(row.seq)));
  }
}

interface PhpRow {
  id: number;
  chatid: string;
  fromuser: string;
  message: string;
  time: number;
  filemd5: string;
  type: number;
}

/** Copies one month into its new table; answers how many rows were written. */
async function copyMonth(
  pool: MysqlPool,
  table: string,
  seq: Map<string, number>,
  result: MessagesUpgraded,
  progress: (rows: number) => void,
): Promise<number> {
  const target = upgrading(table);
  await pool.query(createTableSql(target));
  let copied = 0;
  let after = { time: -1, id: -1 };
  while (true) {
    const [read] = await pool.query(
      `SELECT id, chatid, fromuser, message, time, filemd5, type FROM \`${table}\`
        WHERE time > ? OR (time = ? AND id > ?) ORDER BY time, id LIMIT ?`,
      [after.time, after.time, after.id, CHUNK],
    );
    const rows = read as PhpRow[];
    if (rows.length === 0) break;
    after = { time: Number(rows.at(-1)!.time), id: Number(rows.at(-1)!.id) };
    const values: unknown[][] = [];
    for (const row of rows) {
      const message = convert(table, row, seq);
      if (typeof message === "string") {
        result.skipped.push({ table, id: Number(row.id), reason: message });
        continue;
      }
      values.push(archiveRow(message));
      if (message.members.length > 0) result.newest.set(message.chatid, message);
    }
    if (values.length > 0) {
      await pool.query(`INSERT INTO \`${target}\` (${ARCHIVE_COLUMNS}) VALUES ?`, [values]);
    }
    copied += values.length;
    progress(rows.length);
  }
  return copied;
}

/** One original row as a message with its mid and seq, or why it cannot be one. */
function convert(table: string, row: PhpRow, seq: Map<string, number>): ChatMessage | string {
  const raw = String(row.chatid ?? "");
  const parts = raw.split("--");
  const direct = parts.length === 2 && parts[0] !== "" && parts[1] !== "";
  // The original sorted a pair as JavaScript does; ids written another way join their chat.
  const chatid = direct ? directChatId(parts[0], parts[1]) : raw;
  if (!/^[\x21-\x7e]+$/.test(chatid)) return `chatid ${JSON.stringify(raw)} is not ASCII`;
  const type = [0, 1, 2].includes(Number(row.type)) ? Number(row.type) as MessageTypeCode : 0;
  const time = Number(row.time);
  const next = (seq.get(chatid) ?? 0) + 1;
  const message: ChatMessage = {
    mid: legacyMid(table, Number(row.id), time),
    chatid,
    seq: next,
    fromuser: String(row.fromuser ?? ""),
    message: type === 0 ? phpText(String(row.message ?? "")) : String(row.message ?? ""),
    type,
    fileId: String(row.filemd5 ?? "").trim(),
    time,
    cid: "",
    members: direct ? [...new Set(chatid.split("--"))] : [],
  };
  try {
    checkMessage(message);
  } catch (error) {
    if (error instanceof MessageRejectedError) return error.message;
    throw error;
  }
  seq.set(chatid, next);
  return message;
}

/**
 * A `mid` for an original row: its time first (mids sort by time), then 12 hex digits of a
 * hash of its table and id, so a run that is repeated gives every row the same `mid`.
 */
export function legacyMid(table: string, id: number, time: number): string {
  const tail = createHash("sha256").update(`${table}:${id}`).digest("hex").slice(0, 12);
  return Math.max(0, time * 1000).toString(16).padStart(12, "0") + tail;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/**
 * The original's text message as plain text. Its page stored what it displayed: line breaks
 * as `[\br]` and the editor's HTML entities (`&lt;`, `&amp;`, `&nbsp;` …); this version stores
 * text as typed. Smileys (`[\faceN]`) are kept as they are: they name the original's images.
 */
export function phpText(stored: string): string {
  return stored.replaceAll("[\\br]", "\n").replace(
    /&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi,
    (whole, name: string) => {
      if (name[0] !== "#") return ENTITIES[name.toLowerCase()] ?? whole;
      const code = name[1] === "x" || name[1] === "X"
        ? parseInt(name.slice(2), 16)
        : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
        ? String.fromCodePoint(code)
        : whole;
    },
  );
}
