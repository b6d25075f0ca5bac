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
