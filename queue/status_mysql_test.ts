import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openTestStores } from "../tests/support/stores.ts";
import { describeWorkerStatusContract } from "./status_contract.ts";
import { MysqlWorkerStatus } from "./status_mysql.ts";

describeWorkerStatusContract("MysqlWorkerStatus", async () => {
  const stores = await openTestStores();
  return {
    status: new MysqlWorkerStatus(stores.pool),
    async requestStop(server) {
      await stores.pool.query("UPDATE queue_deamon_status SET dostop = 1 WHERE server = ?", [
        server,
      ]);
    },
    close: stores.cleanup,
  };
});

Deno.test("MysqlWorkerStatus adds its columns to the original's queue_deamon_status", async () => {
  const stores = await openTestStores();
  try {
    // The PHP original's table, as its install SQL created it.
    await stores.pool.query(`CREATE TABLE queue_deamon_status (
      id INT NOT NULL AUTO_INCREMENT, job_name VARCHAR(50) NOT NULL, queue_name VARCHAR(50) NOT NULL,
      tm INT NOT NULL DEFAULT 0, server VARCHAR(100) NOT NULL, func VARCHAR(20) NOT NULL DEFAULT '',
      filepath VARCHAR(100) NOT NULL DEFAULT '', msgcnt_date TINYINT NOT NULL DEFAULT 0,
      admin VARCHAR(30) NOT NULL DEFAULT '', cnname VARCHAR(50) NOT NULL DEFAULT '',
      dostop TINYINT NOT NULL DEFAULT 0, msgcnt_all BIGINT NOT NULL DEFAULT 0,
      msgcnt_day INT NOT NULL DEFAULT 0, PRIMARY KEY (id),
      UNIQUE KEY uq (job_name, queue_name, server))`);
    await stores.pool.query(
      `INSERT INTO queue_deamon_status (job_name, queue_name, server, msgcnt_all)
       VALUES ('chat:msg-list', 'chat:msg-list', 'old-host', 1000)`,
    );
    const status = new MysqlWorkerStatus(stores.pool);
    const row = await status.beat("old-host", { processed: 1, lastProgress: 5, state: "running" });
    assertEquals([row.processedTotal, row.lastProgress, row.state], [1001, 5, "running"]);
  } finally {
    await stores.cleanup();
  }
});
