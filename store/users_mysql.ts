/**
 * {@link UserStore} on MySQL's `webchat_user`: the seed's columns, with `pwd` widened for a
 * modern salted hash. The table is created when missing and widened when it comes from the
 * PHP original (`pwd varchar(40)`).
 *
 * @module
 */
import type { MysqlPool } from "./mysql_pool.ts";
import { type User, UserExistsError, type UserStore, type UserWithPassword } from "./users.ts";
import type { RowDataPacket } from "mysql2/promise";

const COLUMNS = "accountid, username, dept, deptDetail, email, tel, mobile";
/** Existence answers are cached this long: the say path asks for every one-to-one message. */
const EXISTS_TTL_MS = 60_000;

/** Users in MySQL. Call {@link MysqlUserStore.ensureSchema} once before use. */
export class MysqlUserStore implements UserStore {
  #pool: MysqlPool;
  #known = new Map<string, number>();

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  /** Creates `webchat_user` when missing; widens `pwd` of a table migrated from the original. */
  async ensureSchema(): Promise<void> {
    await this.#pool.query(`CREATE TABLE IF NOT EXISTS webchat_user (
      uid int unsigned NOT NULL AUTO_INCREMENT,
      accountid varchar(40) NOT NULL,
      pwd varchar(255) NOT NULL DEFAULT '',
      username varchar(40) NOT NULL DEFAULT '',
      dept varchar(40) NOT NULL DEFAULT '',
      tel varchar(40) NOT NULL DEFAULT '',
      mobile varchar(100) NOT NULL DEFAULT '',
      email varchar(255) NOT NULL DEFAULT '',
      deptDetail varchar(128) NOT NULL DEFAULT '',
      updateTime int NOT NULL DEFAULT 0,
      PRIMARY KEY (uid),
      UNIQUE KEY accoutiduq (accountid)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT CHARACTER_MAXIMUM_LENGTH AS width FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'webchat_user' AND COLUMN_NAME = 'pwd'`,
    );
    if (Number(rows[0]?.width ?? 255) < 255) {
      await this.#pool.query(
        `ALTER TABLE webchat_user MODIFY pwd varchar(255) NOT NULL DEFAULT ''`,
      );
    }
  }

  async find(accountid: string): Promise<User | null> {
    const [rows] = await this.#pool.execute<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM webchat_user WHERE accountid = ?`,
      [accountid],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findWithPassword(accountid: string): Promise<UserWithPassword | null> {
    const [rows] = await this.#pool.execute<RowDataPacket[]>(
      `SELECT ${COLUMNS}, pwd FROM webchat_user WHERE accountid = ?`,
      [accountid],
    );
    return rows[0] ? { ...toUser(rows[0]), passwordHash: String(rows[0].pwd) } : null;
  }

  async existing(accountids: string[]): Promise<Set<string>> {
    const now = Date.now();
    const found = new Set<string>();
    const unknown: string[] = [];
    for (const id of new Set(accountids)) {
      if ((this.#known.get(id) ?? 0) > now) found.add(id);
      else unknown.push(id);
    }
    if (unknown.length > 0) {
      const [rows] = await this.#pool.query<RowDataPacket[]>(
        `SELECT accountid FROM webchat_user WHERE accountid IN (?)`,
        [unknown],
      );
      for (const row of rows) {
        // MySQL compares case-insensitively; only the exact spelling is the account.
        if (!unknown.includes(row.accountid)) continue;
        found.add(row.accountid);
        this.#known.set(row.accountid, now + EXISTS_TTL_MS);
      }
    }
    return found;
  }

  async add(user: User, passwordHash: string): Promise<void> {
    try {
      await this.#pool.execute(
        `INSERT INTO webchat_user (${COLUMNS}, pwd, updateTime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          user.accountid,
          user.username,
          user.dept,
          user.deptDetail,
          user.email,
          user.tel,
          user.mobile,
          passwordHash,
          Math.floor(Date.now() / 1000),
        ],
      );
    } catch (error) {
      if ((error as { code?: string }).code === "ER_DUP_ENTRY") {
        throw new UserExistsError(user.accountid);
      }
      throw error;
    }
  }

  async setPassword(accountid: string, passwordHash: string): Promise<boolean> {
    const [result] = await this.#pool.execute(
      `UPDATE webchat_user SET pwd = ?, updateTime = ? WHERE accountid = ?`,
      [passwordHash, Math.floor(Date.now() / 1000), accountid],
    );
    return (result as { affectedRows: number }).affectedRows > 0;
  }

  async list(q: string, limit: number): Promise<User[]> {
    const like = `%${q.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM webchat_user
       WHERE ? = '' OR accountid LIKE ? OR username LIKE ? OR dept LIKE ? OR deptDetail LIKE ?
       ORDER BY accountid LIMIT ?`,
      [q, like, like, like, like, limit],
    );
    return rows.map(toUser);
  }
}

function toUser(row: RowDataPacket): User {
  return {
    accountid: String(row.accountid),
    username: String(row.username),
    dept: String(row.dept),
    deptDetail: String(row.deptDetail),
    email: String(row.email),
    tel: String(row.tel),
    mobile: String(row.mobile),
  };
}
