/**
 * {@link UserStore} on MySQL's `webchat_user`: the seed's columns, with `pwd` widened for a
 * modern salted hash. The table is created when missing and widened when it comes from the
 * PHP original (`pwd varchar(40)`).
 *
 * @module
 */
import type { MysqlPool } from "./mysql_pool.ts";
import {
  type Account,
  type AccountQuery,
  type DirectoryAccount,
  type DirectorySave,
  type NewAccount,
  type User,
  UserExistsError,
  type UserProfileCache,
  type UserStore,
  type UserWithPassword,
} from "./users.ts";
import {
  ACCOUNT_COLUMNS,
  accountConditions,
  accountFromRow,
  checkAccountQuery,
  departmentConditions,
  directoryAccountFromRow,
  directorySave,
  INSERT_ACCOUNT_COLUMNS,
  INSERT_DIRECTORY_USER,
  INSERT_USER,
  insertDirectoryValues,
  MARK_LEFT,
  newAccountValues,
  newUserValues,
  SELECT_DIRECTORY_ACCOUNTS,
  SELECT_DIRECTORY_STATE,
  UPDATE_DIRECTORY_USER,
  updateDirectoryValues,
  USER_COLUMNS as COLUMNS,
  userFromRow,
} from "./users_table.ts";
import type { RowDataPacket } from "mysql2/promise";

/**
 * Profiles are cached this long: the say path asks whether the other account exists for every
 * one-to-one message. A stale entry is still used when MySQL cannot be reached, so accepted
 * chats keep working through a database outage (accounts are not deleted while chatting).
 */
const FRESH_MS = 60_000;

/** Users in MySQL. Call {@link MysqlUserStore.ensureSchema} once before use. */
export class MysqlUserStore implements UserStore {
  #pool: MysqlPool;
  #cache = new Map<string, { user: User; until: number }>();
  #shared: UserProfileCache | undefined;

