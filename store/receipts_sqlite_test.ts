import { describeReceiptsContract } from "./receipts_contract.ts";
import { SqliteReadReceipts } from "./receipts_sqlite.ts";
import { openTempSqlite } from "./temp_db_sqlite.ts";

describeReceiptsContract("SqliteReadReceipts", async () => {
  const temp = await openTempSqlite();
  return { receipts: new SqliteReadReceipts(temp.db), close: temp.cleanup };
});
