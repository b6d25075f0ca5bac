/**
 * What the MySQL and SQLite user stores share about `webchat_user`: the profile columns and
 * their mapping to {@link User}.
 *
 * @module
 */
import type {
  Account,
  AccountQuery,
  DirectoryAccount,
  DirectorySave,
  NewAccount,
  User,
} from "./users.ts";

/** The profile columns, without the password. */
export const USER_COLUMNS = "accountid, username, dept, deptDetail, email, tel, mobile";

/** A row read with {@link USER_COLUMNS}. */
export function userFromRow(row: Record<string, unknown>): User {
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

/** The columns of an {@link Account}: the profile, the disabled flag, whether a password is set. */
export const ACCOUNT_COLUMNS = `${USER_COLUMNS}, disabled, pwd <> '' AS hasPassword`;

/** A row read with {@link ACCOUNT_COLUMNS}. */
export function accountFromRow(row: Record<string, unknown>): Account {
  return {
    ...userFromRow(row),
    disabled: Number(row.disabled) !== 0,
    hasPassword: Number(row.hasPassword) !== 0,
  };
}

/** Throws `RangeError` for a page size outside 1..10000. */
export function checkAccountQuery(query: AccountQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 10_000) {
    throw new RangeError(`Cannot list accounts: limit must be 1..10000, got ${query.limit}`);
  }
}

/**
 * The `WHERE` of {@link AccountQuery} and its values. Every comparison is a `LIKE` (`escape`
 * is the engine's clause for `\`): it ignores case in both engines, as MySQL's collation does.
 */
export function accountConditions(
  query: AccountQuery,
  escape: string,
): { where: string; params: string[] } {
  const like = (value: string) => value.replace(/[\\%_]/g, "\\$&");
  const where: string[] = [];
  const params: string[] = [];
  if (query.after !== undefined) {
    where.push("accountid > ?");
    params.push(query.after);
  }
  const dept = query.dept?.trim();
  if (dept) {
    const path = dept.split(",").map((s) => s.trim()).filter(Boolean).join(",");
    if (dept.includes(",")) {
      where.push(`(deptDetail LIKE ? ${escape} OR deptDetail LIKE ? ${escape})`);
      params.push(like(path), `${like(path)},%`);
    } else {
      where.push(
        `(dept LIKE ? ${escape} OR deptDetail LIKE ? ${escape} OR deptDetail LIKE ? ${escape}` +
          ` OR deptDetail LIKE ? ${escape} OR deptDetail LIKE ? ${escape})`,
      );
      const d = like(dept);
      params.push(d, d, `${d},%`, `%,${d}`, `%,${d},%`);
    }
  }
  return { where: where.length ? where.join(" AND ") : "1 = 1", params };
}

