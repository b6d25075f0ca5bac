/**
 * What `chat migrate --to-mysql` copies from an embedded installation, one copier per kind of
 * data, in order. Each copier reads the embedded tables and writes through the production
 * stores where they have a way to (users, the archive, the parked list), so what is written
 * has the production shape; each is safe to run again (what is there already is skipped or
 * set to the same value, never added twice).
 *
 * Groups, mutes and broadcasts have theirs in `group_copiers.ts`, files (records and bytes) in
 * `file_copiers.ts`. Read receipts and their settings are copied here; edits, recalls and
 * replies travel with the history's rows.
 *
 * @module
 */
import { messageFromRow } from "../queue/archive_sql.ts";
import { broadcastOf, isBroadcast } from "../queue/broadcast.ts";
import type { ChatMessage } from "../queue/message.ts";
import { parseQueued } from "../queue/queued_message.ts";
import { parkedKey } from "../queue/queue_redis.ts";
import { contactsKey } from "../queue/recent_redis.ts";
import { raiseSeqEpoch } from "../queue/seq_epoch_raise.ts";
import { CHAT_QUEUE_NAME } from "../queue/status_table.ts";
import {
  broadcastUnreadKey,
  mentionUnreadKey,
  offlineKey,
  unreadKey,
} from "../store/inbox_redis.ts";
import { MysqlReadReceipts } from "../store/receipts_mysql.ts";
import type { NewAccount } from "../store/users.ts";
import { allAccounts } from "../store/user_admin.ts";
import { DISABLED_LEFT, USER_COLUMNS, userFromRow } from "../store/users_table.ts";
import { fileCopiers } from "./file_copiers.ts";
import { groupCopiers } from "./group_copiers.ts";
import { type MigrationTarget, PAGE, rowsOf, saveEach, type TableCopier } from "./table_copier.ts";

export type { MigrationTarget, TableCopier } from "./table_copier.ts";

/** Messages into the archive; one the archive refuses (a seq repeated) is counted, not fatal. */
function archive(target: MigrationTarget, messages: ChatMessage[]): Promise<number> {
  return saveEach(messages, (some) => target.archive.saveMessages(some));
}

const users: TableCopier = {
  name: "users",
  count: (db) => rowsOf(db, "webchat_user"),
  async copy(db, to, progress) {
    const taken = new Set(
      (await allAccounts(to.users)).map((account) => account.accountid.toLowerCase()),
    );
    const rows = db.prepare(
      `SELECT ${USER_COLUMNS}, pwd, disabled, source FROM webchat_user ORDER BY uid`,
    ).all();
    const fresh: NewAccount[] = [];
    // What `addMany` cannot say: an account of the company directory, one disabled because it
    // left the directory (a sync enables only those again).
    const marks: [string, number, string][] = [];
    for (const row of rows) {
      if (taken.has(String(row.accountid).toLowerCase())) continue;
      fresh.push({
        user: userFromRow(row),
        passwordHash: String(row.pwd),
        disabled: Number(row.disabled) !== 0,
      });
      const source = String(row.source ?? "local");
      if (source !== "local" || Number(row.disabled) === DISABLED_LEFT) {
        marks.push([source, Number(row.disabled), String(row.accountid)]);
      }
    }
    for (let i = 0; i < fresh.length; i += 5000) await to.users.addMany(fresh.slice(i, i + 5000));
    for (const mark of marks) {
      await to.pool.query(
        "UPDATE webchat_user SET source = ?, disabled = ? WHERE accountid = ?",
        mark,
      );
    }
    progress(rows.length);
    return `users: ${fresh.length} copied` +
      (marks.length ? ` (${marks.length} of the company directory or left it)` : "") +
      `, ${rows.length - fresh.length} there already`;
  },
};

const history: TableCopier = {
  name: "history",
  count: (db) => rowsOf(db, "webchat_message"),
  async copy(db, to, progress) {
    const read = db.prepare(
      `SELECT id, mid, chatid, seq, fromuser, CAST(message AS BLOB) AS message, type, fileid,
              time, CAST(cid AS BLOB) AS cid, mentions
         FROM webchat_message WHERE id > ? ORDER BY id LIMIT ?`,
    );
    let copied = 0, refused = 0, after = 0;
    while (true) {
      const rows = read.all(after, PAGE);
      if (rows.length === 0) break;
      after = Number(rows.at(-1)!.id);
      refused += await archive(to, rows.map(messageFromRow));
      copied += rows.length;
      progress(rows.length);
    }
    // The copied seqs are the embedded counters' (1, 2, 3 …): new ones must start above.
    await raiseSeqEpoch(to.pool, to.redis, to.prefix);
    return `history: ${copied - refused} messages (mids there already left as they are)` +
      (refused ? `; ${refused} refused: their (chatid, seq) is archived under another mid` : "");
  },
};

