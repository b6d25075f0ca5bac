/**
 * `chat export CHATID`: an administrator exports any conversation (every message, as the
 * archive holds it) as HTML or CSV, straight from the configured stores (MySQL, or the embedded
 * database of the data folder), to a file or standard output.
 *
 * @module
 */
import { EXPORT_FORMATS, exportChat, type ExportFormat } from "../api/chat_export.ts";
import { parseChatId } from "../gateway/chat_id.ts";
import { MysqlFileTable } from "../files/file_table_mysql.ts";
import { SqliteFileTable } from "../files/file_table_sqlite.ts";
import { MysqlArchive } from "../queue/archive_mysql.ts";
import { SqliteArchive } from "../queue/archive_sqlite.ts";
import { openMysql } from "../store/mysql_pool.ts";
import { openSqliteDb } from "../store/sqlite_db.ts";
import { type CommandInput, UsageError } from "./command_line.ts";

/**
 * A time option: unix seconds, or a day `YYYY-MM-DD` (UTC; for `--until` the end of that day).
 */
function timeOption(value: unknown, name: "since" | "until"): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (/^\d{1,10}$/.test(text) && Number(text) < 2 ** 31) return Number(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = day ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : NaN;
  if (!day || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(day[3])) {
    throw new UsageError(
      `chat export: --${name} must be unix seconds or YYYY-MM-DD, got "${text}"`,
    );
  }
  return ms / 1000 + (name === "until" ? 86_399 : 0);
}

/** Runs `chat export`. */
export async function exportCommand(input: CommandInput): Promise<number> {
  const chat = parseChatId(input.args[0]);
  if (typeof chat === "string") throw new UsageError(`chat export: ${chat}`);
  const format = (input.values.format as string | undefined) ?? "html";
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
    throw new UsageError(`chat export: --format must be one of ${EXPORT_FORMATS.join(", ")}`);
  }
  const since = timeOption(input.values.since, "since");
  const until = timeOption(input.values.until, "until");
  if (since !== undefined && until !== undefined && since > until) {
    throw new UsageError("chat export: --since must not be after --until");
  }
  const out = input.values.out as string | undefined;
  const { config } = input;
  const request = { chatid: chat.chatid, format: format as ExportFormat, since, until };
  let close: () => Promise<void>;
  let stream: ReadableStream<Uint8Array>;
  if (config.mysqlUrl && config.redisUrl) {
    const pool = await openMysql(config.mysqlUrl);
    close = () => pool.end();
    stream = exportChat(
      { archive: new MysqlArchive(pool), files: new MysqlFileTable(pool) },
      request,
    );
  } else {
    const sqlite = openSqliteDb(config.dataDir);
    close = () => Promise.resolve(sqlite.close());
    const files = new SqliteFileTable(sqlite.db);
    files.ensureSchema();
    stream = exportChat({ archive: new SqliteArchive(sqlite.db), files }, request);
  }
  try {
    if (out === undefined) {
      await stream.pipeTo(Deno.stdout.writable, { preventClose: true });
      return 0;
    }
    const file = await Deno.open(out, { write: true, create: true, truncate: true });
    await stream.pipeTo(file.writable);
    console.error(`exported ${chat.chatid} to ${out}`);
    return 0;
  } finally {
    await close();
  }
}
