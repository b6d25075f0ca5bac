import { openTestStores } from "../tests/support/stores.ts";
import { describeReceiptsContract } from "./receipts_contract.ts";
import { MysqlReadReceipts } from "./receipts_mysql.ts";

describeReceiptsContract("MysqlReadReceipts", async () => {
  const stores = await openTestStores();
  const receipts = new MysqlReadReceipts(stores.pool);
  await receipts.ensureSchema();
  return { receipts, close: stores.cleanup };
});
