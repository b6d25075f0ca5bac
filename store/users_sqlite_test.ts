import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { openTempSqlite } from "./temp_db_sqlite.ts";
import { type User, UserExistsError } from "./users.ts";
import { SqliteUserStore } from "./users_sqlite.ts";

function user(accountid: string, username: string, dept = "R&D"): User {
  return {
    accountid,
    username,
    dept,
    deptDetail: `Company,${dept}`,
    email: `${accountid}@example.com`,
    tel: "",
    mobile: "",
  };
}

Deno.test("SqliteUserStore adds, finds and refuses a second account of any case", async () => {
  const temp = await openTempSqlite();
  try {
    const users = new SqliteUserStore(temp.db);
    const alice = user("alice", "Alice O'Neil 😀");
    await users.add(alice, "scrypt$hash");
    await users.add(user("bob.b", "Bob"), "h2");
    assertEquals(await users.find("alice"), alice);
    assertEquals(await users.findWithPassword("alice"), { ...alice, passwordHash: "scrypt$hash" });
    assertEquals(await users.find("nobody"), null);
    await rejects(users.add(user("Alice", "Other"), "h"), UserExistsError);
    assertEquals(
      await users.existing(["alice", "ALICE", "bob.b", "carol", "alice"]),
      new Set([
        "alice",
        "bob.b",
      ]),
    );
    assertEquals(await users.existing([]), new Set());
    assertEquals(await users.setPassword("alice", "new"), true);
    assertEquals((await users.findWithPassword("alice"))?.passwordHash, "new");
    assertEquals(await users.setPassword("carol", "x"), false);
    // A long modern hash fits.
    await users.setPassword("bob.b", "x".repeat(500));
    assertEquals((await users.findWithPassword("bob.b"))?.passwordHash.length, 500);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteUserStore lists by account, name or department, % and _ literal", async () => {
  const temp = await openTempSqlite();
  try {
    const users = new SqliteUserStore(temp.db);
    await users.add(user("carol", "Carol", "Sales"), "h");
    await users.add(user("alice", "Alice 100%", "R&D"), "h");
    await users.add(user("a_b", "Ab", "R&D"), "h");
    await users.add(user("bob", "Bob", "Sales"), "h");
    const ids = async (q: string, limit = 10) =>
      (await users.list(q, limit)).map((u) => u.accountid);
    assertEquals(await ids(""), ["a_b", "alice", "bob", "carol"]);
    assertEquals(await ids("", 2), ["a_b", "alice"]);
    assertEquals(await ids("sales"), ["bob", "carol"]);
    assertEquals(await ids("100%"), ["alice"]);
    assertEquals(await ids("a_"), ["a_b"]);
    assertEquals(await ids("'; DROP TABLE webchat_user; --"), []);
    assertEquals(await ids("company"), ["a_b", "alice", "bob", "carol"]);
  } finally {
    await temp.cleanup();
  }
});