const queue: TableCopier = {
  name: "queue",
  count: (db) => rowsOf(db, "queue_item") + rowsOf(db, "queue_parked"),
  async copy(db, to, progress) {
    // Messages the embedded worker had not archived yet: they carry their seq, so they go
    // straight into the archive and the recent contacts, as the worker would have put them.
    const waiting = db.prepare("SELECT payload FROM queue_item ORDER BY id").all()
      .map((row) => parseQueued(String(row.payload)));
    // Broadcasts share the queue (chat id `broadcast`): they go into their own archive.
    for (let i = 0; i < waiting.length; i += PAGE) {
      const batch = waiting.slice(i, i + PAGE);
      const chats = batch.filter((m) => !isBroadcast(m));
      await archive(to, chats);
      await to.recent.record(chats);
      await saveEach(
        batch.filter(isBroadcast).map(broadcastOf),
        (some) => to.broadcasts.saveBroadcasts(some),
      );
      progress(batch.length);
    }
    const parked = db.prepare("SELECT payload, reason FROM queue_parked ORDER BY id").all();
    const there = new Set<string>();
    for (const record of await to.redis.lRange(parkedKey(to.prefix), 0, -1)) {
      try {
        there.add(String(JSON.parse(record).message.mid));
      } catch {
        // unreadable: not one of ours
      }
    }
    let moved = 0;
    for (const row of parked) {
      const message = parseQueued(String(row.payload));
      if (there.has(message.mid)) continue;
      await to.queue.park([message], String(row.reason));
      moved++;
    }
    progress(parked.length);
    return `queue: ${waiting.length} waiting messages archived, ${moved} parked messages kept ` +
      "parked (`chat queue retry-parked` once their cause is fixed)";
  },
};

const inbox: TableCopier = {
  name: "unread counts, recent contacts, offline messages",
  count: (db) =>
    rowsOf(db, "unread") + rowsOf(db, "mention_unread") + rowsOf(db, "recent_contact") +
    rowsOf(db, "offline_message") + rowsOf(db, "broadcast_unread"),
  async copy(db, to, progress) {
    const p = to.prefix;
    const pipeline = () => to.redis.multi();
    let tx = pipeline(), queued = 0;
    const flush = async (force = false) => {
      if (queued === 0 || (!force && queued < 500)) return;
      await tx.execAsPipeline();
      tx = pipeline();
      queued = 0;
    };
    const unread = db.prepare("SELECT accountid, chatid, count FROM unread").all();
    for (const row of unread) {
      tx.hSet(unreadKey(p, String(row.accountid)), String(row.chatid), String(row.count));
      queued++;
      await flush();
    }
    const mentions = db.prepare("SELECT accountid, chatid, count FROM mention_unread").all();
    for (const row of mentions) {
      tx.hSet(mentionUnreadKey(p, String(row.accountid)), String(row.chatid), String(row.count));
      queued++;
      await flush();
    }
    for (const row of db.prepare("SELECT accountid, count FROM broadcast_unread").all()) {
      tx.set(broadcastUnreadKey(p, String(row.accountid)), String(row.count));
      queued++;
      await flush();
    }
    const contacts = db.prepare("SELECT accountid, chatid, time FROM recent_contact").all();
    for (const row of contacts) {
      const entry = { value: String(row.chatid), score: Number(row.time) };
      tx.zAdd(contactsKey(p, String(row.accountid)), entry, { GT: true });
      queued++;
      await flush();
    }
    // Set, not added to: the list is rewritten whole, oldest pushed first (newest at its head).
    const offline = new Map<string, string[]>();
    for (
      const row of db.prepare("SELECT accountid, frame FROM offline_message ORDER BY id").all()
    ) {
      const list = offline.get(String(row.accountid)) ?? [];
      list.push(String(row.frame));
      offline.set(String(row.accountid), list);
    }
    for (const [account, frames] of offline) {
      tx.del(offlineKey(p, account));
      tx.lPush(offlineKey(p, account), frames);
      queued++;
      await flush();
    }
    await flush(true);
    progress(unread.length + mentions.length + contacts.length);
    return `unread counts of ${new Set(unread.map((r) => r.accountid)).size} accounts ` +
      `(mentions of ${new Set(mentions.map((r) => r.accountid)).size}), ` +
      `${contacts.length} recent contacts, offline messages of ${offline.size} accounts`;
  },
};

