import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { OFFLINE_LIMIT } from "./inbox.ts";
import { SqliteInbox } from "./inbox_sqlite.ts";
import { openTempSqlite } from "./temp_db_sqlite.ts";

Deno.test("SqliteInbox counts unread per chat and clears on read", async () => {
  const temp = await openTempSqlite();
  try {
    const inbox = new SqliteInbox(temp.db);
    await inbox.deliver("a--b", ["b"], [], "{}");
    await inbox.deliver("a--b", ["b"], [], "{}");
    await inbox.deliver("g1", ["b", "c"], [], "{}");
    assertEquals(await inbox.unread("b"), { "a--b": 2, g1: 1 });
    assertEquals(await inbox.unread("c"), { g1: 1 });
    await inbox.markRead("b", "a--b");
    assertEquals(await inbox.unread("b"), { g1: 1 });
    assertEquals(await inbox.unread("nobody"), {});
    assertEquals(await inbox.broadcastUnread("b"), 0);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteInbox keeps the newest offline frames verbatim, oldest first", async () => {
  const temp = await openTempSqlite();
  try {
    const inbox = new SqliteInbox(temp.db);
    const frames = Array.from(
      { length: OFFLINE_LIMIT + 5 },
      (_, i) => JSON.stringify({ type: "say", content: `m${i} '; DROP TABLE x; -- <b>😀</b>` }),
    );
    for (const frame of frames) await inbox.deliver("a--b", [], ["b"], frame);
    await inbox.deliver("a--b", [], ["c"], frames[0]);
    assertEquals(await inbox.takeOffline("b"), frames.slice(5));
    assertEquals(await inbox.takeOffline("b"), []);
    assertEquals(await inbox.takeOffline("c"), [frames[0]]);
  } finally {
    await temp.cleanup();
  }
});
