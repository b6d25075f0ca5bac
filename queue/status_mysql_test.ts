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
