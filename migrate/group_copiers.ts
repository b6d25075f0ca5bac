/**
 * The copiers of what the groups and broadcasts issue added: groups with every stretch of
 * membership (join and leave times, which decide what history each member reads), their
 * titles, owners and versions; mutes; and archived broadcasts with their recipients. Written
 * row for row (the group store has no way to write a past membership), each group with its
 * members in one transaction, so a copy cut short never leaves a group without its members; a
 * group, mute or broadcast that the target has already is left as it is.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { Broadcast } from "../queue/broadcast.ts";
import { listedFromRow } from "../queue/broadcast_sql.ts";
import {
  type MigrationTarget,
  PAGE,
  plural,
  rowsOf,
  saveEach,
  type TableCopier,
} from "./table_copier.ts";

/** The embedded rows of the groups `chatids`, in the order they were written. */
function memberRows(db: DatabaseSync, chatids: string[]): unknown[][] {
  return db.prepare(
    `SELECT chatid, accountid, joined_ms, left_ms FROM webchat_group_member
      WHERE chatid IN (SELECT value FROM json_each(?)) ORDER BY id`,
  ).all(JSON.stringify(chatids)).map((row) => [
    String(row.chatid),
    String(row.accountid),
    Number(row.joined_ms),
    row.left_ms === null ? null : Number(row.left_ms),
  ]);
}

/** Writes groups the target lacks, with their members, in one transaction. */
async function writeGroups(
  to: MigrationTarget,
  groups: unknown[][],
  members: unknown[][],
): Promise<void> {
  const conn = await to.pool.getConnection();
  let broken = false;
  try {
    await conn.beginTransaction();
    await conn.query(
      "INSERT INTO webchat_group (chatid, owner, title, ctime, mtime, version) VALUES ?",
      [groups],
    );
    for (let i = 0; i < members.length; i += 5000) {
      await conn.query(
        "INSERT INTO webchat_group_member (chatid, accountid, joined_ms, left_ms) VALUES ?",
        [members.slice(i, i + 5000)],
      );
    }
    await conn.commit();
  } catch (error) {
    await conn.rollback().catch(() => broken = true);
    throw error;
  } finally {
    if (broken) conn.destroy();
    else conn.release();
  }
}

const groups: TableCopier = {
  name: "groups",
  count: (db) => rowsOf(db, "webchat_group"),
  async copy(db, to, progress) {
    await to.groups.ensureSchema();
    const read = db.prepare(
      `SELECT chatid, owner, CAST(title AS BLOB) AS title, ctime, mtime, version
         FROM webchat_group WHERE chatid > ? ORDER BY chatid LIMIT ?`,
    );
    const utf8 = new TextDecoder();
    let copied = 0, there = 0, spans = 0, after = "";
    while (true) {
      const page = read.all(after, PAGE);
      if (page.length === 0) break;
      after = String(page.at(-1)!.chatid);
      const [found] = await to.pool.query(
        "SELECT chatid FROM webchat_group WHERE chatid IN (?)",
        [page.map((row) => String(row.chatid))],
      );
      const taken = new Set((found as { chatid: string }[]).map((row) => row.chatid));
      const fresh = page.filter((row) => !taken.has(String(row.chatid)));
      there += page.length - fresh.length;
      if (fresh.length > 0) {
        const chatids = fresh.map((row) => String(row.chatid));
        const members = memberRows(db, chatids);
        await writeGroups(
          to,
          fresh.map((row) => [
            String(row.chatid),
            String(row.owner),
            utf8.decode(row.title as Uint8Array),
            Number(row.ctime),
            Number(row.mtime),
            Number(row.version),
          ]),
          members,
        );
        // A copy cached under the same chat id (a Redis used before) is not this group.
        for (const chatid of chatids) await to.groupCache.forget(chatid);
        copied += fresh.length;
        spans += members.length;
      }
      progress(page.length);
    }
    return `groups: ${copied} copied with ${plural(spans, "membership")} (join and leave ` +
      `times kept), ${there} there already`;
  },
};

const mutes: TableCopier = {
  name: "mutes",
  count: (db) => rowsOf(db, "webchat_group_mute"),
  async copy(db, to, progress) {
    const rows = db.prepare("SELECT accountid, chatid, time FROM webchat_group_mute ORDER BY rowid")
      .all().map((row) => [String(row.accountid), String(row.chatid), Number(row.time)]);
    let added = 0;
    for (let i = 0; i < rows.length; i += PAGE) {
      // IGNORE skips a mute the target has (its primary key); the affected rows are the new
      // ones (ON DUPLICATE KEY would count a kept row too: mysql2 asks for found rows).
      const [result] = await to.pool.query(
        "INSERT IGNORE INTO webchat_group_mute (accountid, chatid, time) VALUES ?",
        [rows.slice(i, i + PAGE)],
      );
      added += Number((result as { affectedRows: number }).affectedRows);
      progress(Math.min(PAGE, rows.length - i));
    }
    return `mutes: ${added} copied, ${rows.length - added} there already`;
  },
};

const broadcasts: TableCopier = {
  name: "broadcasts",
  count: (db) => rowsOf(db, "webchat_broadcast"),
  async copy(db, to, progress) {
    await to.broadcasts.ensureSchema();
    const read = db.prepare(
      `SELECT id, bid, fromuser, CAST(touserTitle AS BLOB) AS touserTitle,
              CAST(title AS BLOB) AS title, CAST(content AS BLOB) AS content, time, recipients
         FROM webchat_broadcast WHERE id > ? ORDER BY id LIMIT ?`,
    );
    const readRecipients = db.prepare(
      `SELECT bid, accountid FROM webchat_broadcast_recipient
        WHERE bid IN (SELECT value FROM json_each(?)) ORDER BY accountid`,
    );
    let copied = 0, refused = 0, after = 0;
    while (true) {
      const page = read.all(after, PAGE);
      if (page.length === 0) break;
      after = Number(page.at(-1)!.id);
      const listed = page.map(listedFromRow);
      const rows = new Map<string, string[]>();
      for (const row of readRecipients.all(JSON.stringify(listed.map((b) => b.bid)))) {
        rows.set(String(row.bid), [...rows.get(String(row.bid)) ?? [], String(row.accountid)]);
      }
      const list: Broadcast[] = listed.map((b) => {
        // The rows are the recipients and the sender; the sender was a recipient too when
        // there are no more rows than recipients.
        const accounts = rows.get(b.bid) ?? [];
        const others = accounts.filter((account) => account !== b.fromuser);
        return {
          ...b,
          recipients: accounts.length <= b.recipients && accounts.includes(b.fromuser)
            ? [...others, b.fromuser]
            : others,
        };
      });
      refused += await saveEach(list, (some) => to.broadcasts.saveBroadcasts(some));
      copied += list.length;
      progress(page.length);
    }
    return `broadcasts: ${copied - refused} with their recipients (bids there already left ` +
      "as they are)" + (refused ? `; ${refused} refused (see the server's limits)` : "");
  },
};

/** In order: groups before their mutes. */
export const groupCopiers: TableCopier[] = [groups, mutes, broadcasts];
