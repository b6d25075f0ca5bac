import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { describeArchiveContract } from "./archive_contract.ts";
import { SqliteArchive } from "./archive_sqlite.ts";

describeArchiveContract("SqliteArchive", async () => {
  const temp = await openTempSqlite();
  return {
    archive: new SqliteArchive(temp.db),
    stored() {
      const row = temp.db.prepare("SELECT COUNT(*) AS n FROM webchat_message").get();
      return Promise.resolve(Number(row?.n));
    },
    close: temp.cleanup,
  };
});
