import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { type ChatMessage, newMid } from "./message.ts";
import { SqliteRecent } from "./recent_sqlite.ts";

function message(chatid: string, seq: number, time: number, members: string[]): ChatMessage {
  return {
    mid: newMid(1_700_000_000_000 + seq) + chatid.length,
    chatid,
    seq,
    fromuser: members[0],
    message: `"m${seq}" 😀 <b> '; DROP TABLE recent_message; --`,
    type: 0,
    fileId: "",
    time,
    cid: "",
    members,
  };
}

Deno.test("SqliteRecent keeps the last 20 messages per chat in ascending seq", async () => {
  const temp = await openTempSqlite();
  try {
    const recent = new SqliteRecent(temp.db);
    const batch = Array.from(
      { length: 25 },
      (_, i) => message("a--b", i + 1, 1000 + i, ["a", "b"]),
    );
    await recent.record(batch.slice(0, 10));
    await recent.record(batch.slice(10));
    assertEquals(await recent.lastMessages("a--b"), batch.slice(5));
    // A batch replayed after a crash adds nothing and pushes nothing out.
    await recent.record(batch.slice(20));
    assertEquals(await recent.lastMessages("a--b"), batch.slice(5));
    const rows = temp.db.prepare("SELECT COUNT(*) AS n FROM recent_message").get();
    assertEquals(rows?.n, 20);
    assertEquals(await recent.lastMessages("nobody"), []);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteRecent orders contacts by their last message and never moves one back", async () => {
  const temp = await openTempSqlite();
  try {
    const recent = new SqliteRecent(temp.db);
    await recent.record([
      message("a--b", 1, 100, ["a", "b"]),
      message("a-1", 1, 200, ["a", "c", "d"]),
      message("a--b", 2, 300, ["a", "b"]),
    ]);
    assertEquals(await recent.contacts("a", 10), [
      { chatid: "a--b", time: 300 },
      { chatid: "a-1", time: 200 },
    ]);
    await recent.record([message("a--b", 1, 100, ["a", "b"])]); // an older message, late
    assertEquals(await recent.contacts("a", 1), [{ chatid: "a--b", time: 300 }]);
    assertEquals(await recent.contacts("d", 10), [{ chatid: "a-1", time: 200 }]);
    await recent.removeContact("a", "a--b");
    assertEquals(await recent.contacts("a", 10), [{ chatid: "a-1", time: 200 }]);
    assertEquals(await recent.contacts("b", 10), [{ chatid: "a--b", time: 300 }]);
  } finally {
    await temp.cleanup();
  }
});
