import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { describeRecentIndexContract } from "./recent_contract.ts";
import { SqliteRecent } from "./recent_sqlite.ts";

describeRecentIndexContract("SqliteRecent", async () => {
  const temp = await openTempSqlite();
  return {
    recent: new SqliteRecent(temp.db),
    stored(chatid) {
      const row = temp.db.prepare("SELECT COUNT(*) AS n FROM recent_message WHERE chatid = ?")
        .get(chatid);
      return Promise.resolve(Number(row?.n));
    },
    close: temp.cleanup,
  };
}, { replayTakesRoom: false });
