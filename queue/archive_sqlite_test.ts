import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { openSqliteDb } from "../store/sqlite_db.ts";
import { openTempSqlite, type TempSqlite } from "../store/temp_db_sqlite.ts";
import { MessageRejectedError } from "./archive.ts";
import { archived, describeArchiveContract, JAN_LAST } from "./archive_contract.ts";
import { newMid } from "./message.ts";
import { SqliteArchive } from "./archive_sqlite.ts";

describeArchiveContract("SqliteArchive", async () => {
  const temp = await openTempSqlite();
  return {
    archive: new SqliteArchive(temp.db),
    stored() {
      const row = temp.db.prepare("SELECT COUNT(*) AS n FROM webchat_message").get();
      return Promise.resolve(Number(row?.n));
    },
    close: temp.cleanup,
  };
});

/** The file as the previous version left it: a plain (chatid, seq) index, `rows` stored. */
function oldShapeFile(temp: TempSqlite, seqs: number[]): void {
  temp.db.exec(`DROP INDEX webchat_message_chat_seq_unique;
    CREATE INDEX webchat_message_chat_seq ON webchat_message (chatid, seq);`);
  const insert = temp.db.prepare(
    "INSERT INTO webchat_message (mid, chatid, seq, fromuser, message, type, time) VALUES (?, ?, ?, ?, ?, 0, ?)",
  );
  for (const seq of seqs) insert.run(newMid(), "alice--bob", seq, "alice", `m${seq}`, JAN_LAST);
}

function indexes(db: TempSqlite["db"]): string[] {
  return db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'webchat_message' AND sql IS NOT NULL ORDER BY name",
  ).all().map((row) => String(row.name));
}

Deno.test("an embedded database of the previous version gets (chatid, seq) unique when opened", async () => {
  const temp = await openTempSqlite();
  try {
    oldShapeFile(temp, [1, 2]);
    const logs: string[] = [];
    const again = openSqliteDb(temp.dataDir, { log: (line) => logs.push(line) });
    assertEquals(indexes(again.db), [
      "webchat_message_chat_seq_unique",
      "webchat_message_chat_time",
    ]);
    assertEquals(logs, []);
    again.close();
    await rejects(
      new SqliteArchive(temp.db).saveMessages([{ ...archived(2, JAN_LAST), mid: newMid() }]),
      MessageRejectedError,
    );
  } finally {
    await temp.cleanup();
  }
});

Deno.test("an embedded database that already repeats a seq opens with a warning and works", async () => {
  const temp = await openTempSqlite();
  try {
    oldShapeFile(temp, [1, 2, 2]);
    const logs: string[] = [];
    const again = openSqliteDb(temp.dataDir, { log: (line) => logs.push(line) });
    assertEquals(indexes(again.db), ["webchat_message_chat_seq", "webchat_message_chat_time"]);
    assertEquals(logs.length, 1);
    assert(/1 \(chatid, seq\) pairs are stored twice/.test(logs[0]), logs[0]);
    const archive = new SqliteArchive(again.db);
    await archive.saveMessages([archived(3, JAN_LAST)]);
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => m.seq), [1, 2, 2, 3]);
    again.close();
  } finally {
    await temp.cleanup();
  }
});

Deno.test("an embedded database from before groups gets system lines and mentions when opened", async () => {
  const temp = await openTempSqlite();
  try {
    // The previous version's table: types 0..2 only, no mentions column.
    temp.db.exec(`DROP TABLE webchat_message;
      CREATE TABLE webchat_message (
        id INTEGER PRIMARY KEY AUTOINCREMENT, mid TEXT NOT NULL UNIQUE, chatid TEXT NOT NULL,
        seq INTEGER NOT NULL, fromuser TEXT NOT NULL, message TEXT NOT NULL,
        type INTEGER NOT NULL CHECK (type IN (0, 1, 2)), fileid TEXT NOT NULL DEFAULT '',
        time INTEGER NOT NULL, cid TEXT NOT NULL DEFAULT '') STRICT;
      CREATE INDEX webchat_message_chat_time ON webchat_message (chatid, time);
      CREATE UNIQUE INDEX webchat_message_chat_seq_unique ON webchat_message (chatid, seq);`);
    const kept = archived(1, JAN_LAST);
    temp.db.prepare(
      "INSERT INTO webchat_message (mid, chatid, seq, fromuser, message, type, time) VALUES (?, ?, ?, ?, ?, 0, ?)",
    ).run(kept.mid, kept.chatid, 1, kept.fromuser, kept.message, kept.time);
    const logs: string[] = [];
    const again = openSqliteDb(temp.dataDir, { log: (line) => logs.push(line) });
    assert(logs.some((l) => /widening webchat_message's type check/.test(l)), logs.join("\n"));
    assertEquals(indexes(again.db), [
      "webchat_message_chat_seq_unique",
      "webchat_message_chat_time",
    ]);
    const archive = new SqliteArchive(again.db);
    const line = { ...archived(1, JAN_LAST), chatid: "alice-1", type: 3 as const, members: [] };
    const mention = { ...archived(2, JAN_LAST), chatid: "alice-1", members: [], mentions: ["bob"] };
    await archive.saveMessages([line, mention]);
    assertEquals((await archive.history({ chatid: "alice-1", limit: 10 })).messages, [
      line,
      mention,
    ]);
    assertEquals((await archive.history({ chatid: "alice--bob", limit: 10 })).messages, [
      { ...kept, cid: "" },
    ]);
    again.close();
    // Opened again, there is nothing left to do.
    const later: string[] = [];
    openSqliteDb(temp.dataDir, { log: (line) => later.push(line) }).close();
    assertEquals(later, []);
  } finally {
    await temp.cleanup();
  }
});
