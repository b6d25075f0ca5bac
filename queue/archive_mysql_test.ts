import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openTestStores, type TestStores } from "../tests/support/stores.ts";
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
