import { openTempSqlite } from "./temp_db_sqlite.ts";
import { describeUserStoreContract } from "./users_contract.ts";
import { SqliteUserStore } from "./users_sqlite.ts";

describeUserStoreContract("SqliteUserStore", async () => {
  const temp = await openTempSqlite();
  return { users: new SqliteUserStore(temp.db), close: temp.cleanup };
}, { longestHash: 500, listed: ["a_b", "alice", "bob", "carol"] });
