import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { openTestStores, type TestStores } from "../tests/support/stores.ts";
import { MessageRejectedError } from "./archive.ts";
import { newMid } from "./message.ts";
import { archived, describeArchiveContract, FEB_FIRST, JAN_LAST } from "./archive_contract.ts";
import { MysqlArchive } from "./archive_mysql.ts";

/** Messages in every monthly table of the test database. */
async function stored(stores: TestStores): Promise<number> {
  const [tables] = await stores.pool.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'webchat\\_message%'`,
  );
  let count = 0;
  for (const { name } of tables as { name: string }[]) {
    const [[row]] = await stores.pool.query(`SELECT COUNT(*) AS n FROM \`${name}\``) as unknown as [
      [{ n: number }],
    ];
    count += Number(row.n);
  }
  return count;
}

describeArchiveContract("MysqlArchive", async () => {
  const stores = await openTestStores();
  return {
    archive: new MysqlArchive(stores.pool),
    stored: () => stored(stores),
    close: stores.cleanup,
  };
});

Deno.test("MysqlArchive splits a batch by month, one table each", async () => {
  const stores = await openTestStores();
  try {
    const archive = new MysqlArchive(stores.pool);
    const batch = [archived(1, JAN_LAST), archived(2, FEB_FIRST), archived(3, FEB_FIRST)];
    await archive.saveMessages(batch);
    await archive.saveMessages(batch); // a batch retried after a crash
    const [jan] = await stores.pool.query("SELECT mid FROM webchat_message202601");
    const [feb] = await stores.pool.query("SELECT mid FROM webchat_message202602");
    assertEquals((jan as { mid: string }[]).map((r) => r.mid), [batch[0].mid]);
    assertEquals((feb as unknown[]).length, 2);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("MysqlArchive splits a batch larger than max_allowed_packet into several statements", async () => {
  const stores = await openTestStores();
  try {
    const [[{ packet }]] = await stores.pool.query(
      "SELECT @@max_allowed_packet AS packet",
    ) as unknown as [[{ packet: number }]];
    // Enough text that one multi-row INSERT would exceed the server's packet limit.
    const size = 1_000_000;
    const count = Math.ceil((Number(packet) * 1.2) / size);
    const batch = Array.from(
      { length: count },
      (_, i) => archived(i + 1, JAN_LAST, "x".repeat(size)),
    );
    const archive = new MysqlArchive(stores.pool);
    await archive.saveMessages(batch);
    const [[row]] = await stores.pool.query(
      "SELECT COUNT(*) AS n, SUM(LENGTH(message)) AS bytes FROM webchat_message202601",
    ) as unknown as [[{ n: number; bytes: number }]];
    assertEquals([Number(row.n), Number(row.bytes)], [count, count * size]);
  } finally {
    await stores.cleanup();
  }
});

/** `webchat_message202601` as the previous version made it: INT seq, (chatid, seq) not unique. */
async function oldShapeTable(stores: TestStores, name = "webchat_message202601"): Promise<void> {
  await stores.pool.query(`CREATE TABLE \`${name}\` (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    mid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    seq INT UNSIGNED NOT NULL,
    fromuser VARCHAR(40) NOT NULL,
    message MEDIUMTEXT NOT NULL,
    type TINYINT NOT NULL DEFAULT 0,
    fileid VARCHAR(64) NOT NULL DEFAULT '',
    time INT NOT NULL,
    cid VARCHAR(64) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    UNIQUE KEY uq_mid (mid),
    KEY idx_chat_seq (chatid, seq),
    KEY idx_chat_time (chatid, time)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
}

async function indexesOf(stores: TestStores, name: string) {
  const [rows] = await stores.pool.query(
    `SELECT INDEX_NAME AS name, MIN(NON_UNIQUE) AS nonUnique FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? GROUP BY INDEX_NAME`,
    [name],
  );
  const [[column]] = await stores.pool.query(
    `SELECT DATA_TYPE AS type FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'seq'`,
    [name],
  ) as unknown as [[{ type: string }]];
  return {
    seq: column.type,
    indexes: (rows as { name: string; nonUnique: number }[])
      .map((r) => `${r.name}${Number(r.nonUnique) ? "" : " unique"}`).sort(),
  };
}

Deno.test("MysqlArchive upgrades a table of the previous version on first write", async () => {
  const stores = await openTestStores();
  try {
    await oldShapeTable(stores);
    const logs: string[] = [];
    const archive = new MysqlArchive(stores.pool, (line) => logs.push(line));
    await archive.saveMessages([archived(1, JAN_LAST)]);
    assertEquals(await indexesOf(stores, "webchat_message202601"), {
      seq: "bigint",
      indexes: ["PRIMARY unique", "idx_chat_time", "uq_chat_seq unique", "uq_mid unique"].sort(),
    });
    assert(logs.some((l) => /upgrading webchat_message202601/.test(l)), logs.join("\n"));
    await archive.saveMessages([archived(2 ** 32 + 1, JAN_LAST)]);
    await rejects(
      archive.saveMessages([{ ...archived(1, JAN_LAST), mid: newMid() }]),
      MessageRejectedError,
    );
    // Group messages keep their mentions in the column the upgrade added.
    const mention = { ...archived(4, JAN_LAST), chatid: "alice-1", members: [], mentions: ["bob"] };
    await archive.saveMessages([mention]);
    assertEquals((await archive.history({ chatid: "alice-1", limit: 5 })).messages, [mention]);
    // A second process finds nothing left to do.
    const later: string[] = [];
    await new MysqlArchive(stores.pool, (line) => later.push(line))
      .saveMessages([archived(3, JAN_LAST)]);
    assertEquals(later, []);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("MysqlArchive reads a table of the previous version that nothing wrote to since", async () => {
  const stores = await openTestStores();
  try {
    await oldShapeTable(stores);
    const old = archived(1, JAN_LAST, "from before replies");
    await stores.pool.query(
      `INSERT INTO webchat_message202601 (mid, chatid, seq, fromuser, message, time, cid)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [old.mid, old.chatid, old.seq, old.fromuser, old.message, old.time, old.cid],
    );
    const archive = new MysqlArchive(stores.pool, () => {});
    const page = await archive.history({ chatid: "alice--bob", limit: 5 });
    assertEquals(page.messages, [old]);
    assertEquals((await archive.findMessages([old.mid])).get(old.mid), old);
    const [changed] = await archive.applyChanges([
      { kind: "recall", chatid: old.chatid, mid: old.mid, by: "alice", text: "", time: 9 },
    ]);
    assertEquals([changed.message, changed.recalled], ["", { by: "alice", time: 9 }]);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("MysqlArchive keeps working on an old table that already holds a repeated seq", async () => {
  const stores = await openTestStores();
  try {
    await oldShapeTable(stores);
    const one = archived(7, JAN_LAST);
    for (const m of [one, { ...one, mid: newMid(), message: "same seq, other mid" }]) {
      await stores.pool.query(
        `INSERT INTO webchat_message202601 (mid, chatid, seq, fromuser, message, time)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [m.mid, m.chatid, m.seq, m.fromuser, m.message, m.time],
      );
    }
    const logs: string[] = [];
    const archive = new MysqlArchive(stores.pool, (line) => logs.push(line));
    await archive.saveMessages([archived(2 ** 32 + 1, JAN_LAST)]);
    const warning = logs.find((l) => l.startsWith("WARNING"));
    assert(warning && /holds 1 \(chatid, seq\) pairs stored twice/.test(warning), logs.join("\n"));
    const shape = await indexesOf(stores, "webchat_message202601");
    assertEquals(shape.seq, "bigint", "seq is widened all the same");
    assert(shape.indexes.includes("idx_chat_seq"), "the plain index stays for reads");
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => m.seq), [7, 7, 2 ** 32 + 1]);
  } finally {
    await stores.cleanup();
  }
});
