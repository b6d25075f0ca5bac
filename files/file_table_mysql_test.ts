import { openTestStores } from "../tests/support/stores.ts";
import { describeFileTableContract } from "./file_table_contract.ts";
import { MysqlFileTable } from "./file_table_mysql.ts";

describeFileTableContract("MysqlFileTable", async () => {
  const stores = await openTestStores();
  const files = new MysqlFileTable(stores.pool);
  await files.ensureSchema();
  return { files, close: stores.cleanup };
});
