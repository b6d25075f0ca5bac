import { describePresenceContract } from "./presence_contract.ts";
import { SqlitePresence } from "./presence_sqlite.ts";

// Embedded presence lives in memory: there is no storage to open.
describePresenceContract("SqlitePresence", () => {
  const presence = new SqlitePresence();
  return Promise.resolve({ presence, close: () => presence.close() });
});
