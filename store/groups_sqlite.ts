/**
 * The group directory on the embedded database (the tables of `groups_table.ts`, created by
 * `openSqliteDb`). Uncached: wrap it in `CachedGroups`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
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
import { immediate, settle } from "./sqlite_db.ts";

const SELECT_GROUP = `SELECT g.chatid, g.owner, g.title, g.ctime, g.mtime, g.version,
    m.accountid, m.joined_ms
  FROM webchat_group g
  LEFT JOIN webchat_group_member m ON m.chatid = g.chatid AND m.left_ms IS NULL
  WHERE g.chatid = ? ORDER BY m.joined_ms, m.id`;

// Keeps each account's newest MAX_SPANS_PER_MEMBER stretches of one group.
const PRUNE_SPANS = `DELETE FROM webchat_group_member WHERE id IN (
    SELECT id FROM (SELECT id, ROW_NUMBER() OVER (
        PARTITION BY accountid ORDER BY joined_ms DESC, id DESC) AS n
      FROM webchat_group_member
      WHERE chatid = ? AND accountid IN (SELECT value FROM json_each(?)))
    WHERE n > ${MAX_SPANS_PER_MEMBER})`;

/** Groups in SQLite. */
export class SqliteGroupStore implements GroupSource {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  find(chatid: string): Promise<Group | null> {
    return settle(() => this.#find(chatid));
  }

  version(chatid: string): Promise<number | null> {
    return settle(() => {
      const row = this.#db.prepare("SELECT version FROM webchat_group WHERE chatid = ?")
        .get(chatid);
      return row ? Number(row.version) : null;
    });
  }

  create(group: NewGroup): Promise<Group | null> {
    return settle(() => {
      checkNewGroup(group);
      const seconds = Math.floor(group.atMs / 1000);
      return immediate(this.#db, () => {
        const inserted = this.#db.prepare(
          `INSERT INTO webchat_group (chatid, owner, title, ctime, mtime, version)
           VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (chatid) DO NOTHING`,
        ).run(group.chatid, group.owner, group.title, seconds, seconds);
        if (Number(inserted.changes) === 0) return null;
        const add = this.#db.prepare(
          "INSERT INTO webchat_group_member (chatid, accountid, joined_ms) VALUES (?, ?, ?)",
        );
        for (const accountid of group.members) add.run(group.chatid, accountid, group.atMs);
        return this.#find(group.chatid);
      });
    });
  }

  change(chatid: string, version: number, change: GroupChange): Promise<Group | null> {
    return settle(() => {
      checkChange(chatid, change);
      return immediate(this.#db, () => {
        const updated = this.#db.prepare(
          `UPDATE webchat_group SET version = version + 1, mtime = ?,
             title = COALESCE(?, title), owner = COALESCE(?, owner)
           WHERE chatid = ? AND version = ?`,
        ).run(
          Math.floor(change.atMs / 1000),
          change.title ?? null,
          change.owner ?? null,
          chatid,
          version,
        );
        if (Number(updated.changes) === 0) return null;
        if (change.remove.length > 0) {
          const removed = JSON.stringify(change.remove);
          this.#db.prepare(
            `UPDATE webchat_group_member SET left_ms = ? WHERE chatid = ? AND left_ms IS NULL
               AND accountid IN (SELECT value FROM json_each(?))`,
          ).run(change.atMs, chatid, removed);
          this.#db.prepare(
            `DELETE FROM webchat_group_mute WHERE chatid = ?
               AND accountid IN (SELECT value FROM json_each(?))`,
          ).run(chatid, removed);
        }
        if (change.add.length > 0) {
          const add = this.#db.prepare(
            "INSERT INTO webchat_group_member (chatid, accountid, joined_ms) VALUES (?, ?, ?)",
          );
          for (const accountid of change.add) add.run(chatid, accountid, change.atMs);
          this.#db.prepare(PRUNE_SPANS).run(chatid, JSON.stringify(change.add));
        }
        return this.#find(chatid);
      });
    });
  }

  memberships(accountid: string): Promise<Map<string, MemberSpan[]>> {
    return settle(() =>
      membershipsFromRows(
        this.#db.prepare(
          `SELECT chatid, joined_ms, left_ms FROM webchat_group_member
           WHERE accountid = ? ORDER BY chatid, joined_ms, id`,
        ).all(accountid),
      )
    );
  }

  spans(chatid: string, accountid: string): Promise<MemberSpan[]> {
    return settle(() =>
      spansFromRows(
        this.#db.prepare(
          `SELECT joined_ms, left_ms FROM webchat_group_member
           WHERE accountid = ? AND chatid = ? ORDER BY joined_ms, id`,
        ).all(accountid, chatid),
      )
    );
  }

  setMuted(accountid: string, chatid: string, muted: boolean): Promise<void> {
    return settle(() => {
      if (muted) {
        this.#db.prepare(
          `INSERT INTO webchat_group_mute (accountid, chatid, time) VALUES (?, ?, ?)
           ON CONFLICT (accountid, chatid) DO UPDATE SET time = excluded.time`,
        ).run(accountid, chatid, Math.floor(Date.now() / 1000));
      } else {
        this.#db.prepare("DELETE FROM webchat_group_mute WHERE accountid = ? AND chatid = ?")
          .run(accountid, chatid);
      }
    });
  }

  muted(accountid: string): Promise<string[]> {
    return settle(() =>
      this.#db.prepare("SELECT chatid FROM webchat_group_mute WHERE accountid = ? ORDER BY chatid")
        .all(accountid).map((row) => String(row.chatid))
    );
  }

  #find(chatid: string): Group | null {
    return groupFromRows(this.#db.prepare(SELECT_GROUP).all(chatid) as unknown as GroupRow[]);
  }
}
