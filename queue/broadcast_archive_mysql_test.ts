import { openTestStores } from "../tests/support/stores.ts";
import { describeBroadcastArchiveContract } from "./broadcast_archive_contract.ts";
import { MysqlBroadcastArchive } from "./broadcast_archive_mysql.ts";

describeBroadcastArchiveContract("MysqlBroadcastArchive", async () => {
  const stores = await openTestStores();
  return { broadcasts: new MysqlBroadcastArchive(stores.pool), close: stores.cleanup };
});
