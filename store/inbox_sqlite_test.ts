import { describeInboxContract } from "./inbox_contract.ts";
import { SqliteInbox } from "./inbox_sqlite.ts";
import { openTempSqlite } from "./temp_db_sqlite.ts";

describeInboxContract("SqliteInbox", async () => {
  const temp = await openTempSqlite();
  return { inbox: new SqliteInbox(temp.db), close: temp.cleanup };
});
