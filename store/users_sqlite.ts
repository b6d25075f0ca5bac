/**
 * {@link UserStore} on the embedded database's `webchat_user` (the seed's columns, `pwd` wide
 * enough for a salted scrypt hash). `accountid` is unique case-insensitively, as MySQL's
 * collation makes it in production, so the two backends accept the same accounts.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "./sqlite_db.ts";
import {
  type Account,
  type AccountQuery,
  type DirectoryAccount,
  type DirectorySave,
  type NewAccount,
  type User,
  UserExistsError,
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

/** Users in SQLite (the tables come from `openSqliteDb`). */
export class SqliteUserStore implements UserStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  find(accountid: string): Promise<User | null> {
    return settle(() => {
      const row = this.#db.prepare(`SELECT ${COLUMNS} FROM webchat_user WHERE accountid = ?`)
        .get(accountid);
      return row ? userFromRow(row) : null;
    });
  }

  findWithPassword(accountid: string): Promise<UserWithPassword | null> {
    return settle(() => {
      const row = this.#db.prepare(
        `SELECT ${COLUMNS}, pwd, disabled FROM webchat_user WHERE accountid = ?`,
      ).get(accountid);
      return row
        ? {
          ...userFromRow(row),
          passwordHash: String(row.pwd),
          disabled: Number(row.disabled) !== 0,
        }
        : null;
    });
  }

  /** Exact spellings only: the lookup is case-insensitive, an account id is not. */
  existing(accountids: string[]): Promise<Set<string>> {
    return settle(() => {
      const wanted = [...new Set(accountids)];
      const found = new Set<string>();
      if (wanted.length === 0) return found;
      // json_each takes the whole list as one bound value: no SQL built from the input, and no
      // limit on the number of placeholders.
      const rows = this.#db.prepare(
        `SELECT accountid FROM webchat_user WHERE accountid IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify(wanted));
      for (const row of rows) {
        const id = String(row.accountid);
        if (wanted.includes(id)) found.add(id);
      }
      return found;
    });
  }

  add(user: User, passwordHash: string): Promise<void> {
    return settle(() => {
      const result = this.#db.prepare(`${INSERT_USER} ON CONFLICT (accountid) DO NOTHING`)
        .run(...newUserValues(user, passwordHash));
      if (Number(result.changes) === 0) throw new UserExistsError(user.accountid);
    });
  }

  setPassword(accountid: string, passwordHash: string): Promise<boolean> {
    return settle(() => {
      const result = this.#db.prepare(
        `UPDATE webchat_user SET pwd = ?, updateTime = ? WHERE accountid = ?`,
      ).run(passwordHash, Math.floor(Date.now() / 1000), accountid);
      return Number(result.changes) > 0;
    });
  }

  list(q: string, limit: number): Promise<User[]> {
    return settle(() => {
      const like = `%${q.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
      const rows = this.#db.prepare(
        `SELECT ${COLUMNS} FROM webchat_user
         WHERE disabled = 0 AND (? = '' OR accountid LIKE ? ESCAPE '\\'
            OR username LIKE ? ESCAPE '\\' OR dept LIKE ? ESCAPE '\\'
            OR deptDetail LIKE ? ESCAPE '\\')
         ORDER BY accountid LIMIT ?`,
      ).all(q, like, like, like, like, limit);
      return rows.map(userFromRow);
    });
  }

  setDisabled(accountid: string, disabled: boolean): Promise<boolean> {
    return settle(() => {
      const result = this.#db.prepare(
        `UPDATE webchat_user SET disabled = ?, updateTime = ? WHERE accountid = ?`,
      ).run(disabled ? 1 : 0, Math.floor(Date.now() / 1000), accountid);
      return Number(result.changes) > 0;
    });
  }

  remove(accountid: string): Promise<boolean> {
    return settle(() => {
      const result = this.#db.prepare(`DELETE FROM webchat_user WHERE accountid = ?`).run(
        accountid,
      );
      return Number(result.changes) > 0;
    });
  }

  count(): Promise<number> {
    return settle(() =>
      Number(this.#db.prepare(`SELECT COUNT(*) AS n FROM webchat_user`).get()?.n ?? 0)
    );
  }

  accounts(query: AccountQuery): Promise<Account[]> {
    return settle(() => {
      checkAccountQuery(query);
      const { where, params } = accountConditions(query, "ESCAPE '\\'");
      // accountid is NOCASE: the page order is the order "after" compares in.
      const rows = this.#db.prepare(
        `SELECT ${ACCOUNT_COLUMNS} FROM webchat_user WHERE ${where} ORDER BY accountid LIMIT ?`,
      ).all(...params, query.limit);
      return rows.map(accountFromRow);
    });
  }

  addMany(accounts: NewAccount[]): Promise<void> {
    return settle(() => {
      if (accounts.length === 0) return;
      immediate(this.#db, () => {
        const insert = this.#db.prepare(
          `INSERT INTO webchat_user (${INSERT_ACCOUNT_COLUMNS})
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (accountid) DO NOTHING`,
        );
        for (const account of accounts) {
          const result = insert.run(...newAccountValues(account));
          if (Number(result.changes) === 0) throw new UserExistsError(account.user.accountid);
        }
      });
    });
  }

  inDepartments(paths: string[], limit: number): Promise<string[]> {
    if (paths.length === 0) return Promise.resolve([]);
    return settle(() => {
      // NOCASE (and LIKE, which ignores ASCII case), as MySQL's collation compares them.
      const { where, params } = departmentConditions(
        paths,
        "deptDetail = ? COLLATE NOCASE",
        "deptDetail LIKE ? ESCAPE '\\'",
      );
      return this.#db.prepare(
        `SELECT accountid FROM webchat_user WHERE ${where} ORDER BY accountid LIMIT ?`,
      ).all(...params, limit).map((row) => String(row.accountid));
    });
  }

  saveDirectoryUser(user: User): Promise<DirectorySave> {
    return settle(() =>
      immediate(this.#db, () => {
        const row = this.#db.prepare(SELECT_DIRECTORY_STATE).get(user.accountid);
        const { write, ...saved } = directorySave(row, user);
        if (!write) return saved;
        if (row) {
          this.#db.prepare(UPDATE_DIRECTORY_USER).run(
            ...updateDirectoryValues(user, saved.accountid),
          );
        } else this.#db.prepare(INSERT_DIRECTORY_USER).run(...insertDirectoryValues(user));
        return saved;
      })
    );
  }

  directoryAccounts(): Promise<DirectoryAccount[]> {
    return settle(() =>
      this.#db.prepare(SELECT_DIRECTORY_ACCOUNTS).all().map(directoryAccountFromRow)
    );
  }

  markLeft(accountids: string[]): Promise<number> {
    if (accountids.length === 0) return Promise.resolve(0);
    return settle(() =>
      Number(
        this.#db.prepare(`${MARK_LEFT} (SELECT value FROM json_each(?))`)
          .run(Math.floor(Date.now() / 1000), JSON.stringify(accountids)).changes,
      )
    );
  }
}
