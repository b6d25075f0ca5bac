import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SqlitePresence } from "./presence_sqlite.ts";

Deno.test("SqlitePresence lists online accounts sorted", async () => {
  const presence = new SqlitePresence();
  presence.start();
  await presence.online("carol");
  await presence.online("alice");
  await presence.online("bob");
  await presence.offline("carol");
  assertEquals(await presence.list(), ["alice", "bob"]);
  await presence.close();
  assertEquals(await presence.list(), []);
});
