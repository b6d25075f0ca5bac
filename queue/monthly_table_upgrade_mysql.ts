/**
 * Brings a `webchat_messageYYYYMM` table made by an earlier version up to today's shape before
 * anything is written to it: `seq` as BIGINT UNSIGNED (after Redis lost its data, a chat's
 * `seq` continues from a new epoch, beyond 2^32; see `queue_redis.ts`), (chatid, seq) unique
 * instead of only indexed, so the archive refuses a message that would repeat a `seq`, and the
 * `mentions` column of group messages.
 *
 * A table that already holds two rows with one (chatid, seq) (an earlier version re-used seq
 * numbers after a Redis data loss) cannot get the unique key: that is logged, the rows stay as
 * they are and the table keeps working with its plain index.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { MysqlPool } from "../store/mysql_pool.ts";

const ER_DUP_ENTRY = 1062;
/** Another process added the key or dropped the index between our look and our change. */
const ER_DUP_KEYNAME = 1061;
const ER_CANT_DROP_FIELD_OR_KEY = 1091;
/** Another process added the column meanwhile. */
const ER_DUP_FIELDNAME = 1060;

const ADD_MENTIONS =
  "ADD COLUMN mentions VARCHAR(2100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT ''";

/** The columns of replies, edits and recalls, added after `mentions`. */
const CONVERSATION_COLUMNS: [name: string, definition: string][] = [
  ["reply", "VARCHAR(2000) NOT NULL DEFAULT ''"],
  ["edited", "INT NOT NULL DEFAULT 0"],
  ["recalledby", "VARCHAR(40) NOT NULL DEFAULT ''"],
  ["recalledat", "INT NOT NULL DEFAULT 0"],
];

/** What a table has of today's shape. */
interface TableShape {
  mentions: boolean;
  /** The `ADD COLUMN`s of {@link CONVERSATION_COLUMNS} the table lacks. */
  missing: string[];
  wideSeq: boolean;
  uniqueSeq: boolean;
  plainSeqIndex: boolean;
}

/**
 * Upgrades `name` (already checked to be a monthly table name) when it needs it; answers false
 * when the unique key could not be added because of duplicates already stored.
 */
export async function upgradeMonthlyTable(
  pool: MysqlPool,
  name: string,
  log: Log,
): Promise<boolean> {
  for (let attempt = 0;; attempt++) {
    const shape = await shapeOf(pool, name);
    const changes = [];
    if (!shape.mentions) changes.push(ADD_MENTIONS);
    changes.push(...shape.missing);
    if (!shape.wideSeq) changes.push("MODIFY seq BIGINT UNSIGNED NOT NULL");
    if (!shape.uniqueSeq) {
      changes.push("ADD UNIQUE KEY uq_chat_seq (chatid, seq)");
      if (shape.plainSeqIndex) changes.push("DROP KEY idx_chat_seq");
    }
    if (changes.length === 0) return true;
    log(`archive: upgrading ${name} from an earlier version: ${changes.join(", ")}`);
    try {
      await pool.query(`ALTER TABLE \`${name}\` ${changes.join(", ")}`);
      return true;
    } catch (error) {
      const errno = (error as { errno?: number }).errno;
      if (errno === ER_DUP_ENTRY) {
        await keepDuplicates(pool, name, shape, log);
        return false;
      }
      const raced = errno === ER_DUP_KEYNAME || errno === ER_CANT_DROP_FIELD_OR_KEY ||
        errno === ER_DUP_FIELDNAME;
      if (!raced || attempt > 0) throw error;
    }
  }
}

async function shapeOf(pool: MysqlPool, name: string): Promise<TableShape> {
  const [rows] = await pool.query(
    `SELECT
       (SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
          AND TABLE_NAME = ? AND COLUMN_NAME = 'seq') AS seqType,
       (SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
          AND TABLE_NAME = ? AND COLUMN_NAME = 'mentions') AS mentionsColumn,
       (SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
          AND TABLE_NAME = ? AND INDEX_NAME = 'uq_chat_seq') AS uniqueParts,
       (SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
          AND TABLE_NAME = ? AND INDEX_NAME = 'idx_chat_seq') AS plainParts`,
    [name, name, name, name],
  );
  const [columns] = await pool.query(
    `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
    [name],
  );
  const present = new Set((columns as { name: string }[]).map((c) => c.name.toLowerCase()));
  const missing = CONVERSATION_COLUMNS.filter(([column]) => !present.has(column))
    .map(([column, definition]) => `ADD COLUMN ${column} ${definition}`);
  const row = (rows as {
    seqType: string;
    mentionsColumn: number;
    uniqueParts: number;
    plainParts: number;
  }[])[0];
  return {
    mentions: Number(row.mentionsColumn) > 0,
    missing,
    wideSeq: String(row.seqType).toLowerCase() === "bigint",
    uniqueSeq: Number(row.uniqueParts) > 0,
    plainSeqIndex: Number(row.plainParts) > 0,
  };
}

/** Says how many (chatid, seq) pairs are doubled, and still widens `seq` and adds `mentions`. */
async function keepDuplicates(
  pool: MysqlPool,
  name: string,
  shape: TableShape,
  log: Log,
): Promise<void> {
  const [rows] = await pool.query(
    `SELECT COUNT(*) AS pairs FROM (SELECT chatid, seq FROM \`${name}\`
       GROUP BY chatid, seq HAVING COUNT(*) > 1) AS doubled`,
  );
  const pairs = Number((rows as { pairs: number }[])[0]?.pairs ?? 0);
  log(
    `WARNING: archive: ${name} holds ${pairs} (chatid, seq) pairs stored twice with different ` +
      "mids (an earlier version re-used seq numbers after Redis lost its data); they are kept " +
      "as they are and (chatid, seq) is not enforced in this table. List them with: SELECT " +
      `chatid, seq, COUNT(*) FROM ${name} GROUP BY chatid, seq HAVING COUNT(*) > 1`,
  );
  const changes = [];
  if (!shape.wideSeq) changes.push("MODIFY seq BIGINT UNSIGNED NOT NULL");
  if (!shape.mentions) changes.push(ADD_MENTIONS);
  changes.push(...shape.missing);
  if (changes.length > 0) await pool.query(`ALTER TABLE \`${name}\` ${changes.join(", ")}`);
}
