import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { archived, describeArchiveContract, FEB_FIRST, JAN_LAST } from "./archive_contract.ts";
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

// Only the SQLite archive checks each message first: MySQL rounds a fractional seq and stores it.
Deno.test("SqliteArchive rejects a malformed batch whole", async () => {
  const temp = await openTempSqlite();
  try {
    const archive = new SqliteArchive(temp.db);
    await archive.saveMessages([
      archived(1, JAN_LAST),
      archived(2, FEB_FIRST),
      archived(3, FEB_FIRST),
    ]);
    const bad = { ...archived(5, FEB_FIRST), seq: 1.5 };
    await rejects(archive.saveMessages([archived(4, FEB_FIRST), bad]), TypeError);
    assertEquals(await archive.maxSeq("alice--bob"), 3, "nothing of a bad batch is stored");
  } finally {
    await temp.cleanup();
  }
});
