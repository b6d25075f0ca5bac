/**
 * What a MySQL database holds of the PHP webChat (reference §4.4): each table it knows, in the
 * original's shape, in this version's shape, or in a shape that is neither (then the database
 * is not the original's and nothing is touched).
 *
 * @module
 */
import type { MysqlPool } from "../store/mysql_pool.ts";

/** The original's columns of each table (a table with fewer is not the original's). */
const PHP_COLUMNS = {
  user: [
    "uid",
    "accountid",
    "pwd",
    "username",
    "dept",
    "tel",
    "mobile",
    "email",
    "deptDetail",
    "updateTime",
  ],
  message: ["id", "chatid", "fromuser", "message", "time", "filemd5", "type"],
  broadcast: ["id", "fromuser", "touser", "touserTitle", "title", "content", "time"],
  status: ["id", "job_name", "queue_name", "tm", "server", "msgcnt_all", "msgcnt_day", "dostop"],
} as const;

/** `webchat_messageYYYYMM`. */
export const MESSAGE_TABLE = /^webchat_message(\d{4})(\d{2})$/;
/** `webchat_broadcastYYYY`. */
export const BROADCAST_TABLE = /^webchat_broadcast(\d{4})$/;
/** Where an interrupted upgrade left a month half copied (dropped and copied again). */
export const UPGRADING_TABLE = /^webchat_upgrading_message(\d{6})$/;
/** Where the original's tables are kept after the upgrade, unchanged. */
export const KEPT_PREFIX = "webchat_php_";

/** A table and what shape it is in. */
export interface TableState {
  name: string;
  state: "php" | "current" | "foreign";
  /** For "foreign": why it is neither. */
  why?: string;
}

/** What the database holds. */
export interface PhpSchema {
  /** `webchat_user`, when present. */
  users: TableState | null;
  /** `webchat_messageYYYYMM`, oldest first. */
  messages: TableState[];
  /** `webchat_broadcastYYYY`, oldest first. */
  broadcasts: TableState[];
  status: TableState | null;
  /** The original's MERGE tables over the monthly/yearly ones (`webchat_message`, …). */
  merges: string[];
  /** Half-copied months of an interrupted upgrade. */
  upgrading: string[];
}

interface ColumnRow {
  table: string;
  column: string;
  width: number | null;
  engine: string;
}

/** Reads the shape of every table of interest (information_schema only: nothing is locked). */
export async function inspectSchema(pool: MysqlPool): Promise<PhpSchema> {
  const [rows] = await pool.query(
    `SELECT c.TABLE_NAME AS \`table\`, c.COLUMN_NAME AS \`column\`,
            c.CHARACTER_MAXIMUM_LENGTH AS width, t.ENGINE AS engine
       FROM information_schema.COLUMNS c
       JOIN information_schema.TABLES t
         ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
      WHERE c.TABLE_SCHEMA = DATABASE()
        AND (c.TABLE_NAME LIKE 'webchat\\_%' OR c.TABLE_NAME = 'queue_deamon_status')`,
  );
  const tables = new Map<string, { columns: Map<string, number | null>; engine: string }>();
  for (const row of rows as ColumnRow[]) {
    const table = tables.get(row.table) ?? { columns: new Map(), engine: String(row.engine) };
    table.columns.set(row.column, row.width === null ? null : Number(row.width));
    tables.set(row.table, table);
  }
  const [unique] = await pool.query(
    `SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
      AND TABLE_NAME = 'queue_deamon_status' AND INDEX_NAME = 'uq_job_queue_server'`,
  );
  const statusKeyed = Number((unique as { n: number }[])[0]?.n ?? 0) > 0;

  const classify = (
    name: string,
    php: readonly string[],
    current: (columns: Map<string, number | null>, engine: string) => boolean,
  ): TableState => {
    const table = tables.get(name)!;
    const missing = php.filter((c) => !table.columns.has(c));
    if (current(table.columns, table.engine)) return { name, state: "current" };
    if (missing.length === 0) return { name, state: "php" };
    return { name, state: "foreign", why: `has no column ${missing.join(", ")}` };
  };
  const schema: PhpSchema = {
    users: null,
    messages: [],
    broadcasts: [],
    status: null,
    merges: [],
    upgrading: [],
  };
  for (const [name, table] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
    if (/^MRG_/i.test(table.engine)) schema.merges.push(name);
    else if (name === "webchat_user") {
      // The original's marks: MyISAM and a 40-character pwd. A table of an earlier release of
      // this version lacks only `disabled`, which the user store adds by itself.
      schema.users = classify(
        name,
        PHP_COLUMNS.user,
        (columns, engine) =>
          Number(columns.get("pwd") ?? 0) >= 255 && engine.toLowerCase() === "innodb",
      );
    } else if (MESSAGE_TABLE.test(name)) {
      schema.messages.push(
        classify(name, PHP_COLUMNS.message, (c) => c.has("mid") && c.has("seq")),
      );
    } else if (BROADCAST_TABLE.test(name)) {
      // This version's yearly tables have a bid and no `touser` (recipients are rows).
      schema.broadcasts.push(classify(name, PHP_COLUMNS.broadcast, (c) => !c.has("touser")));
    } else if (name === "queue_deamon_status") {
      schema.status = classify(
        name,
        PHP_COLUMNS.status,
        (c) =>
          c.has("progress_tm") && c.has("state") && Number(c.get("server") ?? 0) >= 100 &&
          statusKeyed,
      );
    } else if (UPGRADING_TABLE.test(name)) schema.upgrading.push(name);
  }
  return schema;
}

/** Every table that still has the original's shape, or is left over from an upgrade. */
export function pendingTables(schema: PhpSchema): string[] {
  return [
    ...[schema.users, schema.status, ...schema.messages, ...schema.broadcasts]
      .filter((t): t is TableState => t?.state === "php").map((t) => t.name),
    ...schema.merges,
    ...schema.upgrading,
  ];
}

/** Tables that are neither the original's nor this version's. */
export function foreignTables(schema: PhpSchema): TableState[] {
  return [schema.users, schema.status, ...schema.messages, ...schema.broadcasts]
    .filter((t): t is TableState => t?.state === "foreign");
}
