import { CachedGroups } from "./groups_cached.ts";
import { describeGroupStoreContract } from "./groups_contract.ts";
import { SqliteGroupStore } from "./groups_sqlite.ts";
import { openTempSqlite } from "./temp_db_sqlite.ts";

describeGroupStoreContract("SqliteGroupStore", async () => {
  const temp = await openTempSqlite();
  return {
    groups: new CachedGroups(new SqliteGroupStore(temp.db)),
    // Another connection to the file, as another thread has.
    other: () => new CachedGroups(new SqliteGroupStore(temp.connect().db)),
    flushCache: () => Promise.resolve(),
    close: temp.cleanup,
  };
});
