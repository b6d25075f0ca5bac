/**
 * The original's groups, as this version's `webchat_group` and `webchat_group_member` rows.
 * The original kept groups only in its Redis (`<master><uuid>:group:info`, a hash that expired
 * 30 days after the last change, and `<master><uuid>:group:members`, accountid → join time,
 * which never expired; reference §3, §5), never in MySQL. So:
 *
 * - every group chat id (`master-uuid`) found in the monthly tables still in the original's
 *   shape becomes a group (this step runs before the messages step renames them, so a run cut
 *   short finds them again; a group made already is left as it is);
 * - with the original's Redis (`chat upgrade --php-redis URL`), its members and join times,
 *   title and times come from there;
 * - without it (or when its keys are gone), the members are the master and everyone who wrote
 *   into the group, joined when the group was made (its uuid is the creation time in ms, as the
 *   original's page made it), and the title is empty (the page shows the members' names).
 *
 * @module
 */
import type { MysqlPool } from "../store/mysql_pool.ts";
import { MAX_GROUP_TITLE } from "../store/groups.ts";
import { MysqlGroupStore } from "../store/groups_mysql.ts";
import type { RedisClient } from "../store/redis_client.ts";
import { ACCOUNT_ID } from "../store/users.ts";
import type { PhpSchema } from "./php_schema.ts";

/** This version's group chat ids (`groups_table.ts`): the original's `master-uuid`. */
const GROUP_ID = /^([A-Za-z0-9_.]{1,40})-(\d{1,20})$/;

/** What the groups step did. */
export interface GroupsUpgraded {
  groups: number;
  /** How many came with their members from the original's Redis. */
  fromRedis: number;
  /** Group chat ids that could not become groups, with why. */
  skipped: string[];
}

/** A group as the history and the original's Redis tell it. */
interface FoundGroup {
  chatid: string;
  master: string;
  createdMs: number;
  /** Who wrote into it, with their first message's time (ms). */
  writers: Map<string, number>;
}

/** Group chats of the original's monthly tables (those not upgraded yet). */
async function groupsInHistory(pool: MysqlPool, schema: PhpSchema): Promise<FoundGroup[]> {
  const found = new Map<string, FoundGroup>();
  for (const month of schema.messages.filter((t) => t.state === "php")) {
    const [rows] = await pool.query(
      `SELECT chatid, fromuser, MIN(time) AS first FROM \`${month.name}\`
        WHERE chatid NOT LIKE '%--%' GROUP BY chatid, fromuser`,
    );
    for (const row of rows as { chatid: string; fromuser: string; first: number }[]) {
      const match = GROUP_ID.exec(String(row.chatid));
      if (!match) continue;
      const group = found.get(match[0]) ?? {
        chatid: match[0],
        master: match[1],
        createdMs: Number(match[2]),
        writers: new Map(),
      };
      const firstMs = Number(row.first) * 1000;
      const from = String(row.fromuser);
      group.writers.set(from, Math.min(group.writers.get(from) ?? Infinity, firstMs));
      found.set(group.chatid, group);
    }
  }
  return [...found.values()].sort((a, b) => a.chatid.localeCompare(b.chatid));
}

/** The row of `webchat_group` and its members' rows, or why it cannot be made. */
interface GroupRows {
  group: [string, string, string, number, number];
  members: [string, string, number][];
  fromRedis: boolean;
}

async function rowsOf(group: FoundGroup, redis: RedisClient | null): Promise<GroupRows | string> {
  // The original named its keys master and uuid with nothing between.
  const key = `${group.master}${group.chatid.slice(group.master.length + 1)}`;
  const info = redis ? await redis.hGetAll(`${key}:group:info`) : {};
  const joined = redis ? await redis.hGetAll(`${key}:group:members`) : {};
  // A uuid that is not a time in ms (not made by the original's page) counts from the first
  // message written into the group.
  const firstMs = Math.min(...group.writers.values());
  const createdMs = group.createdMs > 0 && group.createdMs <= firstMs ? group.createdMs : firstMs;
  let members: [string, number][];
  const fromRedis = Object.keys(joined).length > 0;
  if (fromRedis) {
    members = Object.entries(joined).map(([account, time]) => {
      const seconds = Number(time);
      return [account, Number.isSafeInteger(seconds) && seconds > 0 ? seconds * 1000 : createdMs];
    });
  } else {
    members = [group.master, ...group.writers.keys()].map((account) => [account, createdMs]);
  }
  const valid = new Map<string, number>();
  for (const [account, atMs] of members.sort((a, b) => a[1] - b[1])) {
    if (ACCOUNT_ID.test(account) && !valid.has(account)) valid.set(account, atMs);
  }
  if (valid.size === 0) return `${group.chatid}: no member is an accountid`;
  const owner = valid.has(group.master) ? group.master : valid.keys().next().value!;
  const ctime = Number(info.ctime) > 0 ? Number(info.ctime) : Math.floor(createdMs / 1000);
  const mtime = Number(info.mtime) > 0 ? Number(info.mtime) : ctime;
  const title = [...String(info.title ?? "")].slice(0, MAX_GROUP_TITLE).join("");
  return {
    group: [group.chatid, owner, title, ctime, mtime],
    members: [...valid].map(([account, atMs]) => [group.chatid, account, atMs]),
    fromRedis,
  };
}

/** Makes every group of the original's history that is not a group yet. */
export async function upgradeGroups(
  pool: MysqlPool,
  schema: PhpSchema,
  phpRedis: RedisClient | null,
): Promise<GroupsUpgraded> {
  const result: GroupsUpgraded = { groups: 0, fromRedis: 0, skipped: [] };
  const found = await groupsInHistory(pool, schema);
  if (found.length === 0) return result;
  await new MysqlGroupStore(pool).ensureSchema();
  for (const group of found) {
    const [there] = await pool.query("SELECT 1 FROM webchat_group WHERE chatid = ?", [
      group.chatid,
    ]);
    if ((there as unknown[]).length > 0) continue;
    const rows = await rowsOf(group, phpRedis);
    if (typeof rows === "string") {
      result.skipped.push(rows);
      continue;
    }
    // The group and its members at once: a run cut short never leaves a group without them.
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      await conn.query(
        `INSERT INTO webchat_group (chatid, owner, title, ctime, mtime, version)
         VALUES (?, ?, ?, ?, ?, 1)`,
        rows.group,
      );
      await conn.query(
        "INSERT INTO webchat_group_member (chatid, accountid, joined_ms) VALUES ?",
        [rows.members],
      );
      await conn.commit();
    } catch (error) {
      await conn.rollback().catch(() => {});
      throw error;
    } finally {
      conn.release();
    }
    result.groups++;
    if (rows.fromRedis) result.fromRedis++;
  }
  return result;
}