  /**
   * `shared` (optional) is a copy of profiles outside this process, consulted only when MySQL
   * cannot be reached and the process's own cache has never seen the account.
   */
  constructor(pool: MysqlPool, shared?: UserProfileCache) {
    this.#pool = pool;
    this.#shared = shared;
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
      disabled tinyint NOT NULL DEFAULT 0 COMMENT '1: by an administrator, 2: left the directory',
      source varchar(16) NOT NULL DEFAULT 'local' COMMENT 'local or directory',
      PRIMARY KEY (uid),
      UNIQUE KEY accoutiduq (accountid)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME AS name, CHARACTER_MAXIMUM_LENGTH AS width FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'webchat_user'`,
    );
    const width = (name: string) => rows.find((row) => row.name === name)?.width;
    const changes: string[] = [];
    if (Number(width("pwd") ?? 255) < 255) {
      changes.push(`MODIFY pwd varchar(255) NOT NULL DEFAULT ''`);
    }
    if (!rows.some((row) => row.name === "disabled")) {
      changes.push(`ADD COLUMN disabled tinyint NOT NULL DEFAULT 0 COMMENT '1: cannot log in'`);
    }
    if (!rows.some((row) => row.name === "source")) {
      changes.push(`ADD COLUMN source varchar(16) NOT NULL DEFAULT 'local'`);
    }
    // Constants of this module, never input.
    if (changes.length > 0) {
      await this.#pool.query(`ALTER TABLE webchat_user ${changes.join(", ")}`);
    }
  }

  async find(accountid: string): Promise<User | null> {
    const cached = this.#cache.get(accountid);
    if (cached && cached.until > Date.now()) return cached.user;
    try {
      const [rows] = await this.#pool.execute<RowDataPacket[]>(
        `SELECT ${COLUMNS} FROM webchat_user WHERE accountid = ?`,
        [accountid],
      );
      const user = rows[0] && rows[0].accountid === accountid ? userFromRow(rows[0]) : null;
      this.#remember(user);
      if (!user) this.#cache.delete(accountid);
      return user;
    } catch (error) {
      if (cached) return cached.user;
      const shared = await this.#fromShared([accountid], error);
      return shared.get(accountid) ?? null;
    }
  }

  async findWithPassword(accountid: string): Promise<UserWithPassword | null> {
    const [rows] = await this.#pool.execute<RowDataPacket[]>(
      `SELECT ${COLUMNS}, pwd, disabled FROM webchat_user WHERE accountid = ?`,
      [accountid],
    );
    const row = rows[0];
    return row
      ? { ...userFromRow(row), passwordHash: String(row.pwd), disabled: Number(row.disabled) !== 0 }
      : null;
  }

  async existing(accountids: string[]): Promise<Set<string>> {
    const now = Date.now();
    const found = new Set<string>();
    const unknown: string[] = [];
    for (const id of new Set(accountids)) {
      if ((this.#cache.get(id)?.until ?? 0) > now) found.add(id);
      else unknown.push(id);
    }
    if (unknown.length === 0) return found;
    try {
      const [rows] = await this.#pool.query<RowDataPacket[]>(
        `SELECT ${COLUMNS} FROM webchat_user WHERE accountid IN (?)`,
        [unknown],
      );
      const read: User[] = [];
      for (const row of rows) {
        // MySQL compares case-insensitively; only the exact spelling is the account.
        if (!unknown.includes(row.accountid)) continue;
        found.add(row.accountid);
        read.push(userFromRow(row));
      }
      this.#remember(...read);
    } catch (error) {
      const missing = unknown.filter((id) => !this.#cache.has(id));
      const shared = missing.length > 0 ? await this.#fromShared(missing, error) : new Map();
      if (!missing.every((id) => shared.has(id))) throw error;
      for (const id of unknown) found.add(id);
    }
    return found;
  }

  /** Profiles from the shared cache while MySQL is away; rethrows `cause` when it has none. */
  async #fromShared(accountids: string[], cause: unknown): Promise<Map<string, User>> {
    if (!this.#shared) throw cause;
    const found = await this.#shared.get(accountids).catch(() => new Map<string, User>());
    if (found.size === 0) throw cause;
    for (const user of found.values()) {
      // Stale at once: the next lookup asks MySQL first again.
      this.#cache.set(user.accountid, { user, until: 0 });
    }
    return found;
  }

  #remember(...users: (User | null)[]): void {
    const fresh = users.filter((user): user is User => user !== null);
    for (const user of fresh) {
      this.#cache.set(user.accountid, { user, until: Date.now() + FRESH_MS });
    }
    this.#shared?.put(fresh);
  }

  async add(user: User, passwordHash: string): Promise<void> {
    try {
      await this.#pool.execute(INSERT_USER, newUserValues(user, passwordHash));
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
       WHERE disabled = 0 AND (? = '' OR accountid LIKE ? OR username LIKE ? OR dept LIKE ?
          OR deptDetail LIKE ?)
       ORDER BY accountid LIMIT ?`,
      [q, like, like, like, like, limit],
    );
    return rows.map(userFromRow);
  }

  async setDisabled(accountid: string, disabled: boolean): Promise<boolean> {
    const [result] = await this.#pool.execute(
      `UPDATE webchat_user SET disabled = ?, updateTime = ? WHERE accountid = ?`,
      [disabled ? 1 : 0, Math.floor(Date.now() / 1000), accountid],
    );
    return (result as { affectedRows: number }).affectedRows > 0;
  }

  async remove(accountid: string): Promise<boolean> {
    const [result] = await this.#pool.execute(`DELETE FROM webchat_user WHERE accountid = ?`, [
      accountid,
    ]);
    this.#cache.delete(accountid);
    return (result as { affectedRows: number }).affectedRows > 0;
  }

  async count(): Promise<number> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM webchat_user`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async accounts(query: AccountQuery): Promise<Account[]> {
    checkAccountQuery(query);
    // Backslash is LIKE's default escape character in MySQL.
    const { where, params } = accountConditions(query, "");
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT ${ACCOUNT_COLUMNS} FROM webchat_user WHERE ${where} ORDER BY accountid LIMIT ?`,
      [...params, query.limit],
    );
    return rows.map(accountFromRow);
  }

  /** Rows per INSERT: well under `max_allowed_packet` with the widest profile columns. */
  static readonly #CHUNK = 1000;

  async addMany(accounts: NewAccount[]): Promise<void> {
    if (accounts.length === 0) return;
    const conn = await this.#pool.getConnection();
    let broken = false;
    try {
      await conn.beginTransaction();
      for (let i = 0; i < accounts.length; i += MysqlUserStore.#CHUNK) {
        const chunk = accounts.slice(i, i + MysqlUserStore.#CHUNK);
        await conn.query(`INSERT INTO webchat_user (${INSERT_ACCOUNT_COLUMNS}) VALUES ?`, [
          chunk.map(newAccountValues),
        ]);
      }
      await conn.commit();
    } catch (error) {
      await conn.rollback().catch(() => broken = true);
      if ((error as { code?: string }).code === "ER_DUP_ENTRY") {
        // "Duplicate entry 'alice' for key 'accoutiduq'": the account that was taken.
        const taken = /Duplicate entry '([^']*)'/.exec((error as Error).message)?.[1] ?? "?";
        throw new UserExistsError(taken);
      }
      throw error;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  async inDepartments(paths: string[], limit: number): Promise<string[]> {
    if (paths.length === 0) return [];
    // Backslash is LIKE's default escape character in MySQL.
    const { where, params } = departmentConditions(
      paths,
      "deptDetail = ?",
      "deptDetail LIKE ?",
    );
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT accountid FROM webchat_user WHERE ${where} ORDER BY accountid LIMIT ?`,
      [...params, limit],
    );
    return rows.map((row) => String(row.accountid));
  }

  async saveDirectoryUser(user: User): Promise<DirectorySave> {
    const connection = await this.#pool.getConnection();
    try {
      await connection.beginTransaction();
      // FOR UPDATE: two logins of one new person at once write one row, the second sees it.
      const [rows] = await connection.execute<RowDataPacket[]>(
        `${SELECT_DIRECTORY_STATE} FOR UPDATE`,
        [user.accountid],
      );
      const { write, ...saved } = directorySave(rows[0], user);
      if (write) {
        if (rows[0]) {
          await connection.execute(
            UPDATE_DIRECTORY_USER,
            updateDirectoryValues(user, saved.accountid),
          );
        } else await connection.execute(INSERT_DIRECTORY_USER, insertDirectoryValues(user));
      }
      await connection.commit();
      this.#cache.delete(saved.accountid);
      return saved;
    } catch (error) {
      await connection.rollback().catch(() => {});
      throw error;
    } finally {
      connection.release();
    }
  }

  async directoryAccounts(): Promise<DirectoryAccount[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(SELECT_DIRECTORY_ACCOUNTS);
    return rows.map(directoryAccountFromRow);
  }

  async markLeft(accountids: string[]): Promise<number> {
    let changed = 0;
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < accountids.length; i += 1000) {
      const [result] = await this.#pool.query(`${MARK_LEFT} (?)`, [
        now,
        accountids.slice(i, i + 1000),
      ]);
      changed += (result as { affectedRows: number }).affectedRows;
    }
    for (const id of accountids) this.#cache.delete(id);
    return changed;
  }
}
