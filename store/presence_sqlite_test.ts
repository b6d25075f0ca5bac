import { describePresenceContract } from "./presence_contract.ts";
import { SqlitePresence } from "./presence_sqlite.ts";

// Embedded presence lives in memory: no storage to open.
describePresenceContract(
  "SqlitePresence",
  () => Promise.resolve({ presence: new SqlitePresence(), close: () => Promise.resolve() }),
);
