/**
 * The group directory on MySQL/MariaDB (`webchat_group`, `webchat_group_member`,
 * `webchat_group_mute`; see `groups_table.ts`). Uncached: wrap it in `CachedGroups`.
 *
 * @module
 */
import type { PoolConnection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import type { MysqlPool } from "./mysql_pool.ts";
import type { Group, GroupChange, MemberSpan, NewGroup } from "./groups.ts";
import { MAX_SPANS_PER_MEMBER } from "./groups.ts";
import type { GroupSource } from "./groups_cached.ts";
import {
  checkChange,
  checkNewGroup,
  groupFromRows,
  type GroupRow,
  membershipsFromRows,
  spansFromRows,
} from "./groups_table.ts";

// Ids are ASCII and compare exactly (binary collation): "Bob" is not "bob".
const ID = "CHARACTER SET ascii COLLATE ascii_bin NOT NULL";
const TABLES = [
  `CREATE TABLE IF NOT EXISTS webchat_group (
    chatid VARCHAR(100) ${ID},
    owner VARCHAR(40) ${ID},
    title VARCHAR(100) NOT NULL,
    ctime INT NOT NULL COMMENT 'unix seconds',
    mtime INT NOT NULL COMMENT 'unix seconds of the last change',
    version INT UNSIGNED NOT NULL DEFAULT 1 COMMENT 'raised by every change (caches compare it)',
    PRIMARY KEY (chatid)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  `CREATE TABLE IF NOT EXISTS webchat_group_member (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    chatid VARCHAR(100) ${ID},
    accountid VARCHAR(40) ${ID},
    joined_ms BIGINT NOT NULL COMMENT 'ms since the epoch: reads history from here',
    left_ms BIGINT NULL COMMENT 'null while a member; reads history until here',
    PRIMARY KEY (id),
    KEY idx_group_current (chatid, left_ms),
    KEY idx_member_group (accountid, chatid)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  `CREATE TABLE IF NOT EXISTS webchat_group_mute (
    accountid VARCHAR(40) ${ID},
    chatid VARCHAR(100) ${ID},
    time INT NOT NULL,
    PRIMARY KEY (accountid, chatid),
    KEY idx_group (chatid)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
];

const SELECT_GROUP = `SELECT g.chatid, g.owner, g.title, g.ctime, g.mtime, g.version,
    m.accountid, m.joined_ms
  FROM webchat_group g
  LEFT JOIN webchat_group_member m ON m.chatid = g.chatid AND m.left_ms IS NULL
  WHERE g.chatid = ? ORDER BY m.joined_ms, m.id`;

// Keeps each account's newest MAX_SPANS_PER_MEMBER stretches of one group.
const PRUNE_SPANS = `DELETE m FROM webchat_group_member m JOIN (
    SELECT id FROM (SELECT id, ROW_NUMBER() OVER (
        PARTITION BY accountid ORDER BY joined_ms DESC, id DESC) AS n
      FROM webchat_group_member WHERE chatid = ? AND accountid IN (?)) ranked
    WHERE n > ${MAX_SPANS_PER_MEMBER}) old ON old.id = m.id`;

const ER_DUP_ENTRY = 1062;

/** Groups in MySQL. Call {@link MysqlGroupStore.ensureSchema} once before use. */
export class MysqlGroupStore implements GroupSource {
  readonly #pool: MysqlPool;

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  /** Creates the three tables when missing. */
  async ensureSchema(): Promise<void> {
    for (const sql of TABLES) await this.#pool.query(sql);
  }

  /** One statement, so the group and its members are one consistent read. */
  async find(chatid: string): Promise<Group | null> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(SELECT_GROUP, [chatid]);
    return groupFromRows(rows as GroupRow[]);
  }

  async version(chatid: string): Promise<number | null> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      "SELECT version FROM webchat_group WHERE chatid = ?",
      [chatid],
    );
    return rows.length === 0 ? null : Number(rows[0].version);
  }

  async create(group: NewGroup): Promise<Group | null> {
    checkNewGroup(group);
    const seconds = Math.floor(group.atMs / 1000);
    const created = await this.#transaction(async (conn) => {
      try {
        await conn.query(
          `INSERT INTO webchat_group (chatid, owner, title, ctime, mtime, version)
           VALUES (?, ?, ?, ?, ?, 1)`,
          [group.chatid, group.owner, group.title, seconds, seconds],
        );
      } catch (error) {
        if ((error as { errno?: number }).errno === ER_DUP_ENTRY) return false;
        throw error;
      }
      await conn.query(
        "INSERT INTO webchat_group_member (chatid, accountid, joined_ms) VALUES ?",
        [group.members.map((accountid) => [group.chatid, accountid, group.atMs])],
      );
      return true;
    });
    return created ? await this.find(group.chatid) : null;
  }

  async change(chatid: string, version: number, change: GroupChange): Promise<Group | null> {
    checkChange(chatid, change);
    const changed = await this.#transaction(async (conn) => {
      // The row lock taken here holds off every other change until the commit.
      const [result] = await conn.query<ResultSetHeader>(
        `UPDATE webchat_group SET version = version + 1, mtime = ?,
           title = COALESCE(?, title), owner = COALESCE(?, owner)
         WHERE chatid = ? AND version = ?`,
        [
          Math.floor(change.atMs / 1000),
          change.title ?? null,
          change.owner ?? null,
          chatid,
          version,
        ],
      );
      if (result.affectedRows === 0) return false;
      if (change.remove.length > 0) {
        await conn.query(
          `UPDATE webchat_group_member SET left_ms = ?
           WHERE chatid = ? AND accountid IN (?) AND left_ms IS NULL`,
          [change.atMs, chatid, change.remove],
        );
        await conn.query("DELETE FROM webchat_group_mute WHERE chatid = ? AND accountid IN (?)", [
          chatid,
          change.remove,
        ]);
      }
      if (change.add.length > 0) {
        await conn.query(
          "INSERT INTO webchat_group_member (chatid, accountid, joined_ms) VALUES ?",
          [change.add.map((accountid) => [chatid, accountid, change.atMs])],
        );
        await conn.query(PRUNE_SPANS, [chatid, change.add]);
      }
      return true;
    });
    return changed ? await this.find(chatid) : null;
  }

  async spans(chatid: string, accountid: string): Promise<MemberSpan[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT joined_ms, left_ms FROM webchat_group_member
       WHERE accountid = ? AND chatid = ? ORDER BY joined_ms, id`,
      [accountid, chatid],
    );
    return spansFromRows(rows);
  }

  async memberships(accountid: string): Promise<Map<string, MemberSpan[]>> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT chatid, joined_ms, left_ms FROM webchat_group_member
       WHERE accountid = ? ORDER BY chatid, joined_ms, id`,
      [accountid],
    );
    return membershipsFromRows(rows);
  }

  async setMuted(accountid: string, chatid: string, muted: boolean): Promise<void> {
    if (muted) {
      await this.#pool.query(
        `INSERT INTO webchat_group_mute (accountid, chatid, time) VALUES (?, ?, ?)
         ON DUPLICATE KEY UPDATE time = VALUES(time)`,
        [accountid, chatid, Math.floor(Date.now() / 1000)],
      );
    } else {
      await this.#pool.query("DELETE FROM webchat_group_mute WHERE accountid = ? AND chatid = ?", [
        accountid,
        chatid,
      ]);
    }
  }

  async muted(accountid: string): Promise<string[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      "SELECT chatid FROM webchat_group_mute WHERE accountid = ? ORDER BY chatid",
      [accountid],
    );
    return rows.map((row) => String(row.chatid));
  }

  /** Runs `work` in a transaction on one connection; commits unless it throws. */
  async #transaction<T>(work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.#pool.getConnection();
    let broken = false;
    try {
      await conn.beginTransaction();
      const result = await work(conn);
      await conn.commit();
      return result;
    } catch (error) {
      await conn.rollback().catch(() => broken = true);
      throw error;
    } finally {
      // A connection that cannot even roll back is not handed to the next caller.
      if (broken) conn.destroy();
      else conn.release();
    }
  }
}
