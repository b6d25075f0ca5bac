/**
 * The search index on both engines: filled by `saveMessages`, followed by `applyChanges`,
 * rebuilt by `indexAll` for messages archived before it existed, and read only within the
 * scopes and mid ranges asked.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { MessageArchive } from "./archive.ts";
import { MysqlArchive } from "./archive_mysql.ts";
import { SqliteArchive } from "./archive_sqlite.ts";
import { type ChatMessage, firstMidAt, newMid } from "./message.ts";
import type { MessageSearch } from "./search.ts";
import { MysqlSearch } from "./search_mysql.ts";
import { SqliteSearch } from "./search_sqlite.ts";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { openTestStores } from "../tests/support/stores.ts";

interface Engine {
  archive: MessageArchive & { indexAll(): Promise<number> };
  search: MessageSearch;
  /** Empties the index, as an archive of an earlier version has it. */
  forget(): Promise<void>;
}

function message(chatid: string, seq: number, text: string, ms: number): ChatMessage {
  return {
    mid: newMid(ms),
    chatid,
    seq,
    fromuser: chatid.split("--")[0],
    message: text,
    type: 0,
    fileId: "",
    time: Math.floor(ms / 1000),
    cid: "",
    members: chatid.split("--"),
  };
}

async function contract(engine: Engine) {
  const { archive, search } = engine;
  // Two months apart (two partitions on MySQL), and a chat of others.
  const old = message("alice--bob", 1, "上个月的会议纪要", Date.UTC(2026, 9, 15));
  const now = message("alice--bob", 2, "明天的会议 Meeting", Date.UTC(2026, 10, 20));
  const other = message("carol--dave", 1, "会议 meeting", Date.UTC(2026, 10, 21));
  await archive.saveMessages([old, now, other]);
  const ask = (tokens: string[], extra = {}) =>
    search.candidates({ scopes: [{ chatid: "alice--bob" }], tokens, limit: 10, ...extra });
  assertEquals(await ask(["会议"]), [now.mid, old.mid]);
  assertEquals(await ask(["meetin", "会议"]), [now.mid]);
  assertEquals(await ask(["会议"], { beforeMid: now.mid }), [old.mid]);
  assertEquals(await ask(["会议"], { sinceMid: firstMidAt(Date.UTC(2026, 10, 1)) }), [now.mid]);
  assertEquals(await ask(["会议"], { fromuser: "bob" }), []);
  const fromJoin = [{ chatid: "alice--bob", visible: [{ from: now.mid, to: null }] }];
  assertEquals(await search.candidates({ scopes: fromJoin, tokens: ["会议"], limit: 10 }), [
    now.mid,
  ]);
  assertEquals((await search.directChats("alice")).sort(), ["alice--bob"]);
  assertEquals((await search.directChats("dave")).sort(), ["carol--dave"]);

  await archive.applyChanges([
    {
      kind: "edit",
      chatid: "alice--bob",
      mid: old.mid,
      by: "alice",
      text: "改期 moved",
      time: old.time + 1,
    },
    {
      kind: "recall",
      chatid: "alice--bob",
      mid: now.mid,
      by: "alice",
      text: "",
      time: now.time + 1,
    },
  ]);
  assertEquals(await ask(["会议"]), []);
  assertEquals(await ask(["moved"]), [old.mid]);

  await engine.forget();
  assertEquals(await ask(["moved"]), []);
  assertEquals(await archive.indexAll(), 3);
  assertEquals(await ask(["moved"]), [old.mid]);
  assertEquals(await ask(["会议"]), []);
  // Again: nothing doubles.
  await archive.indexAll();
  assertEquals(await ask(["改期"]), [old.mid]);
}

Deno.test("search index on SQLite", async () => {
  const temp = await openTempSqlite();
  try {
    await contract({
      archive: new SqliteArchive(temp.db),
      search: new SqliteSearch(temp.db),
      forget: () => Promise.resolve(void temp.db.exec("DELETE FROM webchat_search")),
    });
  } finally {
    await temp.cleanup();
  }
});

Deno.test("search index on MySQL", async () => {
  const stores = await openTestStores();
  try {
    await contract({
      archive: new MysqlArchive(stores.pool),
      search: new MysqlSearch(stores.pool),
      forget: async () => void await stores.pool.query("DELETE FROM webchat_search"),
    });
    const [parts] = await stores.pool.query(
      `SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'webchat_search' ORDER BY name`,
    );
    assertEquals((parts as { name: string }[]).map((p) => p.name), ["p202610", "p202611", "pmax"]);
  } finally {
    await stores.cleanup();
  }
});