/** Adds a user with {@link newUserValues}; each engine appends how it meets a taken account. */
export const INSERT_USER = `INSERT INTO webchat_user (${USER_COLUMNS}, pwd, updateTime)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Adds users with the disabled flag: `VALUES ?` takes rows of {@link newAccountValues}. */
export const INSERT_ACCOUNT_COLUMNS = `${USER_COLUMNS}, pwd, updateTime, disabled`;

/** A row of {@link INSERT_ACCOUNT_COLUMNS}. */
export function newAccountValues(account: NewAccount): (string | number)[] {
  return [...newUserValues(account.user, account.passwordHash), account.disabled ? 1 : 0];
}

/** The values of {@link INSERT_USER}: the profile, the password hash and the time now. */
export function newUserValues(user: User, passwordHash: string): (string | number)[] {
  return [
    user.accountid,
    user.username,
    user.dept,
    user.deptDetail,
    user.email,
    user.tel,
    user.mobile,
    passwordHash,
    Math.floor(Date.now() / 1000),
  ];
}

/**
 * The `WHERE` of a department query over `paths` (without the keyword) and its values: the path
 * itself, or anything below it. `equal` and `like` are the engine's case-insensitive
 * `deptDetail = ?` and escaped `deptDetail LIKE ?` (see `list`).
 */
export function departmentConditions(
  paths: string[],
  equal: string,
  like: string,
): { where: string; params: string[] } {
  const where: string[] = [];
  const params: string[] = [];
  for (const path of paths) {
    where.push(`${equal} OR ${like}`);
    params.push(path, `${path.replace(/[\\%_]/g, (c) => "\\" + c)},%`);
  }
  return { where: where.length ? where.map((w) => `(${w})`).join(" OR ") : "0 = 1", params };
}

/**
 * `disabled` values: 0 enabled, 1 disabled by an administrator, 2 disabled because the person
 * left the company directory (a sync enables only those again when they come back).
 */
export const DISABLED_LEFT = 2;

/** `source` of a row the company directory wrote. */
export const DIRECTORY_SOURCE = "directory";

/** The row {@link directorySave} compares with. */
export const SELECT_DIRECTORY_STATE =
  `SELECT ${USER_COLUMNS}, disabled, source FROM webchat_user WHERE accountid = ?`;

/** Adds a directory person: no password, enabled, `source` directory. */
export const INSERT_DIRECTORY_USER = `INSERT INTO webchat_user
  (${USER_COLUMNS}, pwd, updateTime, disabled, source) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, 0, ?)`;

/** The values of {@link INSERT_DIRECTORY_USER}. */
export function insertDirectoryValues(user: User): (string | number)[] {
  return [...newUserValues(user, "").filter((_, i) => i !== 7), DIRECTORY_SOURCE];
}

/** Updates a directory person's profile by account; one that had left is enabled again. */
export const UPDATE_DIRECTORY_USER = `UPDATE webchat_user SET username = ?, dept = ?,
  deptDetail = ?, email = ?, tel = ?, mobile = ?, source = ?, updateTime = ?,
  disabled = CASE WHEN disabled = ${DISABLED_LEFT} THEN 0 ELSE disabled END WHERE accountid = ?`;

/** The values of {@link UPDATE_DIRECTORY_USER}. */
export function updateDirectoryValues(user: User, accountid: string): (string | number)[] {
  return [
    user.username,
    user.dept,
    user.deptDetail,
    user.email,
    user.tel,
    user.mobile,
    DIRECTORY_SOURCE,
    Math.floor(Date.now() / 1000),
    accountid,
  ];
}

/** What saving `user` over `row` (read with {@link SELECT_DIRECTORY_STATE}) does. */
export function directorySave(
  row: Record<string, unknown> | undefined,
  user: User,
): DirectorySave & { write: boolean } {
  if (!row) {
    return {
      outcome: "created",
      accountid: user.accountid,
      disabled: false,
      returned: false,
      write: true,
    };
  }
  const stored = userFromRow(row);
  const disabled = Number(row.disabled);
  const same = (Object.keys(stored) as (keyof User)[])
    .every((key) => key === "accountid" || stored[key] === user[key]);
  const unchanged = same && row.source === DIRECTORY_SOURCE && disabled !== DISABLED_LEFT;
  return {
    outcome: unchanged ? "unchanged" : "updated",
    accountid: stored.accountid,
    disabled: disabled === 1,
    returned: disabled === DISABLED_LEFT,
    write: !unchanged,
  };
}

/** Every directory row. */
export const SELECT_DIRECTORY_ACCOUNTS =
  `SELECT accountid, disabled FROM webchat_user WHERE source = '${DIRECTORY_SOURCE}'
   ORDER BY accountid`;

/** A row of {@link SELECT_DIRECTORY_ACCOUNTS}. */
export function directoryAccountFromRow(row: Record<string, unknown>): DirectoryAccount {
  const disabled = Number(row.disabled);
  return { accountid: String(row.accountid), disabled: disabled === 1, left: disabled === 2 };
}

/** Marks the accounts of the `IN` list as left (directory rows still enabled only). */
export const MARK_LEFT = `UPDATE webchat_user SET disabled = ${DISABLED_LEFT}, updateTime = ?
  WHERE source = '${DIRECTORY_SOURCE}' AND disabled = 0 AND accountid IN`;
