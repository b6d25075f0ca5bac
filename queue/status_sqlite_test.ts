import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { SqliteWorkerStatus } from "./status_sqlite.ts";

Deno.test("SqliteWorkerStatus counts per server and resets today's count on a new day", async () => {
  const temp = await openTempSqlite();
  try {
    const status = new SqliteWorkerStatus(temp.db);
    const morning = new Date(2026, 2, 10, 9, 0, 0);
    const evening = new Date(2026, 2, 10, 23, 0, 0);
    const nextDay = new Date(2026, 2, 11, 0, 0, 5);
    const first = await status.beat("10.0.0.1:8080", 5, morning);
    assertEquals(first, {
      jobName: "chat:msg-list",
      queueName: "chat:msg-list",
      server: "10.0.0.1:8080",
      lastBeat: morning.getTime() / 1000,
      processedTotal: 5,
      processedToday: 5,
      stopRequested: false,
    });
    await status.beat("10.0.0.2:8080", 1, evening);
    const second = await status.beat("10.0.0.1:8080", 7, evening);
    assertEquals([second.processedTotal, second.processedToday], [12, 12]);
    const third = await status.beat("10.0.0.1:8080", 3, nextDay);
    assertEquals([third.processedTotal, third.processedToday], [15, 3]);
    const later = await status.beat("10.0.0.1:8080", 2, new Date(2026, 3, 11, 8, 0, 0));
    assertEquals([later.processedTotal, later.processedToday], [17, 2]);
    const rows = await status.list();
    assertEquals(rows.map((r) => [r.server, r.processedTotal]), [
      ["10.0.0.1:8080", 17],
      ["10.0.0.2:8080", 1],
    ]);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteWorkerStatus reports an operator's stop request once", async () => {
  const temp = await openTempSqlite();
  try {
    const status = new SqliteWorkerStatus(temp.db);
    await status.beat("w1", 0);
    temp.db.prepare("UPDATE queue_deamon_status SET dostop = 1 WHERE server = 'w1'").run();
    assertEquals((await status.list())[0].stopRequested, true);
    assertEquals((await status.beat("w1", 0)).stopRequested, true);
    assertEquals((await status.beat("w1", 0)).stopRequested, false);
  } finally {
    await temp.cleanup();
  }
});
