import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { describeBroadcastArchiveContract } from "./broadcast_archive_contract.ts";
import { SqliteBroadcastArchive } from "./broadcast_archive_sqlite.ts";

describeBroadcastArchiveContract("SqliteBroadcastArchive", async () => {
  const temp = await openTempSqlite();
  return { broadcasts: new SqliteBroadcastArchive(temp.db), close: temp.cleanup };
});