const workerCounters: TableCopier = {
  name: "worker counters",
  count: (db) => rowsOf(db, "queue_deamon_status"),
  async copy(db, to, progress) {
    await to.status.list(); // creates the table when missing
    const rows = db.prepare(
      `SELECT server, tm, msgcnt_all, msgcnt_day, msgcnt_date, progress_tm FROM queue_deamon_status
        WHERE job_name = ? AND queue_name = ?`,
    ).all(CHAT_QUEUE_NAME, CHAT_QUEUE_NAME);
    for (const row of rows) {
      // One row per embedded node, named apart from the production nodes, stopped; its count
      // goes on counting into "processed total". Set, not added: a second run changes nothing.
      await to.pool.query(
        `INSERT INTO queue_deamon_status (job_name, queue_name, server, tm, msgcnt_all,
           msgcnt_day, msgcnt_date, progress_tm, state, cnname)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'stopped', 'webChat embedded')
         ON DUPLICATE KEY UPDATE tm = VALUES(tm), msgcnt_all = VALUES(msgcnt_all),
           msgcnt_day = VALUES(msgcnt_day), msgcnt_date = VALUES(msgcnt_date),
           progress_tm = VALUES(progress_tm), state = 'stopped'`,
        [
          CHAT_QUEUE_NAME,
          CHAT_QUEUE_NAME,
          `embedded:${row.server}`.slice(0, 100),
          Number(row.tm),
          Number(row.msgcnt_all),
          Number(row.msgcnt_day),
          Number(row.msgcnt_date),
          Number(row.progress_tm),
        ],
      );
    }
    progress(rows.length);
    return `worker counters: ${rows.length} embedded node${rows.length === 1 ? "" : "s"}`;
  },
};

const receipts: TableCopier = {
  name: "read receipts",
  count: (db) => rowsOf(db, "webchat_read_receipt") + rowsOf(db, "webchat_receipt_setting"),
  async copy(db, to, progress) {
    const target = new MysqlReadReceipts(to.pool);
    await target.ensureSchema();
    let marks = 0, settings = 0;
    if (rowsOf(db, "webchat_read_receipt") > 0) {
      const rows = db.prepare("SELECT chatid, accountid, seq, time FROM webchat_read_receipt")
        .all();
      // A mark only rises: a second run changes nothing.
      for (const row of rows) {
        await target.mark(
          String(row.chatid),
          String(row.accountid),
          Number(row.seq),
          Number(row.time),
        );
        progress(1);
      }
      marks = rows.length;
    }
    if (rowsOf(db, "webchat_receipt_setting") > 0) {
      const rows = db.prepare("SELECT accountid, sending, time FROM webchat_receipt_setting").all();
      for (const row of rows) {
        await target.setSending(String(row.accountid), Number(row.sending) === 1, Number(row.time));
        progress(1);
      }
      settings = rows.length;
    }
    return `read receipts: ${marks} marks, ${settings} settings`;
  },
};

const sessions: TableCopier = {
  name: "sessions",
  onlyWithSessions: true,
  count: (db) => rowsOf(db, "session"),
  async copy(db, to, progress) {
    const now = Math.floor(Date.now() / 1000);
    const rows = db.prepare("SELECT key, accountid, expires FROM session WHERE expires > ?").all(
      now,
    );
    for (const row of rows) {
      await to.sessions.adopt(String(row.key), String(row.accountid), Number(row.expires) - now);
    }
    progress(rows.length);
    return `sessions: ${rows.length} (people stay logged in)`;
  },
};

/**
 * Every copier, in order: accounts before what refers to them, groups and files before the
 * history that names them, the archive before the queue's messages (which come after it in
 * time).
 */
export const MIGRATION_COPIERS: TableCopier[] = [
  users,
  ...groupCopiers,
  ...fileCopiers,
  history,
  queue,
  inbox,
  workerCounters,
  receipts,
  sessions,
];
