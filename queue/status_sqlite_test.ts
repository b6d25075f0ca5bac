import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openSqliteDb } from "../store/sqlite_db.ts";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { describeWorkerStatusContract } from "./status_contract.ts";
import { SqliteWorkerStatus } from "./status_sqlite.ts";

describeWorkerStatusContract("SqliteWorkerStatus", async () => {
  const temp = await openTempSqlite();
  return {
    status: new SqliteWorkerStatus(temp.db),
    requestStop(server) {
      temp.db.prepare("UPDATE queue_deamon_status SET dostop = 1 WHERE server = ?").run(server);
      return Promise.resolve();
    },
    close: temp.cleanup,
  };
});

Deno.test("SqliteWorkerStatus: a data folder from before progress_tm/state gets them", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-old-status-" });
  try {
    const old = new DatabaseSync(`${dataDir}/webchat.db`);
    old.exec(`CREATE TABLE queue_deamon_status (
      id INTEGER PRIMARY KEY AUTOINCREMENT, job_name TEXT NOT NULL, queue_name TEXT NOT NULL,
      tm INTEGER NOT NULL DEFAULT 0, server TEXT NOT NULL, func TEXT NOT NULL DEFAULT '',
      filepath TEXT NOT NULL DEFAULT '', msgcnt_date INTEGER NOT NULL DEFAULT 0,
      admin TEXT NOT NULL DEFAULT '', cnname TEXT NOT NULL DEFAULT '',
      dostop INTEGER NOT NULL DEFAULT 0, msgcnt_all INTEGER NOT NULL DEFAULT 0,
      msgcnt_day INTEGER NOT NULL DEFAULT 0, UNIQUE (job_name, queue_name, server)) STRICT`);
    old.close();
    const sqlite = openSqliteDb(dataDir);
    try {
      const row = await new SqliteWorkerStatus(sqlite.db).beat("w", {
        processed: 2,
        lastProgress: 7,
        state: "stopped",
      });
      assertEquals([row.processedTotal, row.lastProgress, row.state], [2, 7, "stopped"]);
    } finally {
      sqlite.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
