/**
 * What the MySQL and SQLite group stores share: rows to {@link Group} and the checks every
 * write makes before it touches a table.
 *
 * Tables (the same columns in both engines):
 * - `webchat_group`: chatid (primary key), owner, title, ctime, mtime (unix seconds), version;
 * - `webchat_group_member`: one row per stretch of membership: chatid, accountid, joined_ms,
 *   left_ms (null while a member); current members are the rows without `left_ms`;
 * - `webchat_group_mute`: accountid, chatid (primary key together), time: who muted which group.
 *
 * @module
 */
import { ACCOUNT_ID } from "./users.ts";
import type { Group, GroupChange, MemberSpan, NewGroup } from "./groups.ts";
import { MAX_GROUP_TITLE } from "./groups.ts";

/** One row of the joined group + current member query. */
export interface GroupRow {
  chatid: unknown;
  owner: unknown;
  title: unknown;
  ctime: unknown;
  mtime: unknown;
  version: unknown;
  accountid: unknown;
  joined_ms: unknown;
}

/** The group of the rows of one group (the members' columns null when it has none). */
export function groupFromRows(rows: GroupRow[]): Group | null {
  if (rows.length === 0) return null;
  const first = rows[0];
  return {
    chatid: String(first.chatid),
    title: String(first.title),
    owner: String(first.owner),
    ctime: Number(first.ctime),
    mtime: Number(first.mtime),
    version: Number(first.version),
    members: rows.filter((row) => row.accountid !== null && row.accountid !== undefined)
      .map((row) => ({ accountid: String(row.accountid), joinedMs: Number(row.joined_ms) })),
  };
}

/** Spans from `joined_ms`, `left_ms` rows. */
export function spansFromRows(rows: Record<string, unknown>[]): MemberSpan[] {
  return rows.map((row) => ({
    fromMs: Number(row.joined_ms),
    toMs: row.left_ms === null || row.left_ms === undefined ? null : Number(row.left_ms),
  }));
}

/** Spans by group from `chatid`, `joined_ms`, `left_ms` rows (each group's oldest first). */
export function membershipsFromRows(rows: Record<string, unknown>[]): Map<string, MemberSpan[]> {
  const byGroup = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const chatid = String(row.chatid);
    byGroup.set(chatid, [...byGroup.get(chatid) ?? [], row]);
  }
  return new Map([...byGroup].map(([chatid, list]) => [chatid, spansFromRows(list)]));
}

/** Throws `TypeError` unless `group` can be stored as it is. */
export function checkNewGroup(group: NewGroup): void {
  checkChatid(group.chatid, "create");
  checkTitle(group.title, "create");
  checkAccounts([group.owner, ...group.members], "create");
  if (!group.members.includes(group.owner)) {
    throw new TypeError("Cannot create group: the owner must be a member");
  }
  if (new Set(group.members).size !== group.members.length) {
    throw new TypeError("Cannot create group: members are listed twice");
  }
  checkTime(group.atMs, "create");
}

/** Throws `TypeError` unless `change` can be applied as it is. */
export function checkChange(chatid: string, change: GroupChange): void {
  checkChatid(chatid, "change");
  if (change.title !== undefined) checkTitle(change.title, "change");
  checkAccounts([...change.add, ...change.remove], "change");
  if (change.owner !== undefined) checkAccounts([change.owner], "change");
  const all = [...change.add, ...change.remove];
  if (new Set(all).size !== all.length) {
    throw new TypeError("Cannot change group: an account is listed twice");
  }
  checkTime(change.atMs, "change");
}

function checkChatid(chatid: string, what: string): void {
  if (typeof chatid !== "string" || !/^[A-Za-z0-9_.]{1,40}-\d{1,20}$/.test(chatid)) {
    throw new TypeError(`Cannot ${what} group: "${chatid}" is not a group chat id`);
  }
}

function checkTitle(title: string, what: string): void {
  if (typeof title !== "string" || [...title].length > MAX_GROUP_TITLE) {
    throw new TypeError(`Cannot ${what} group: the title must be at most ${MAX_GROUP_TITLE} chars`);
  }
}

function checkAccounts(accountids: string[], what: string): void {
  const bad = accountids.find((id) => typeof id !== "string" || !ACCOUNT_ID.test(id));
  if (bad !== undefined) throw new TypeError(`Cannot ${what} group: "${bad}" is not an accountid`);
}

function checkTime(atMs: number, what: string): void {
  if (!Number.isSafeInteger(atMs) || atMs < 0) {
    throw new TypeError(`Cannot ${what} group: invalid time ${atMs}`);
  }
}
