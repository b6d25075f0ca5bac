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
