import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { eventually, sampleDraft } from "../tests/support/fixtures.ts";
import { defaultConfig } from "../config/mod.ts";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { SqliteArchive } from "./archive_sqlite.ts";
import { SqliteQueue } from "./queue_sqlite.ts";
import { SqliteRecent } from "./recent_sqlite.ts";
import { SqliteWorkerStatus } from "./status_sqlite.ts";
import { createEmbeddedArchiveWorker } from "./worker_embedded_sqlite.ts";

const draft = sampleDraft;
const until = (what: string, condition: () => boolean | Promise<boolean>, ms = 10_000) =>
  eventually(condition, ms, what);

Deno.test("embedded ArchiveWorker archives, indexes, acknowledges and takes back a crash", async () => {
  const temp = await openTempSqlite();
  const config = { ...defaultConfig(), dataDir: temp.dataDir };
  const producer = new SqliteQueue({ db: temp.db, path: temp.path, workerId: "p" });
  const logs: string[] = [];
  try {
    // A predecessor took two messages and died before acknowledging them.
    for (let i = 1; i <= 2; i++) await producer.enqueue(draft("alice--bob", i));
    const crashed = new SqliteQueue({ db: temp.connect().db, path: temp.path, workerId: "w0" });
    assertEquals((await crashed.takeBatch(10, 1))?.messages.length, 2);
    await crashed.close();

    const embedded = createEmbeddedArchiveWorker(config, "w1", {
      server: "test:1",
      log: (line) => logs.push(line),
      heartbeatMs: 100,
    });
    try {
      await embedded.worker.start();
      for (let i = 3; i <= 30; i++) await producer.enqueue(draft(i % 2 ? "alice--bob" : "g-1", i));
      await until("30 processed", () => embedded.worker.processed === 30);
    } finally {
      await embedded.worker.stop();
      await embedded.close();
    }
    const archive = new SqliteArchive(temp.db);
    const page = await archive.history({ chatid: "alice--bob", limit: 100 });
    assertEquals(page.messages.map((m) => m.seq), Array.from({ length: 16 }, (_, i) => i + 1));
    assertEquals((await archive.history({ chatid: "g-1", limit: 100 })).messages.length, 14);
    assertEquals((await new SqliteRecent(temp.db).lastMessages("alice--bob")).length, 16);
    assertEquals(await producer.counts(), { pending: 0, inFlight: 0, parked: 0 });
    const [row] = await new SqliteWorkerStatus(temp.db).list();
    assertEquals([row.server, row.processedTotal, row.state], ["test:1", 30, "stopped"]);
    assert(logs.some((line) => line.includes("took back 2")), logs.join("\n"));
  } finally {
    await producer.close();
    await temp.cleanup();
  }
});
