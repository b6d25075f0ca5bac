import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { describeFileTableContract } from "./file_table_contract.ts";
import { SqliteFileTable } from "./file_table_sqlite.ts";

describeFileTableContract("SqliteFileTable", async () => {
  const temp = await openTempSqlite();
  const files = new SqliteFileTable(temp.db);
  files.ensureSchema();
  return { files, close: temp.cleanup };
});
