/**
 * What the MySQL and SQLite user stores share about `webchat_user`: the profile columns and
 * their mapping to {@link User}.
 *
 * @module
 */
import type { User } from "./users.ts";

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

/** Adds a user with {@link newUserValues}; each engine appends how it meets a taken account. */
export const INSERT_USER = `INSERT INTO webchat_user (${USER_COLUMNS}, pwd, updateTime)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

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
