import { openTestStores } from "../tests/support/stores.ts";
import { describeUserStoreContract } from "./users_contract.ts";
import { MysqlUserStore } from "./users_mysql.ts";

describeUserStoreContract("MysqlUserStore", async () => {
  const stores = await openTestStores();
  const users = new MysqlUserStore(stores.pool);
  await users.ensureSchema();
  return { users, close: stores.cleanup };
}, { longestHash: 255, listed: ["alice", "a_b", "bob", "carol"] });
