/**
 * The embedded backend's database: `<dataDir>/webchat.db`, opened through the built-in
 * `node:sqlite` with every table the SQLite adapters use. Several connections (the server's and
 * the archive worker's, which lives in a Web Worker) share the file safely: WAL lets readers run
 * beside the one writer, and `busy_timeout` makes a writer wait for the lock instead of failing.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** File name of the database inside the data folder. */
export const SQLITE_FILE = "webchat.db";

/** How long a connection waits for another one's write lock before failing (milliseconds). */
const BUSY_TIMEOUT_MS = 10_000;

// STRICT tables: SQLite would otherwise store a wrong-typed value as it comes, and a bug would
// surface later as a malformed message instead of as an error at the write.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS webchat_user (
  uid INTEGER PRIMARY KEY AUTOINCREMENT,
  accountid TEXT NOT NULL COLLATE NOCASE UNIQUE,
  pwd TEXT NOT NULL DEFAULT '',
  username TEXT NOT NULL DEFAULT '',
  dept TEXT NOT NULL DEFAULT '',
  tel TEXT NOT NULL DEFAULT '',
  mobile TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  deptDetail TEXT NOT NULL DEFAULT '',
  updateTime INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS webchat_message (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  mid TEXT NOT NULL UNIQUE,
  chatid TEXT NOT NULL,
  seq INTEGER NOT NULL,
  fromuser TEXT NOT NULL,
  message TEXT NOT NULL,
  type INTEGER NOT NULL CHECK (type IN (0, 1, 2, 3)),
  fileid TEXT NOT NULL DEFAULT '',
  time INTEGER NOT NULL,
  cid TEXT NOT NULL DEFAULT '',
  mentions TEXT NOT NULL DEFAULT '',
  reply TEXT NOT NULL DEFAULT '',
  edited INTEGER NOT NULL DEFAULT 0,
  recalledby TEXT NOT NULL DEFAULT '',
  recalledat INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS webchat_message_chat_time ON webchat_message (chatid, time);
CREATE TABLE IF NOT EXISTS webchat_search (
  chatid TEXT NOT NULL,
  token TEXT NOT NULL,
  mid TEXT NOT NULL,
  fromuser TEXT NOT NULL,
  PRIMARY KEY (chatid, token, mid)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS webchat_search_chat (
  accountid TEXT NOT NULL,
  chatid TEXT NOT NULL,
  PRIMARY KEY (accountid, chatid)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS webchat_broadcast (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bid TEXT NOT NULL UNIQUE,
  fromuser TEXT NOT NULL,
  touserTitle TEXT NOT NULL,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  time INTEGER NOT NULL,
  recipients INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS webchat_broadcast_recipient (
  accountid TEXT NOT NULL,
  bid TEXT NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (accountid, bid)
) STRICT;
CREATE TABLE IF NOT EXISTS queue_item (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  payload TEXT NOT NULL,
  owner TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS queue_item_owner ON queue_item (owner, id);
CREATE TABLE IF NOT EXISTS queue_lease (
  worker TEXT PRIMARY KEY,
  expires INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS queue_parked (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  payload TEXT NOT NULL,
  reason TEXT NOT NULL,
  parked_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS queue_cid (
  fromuser TEXT NOT NULL,
  cid TEXT NOT NULL,
  payload TEXT NOT NULL,
  expires INTEGER NOT NULL,
  PRIMARY KEY (fromuser, cid)
) STRICT;
CREATE INDEX IF NOT EXISTS queue_cid_expires ON queue_cid (expires);
CREATE TABLE IF NOT EXISTS chat_seq (
  chatid TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS recent_message (
  chatid TEXT NOT NULL,
  seq INTEGER NOT NULL,
  mid TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (chatid, mid)
) STRICT;
CREATE INDEX IF NOT EXISTS recent_message_chat_seq ON recent_message (chatid, seq);
CREATE TABLE IF NOT EXISTS recent_contact (
  accountid TEXT NOT NULL,
  chatid TEXT NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (accountid, chatid)
) STRICT;
CREATE INDEX IF NOT EXISTS recent_contact_time ON recent_contact (accountid, time);
CREATE TABLE IF NOT EXISTS unread (
  accountid TEXT NOT NULL,
  chatid TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (accountid, chatid)
) STRICT;
CREATE TABLE IF NOT EXISTS mention_unread (
  accountid TEXT NOT NULL,
  chatid TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (accountid, chatid)
) STRICT;
CREATE TABLE IF NOT EXISTS broadcast_unread (
  accountid TEXT PRIMARY KEY,
  count INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS offline_message (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  accountid TEXT NOT NULL,
  frame TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS offline_message_account ON offline_message (accountid, id);
CREATE TABLE IF NOT EXISTS session (
  key TEXT PRIMARY KEY,
  accountid TEXT NOT NULL,
  expires INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS session_expires ON session (expires);
CREATE INDEX IF NOT EXISTS session_account ON session (accountid);
CREATE TABLE IF NOT EXISTS login_failure (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  expires INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS webchat_group (
  chatid TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  title TEXT NOT NULL,
  ctime INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE TABLE IF NOT EXISTS webchat_group_member (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  chatid TEXT NOT NULL,
  accountid TEXT NOT NULL,
  joined_ms INTEGER NOT NULL,
  left_ms INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS webchat_group_member_current ON webchat_group_member (chatid, left_ms);
CREATE INDEX IF NOT EXISTS webchat_group_member_account ON webchat_group_member (accountid, chatid);
CREATE TABLE IF NOT EXISTS webchat_group_mute (
  accountid TEXT NOT NULL,
  chatid TEXT NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (accountid, chatid)
) STRICT;
CREATE TABLE IF NOT EXISTS queue_deamon_status (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_name TEXT NOT NULL,
  queue_name TEXT NOT NULL,
  tm INTEGER NOT NULL DEFAULT 0,
  server TEXT NOT NULL,
  func TEXT NOT NULL DEFAULT '',
  filepath TEXT NOT NULL DEFAULT '',
  msgcnt_date INTEGER NOT NULL DEFAULT 0,
  admin TEXT NOT NULL DEFAULT '',
  cnname TEXT NOT NULL DEFAULT '',
  dostop INTEGER NOT NULL DEFAULT 0,
  msgcnt_all INTEGER NOT NULL DEFAULT 0,
  msgcnt_day INTEGER NOT NULL DEFAULT 0,
  progress_tm INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'running',
  UNIQUE (job_name, queue_name, server)
) STRICT;
`;

/** Columns added after a table's first release: added to an older file when it is opened. */
const ADDED_COLUMNS: [table: string, column: string, definition: string][] = [
  ["queue_deamon_status", "progress_tm", "INTEGER NOT NULL DEFAULT 0"],
  ["queue_deamon_status", "state", "TEXT NOT NULL DEFAULT 'running'"],
  ["webchat_user", "disabled", "INTEGER NOT NULL DEFAULT 0"],
  // 'local' or 'directory' (a row the company directory wrote; see store/directory_sync.ts).
  ["webchat_user", "source", "TEXT NOT NULL DEFAULT 'local'"],
  ["webchat_message", "mentions", "TEXT NOT NULL DEFAULT ''"],
  ["webchat_message", "reply", "TEXT NOT NULL DEFAULT ''"],
  ["webchat_message", "edited", "INTEGER NOT NULL DEFAULT 0"],
  ["webchat_message", "recalledby", "TEXT NOT NULL DEFAULT ''"],
  ["webchat_message", "recalledat", "INTEGER NOT NULL DEFAULT 0"],
];

// The archive of an earlier version allows types 0..2 only; system lines (3) need the check
// widened, and SQLite cannot alter a CHECK: the table is rebuilt once, in one transaction
// (renamed aside, created anew, copied, the old one dropped with its indexes).
const OLD_TYPE_CHECK = "CHECK (type IN (0, 1, 2))";
const REBUILD_MESSAGES = `
ALTER TABLE webchat_message RENAME TO webchat_message_before_system_lines;
${/CREATE TABLE IF NOT EXISTS webchat_message \([^;]*;/.exec(SCHEMA)![0]}
INSERT INTO webchat_message (id, mid, chatid, seq, fromuser, message, type, fileid, time, cid,
    mentions)
  SELECT id, mid, chatid, seq, fromuser, message, type, fileid, time, cid, mentions
  FROM webchat_message_before_system_lines;
DROP TABLE webchat_message_before_system_lines;
CREATE INDEX IF NOT EXISTS webchat_message_chat_time ON webchat_message (chatid, time);
CREATE INDEX IF NOT EXISTS webchat_message_chat_seq ON webchat_message (chatid, seq);
`;

function widenTypeCheck(db: DatabaseSync, log?: (line: string) => void): void {
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get("webchat_message");
  if (!String(row?.sql ?? "").includes(OLD_TYPE_CHECK)) return;
  log?.("embedded archive: widening webchat_message's type check for system lines (one copy)");
  db.exec(REBUILD_MESSAGES);
}

function addMissingColumns(db: DatabaseSync): void {
  for (const [table, column, definition] of ADDED_COLUMNS) {
    const present = db.prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = ?").get(
      table,
      column,
    );
    // Names and definitions are constants of this module, never input.
    if (!present) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}

// (chatid, seq) is unique so that the archive refuses a message that would repeat a seq. A file
// from an earlier version had a plain index there; it is replaced when the unique one can be
// built, which fails only if duplicates are stored already (they are then kept, and reported).
const UNIQUE_CHAT_SEQ = `
CREATE UNIQUE INDEX IF NOT EXISTS webchat_message_chat_seq_unique ON webchat_message (chatid, seq);
DROP INDEX IF EXISTS webchat_message_chat_seq;
`;

/** An open embedded database. */
export interface SqliteDb {
  db: DatabaseSync;
  /** Absolute path of the database file: also names the queue's wake-up channel. */
  path: string;
  /** Closes the connection; idempotent. */
  close(): void;
}

/** Options for {@link openSqliteDb}. */
export interface OpenSqliteOptions {
  /** Hears about problems found in a file from an earlier version (default: silence). */
  log?: Log;
}

/**
 * Opens (creating the folder, the file and every missing table) `<dataDir>/webchat.db`.
 * Each caller gets its own connection; close it when done.
 */
export function openSqliteDb(dataDir: string, options: OpenSqliteOptions = {}): SqliteDb {
  if (typeof dataDir !== "string" || dataDir === "") {
    throw new TypeError("Cannot open the embedded database: dataDir is empty");
  }
  mkdirSync(dataDir, { recursive: true });
  const path = resolve(join(dataDir, SQLITE_FILE));
  const db = new DatabaseSync(path);
  try {
    // busy_timeout first: switching to WAL and creating tables take locks another connection
    // (the worker starting at the same moment) may hold.
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec("PRAGMA journal_mode = WAL");
    // NORMAL is durable in WAL mode against a process crash (what the queue promises); only a
    // power loss may drop the last commits.
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    // 32 MiB of page cache (the default is 2 MiB): the search index's inserts land on pages all
    // over its B-tree: with the default the index filled at half the speed (100,000 messages:
    // 2,600 against 4,700 a second) and lagged four times longer at 2,000 messages a second.
    db.exec("PRAGMA cache_size = -32768");
    immediate(db, () => {
      db.exec(SCHEMA);
      addMissingColumns(db);
      widenTypeCheck(db, options.log);
    });

    immediate(db, () => db.exec(SCHEMA));
    upgradeChatSeqIndex(db, options.log);
  } catch (error) {
    db.close();
    throw error;
  }
  let closed = false;
  return {
    db,
    path,
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function upgradeChatSeqIndex(db: DatabaseSync, log?: Log): void {
  try {
    immediate(db, () => db.exec(UNIQUE_CHAT_SEQ));
  } catch (error) {
    if (!/UNIQUE constraint failed/.test(String((error as Error)?.message))) throw error;
    const row = db.prepare(
      `SELECT COUNT(*) AS pairs FROM (SELECT 1 FROM webchat_message
         GROUP BY chatid, seq HAVING COUNT(*) > 1)`,
    ).get();
    // Reads stay fast on the plain index of the earlier version, which is still there.
    log?.(
      `WARNING: embedded archive: ${Number(row?.pairs)} (chatid, seq) pairs are stored twice ` +
        "with different mids; they are kept as they are and (chatid, seq) is not enforced",
    );
  }
}

/**
 * Runs `work` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so two
 * connections never both read and then deadlock on upgrading to write (which `busy_timeout`
 * cannot resolve). `work` must be synchronous: an `await` inside would let other callers' SQL
 * on the same connection join this transaction.
 */
export function immediate<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Runs synchronous SQLite work for an async port method: a thrown error becomes a rejection,
 * as callers of a Promise-returning method expect, rather than a synchronous throw.
 */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}
