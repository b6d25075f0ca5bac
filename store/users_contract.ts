/**
 * The {@link UserStore} contract, as `Deno.test`s run against every implementation
 * (`users_mysql_test.ts`, `users_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { type User, UserExistsError, type UserStore } from "./users.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface UserStoreHarness {
  users: UserStore;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

/** Where implementations may differ, within the port's contract. */
export interface UserStoreTraits {
  /** The longest password hash kept (MySQL's `pwd` is `varchar(255)`). */
  longestHash: number;
  /**
   * `list("")` of a_b, alice, bob and carol: the order follows the engine's collation (MySQL's
   * `utf8mb4_general_ci` puts "_" after letters, SQLite's NOCASE before).
   */
  listed: string[];
}

/** A user of department `dept` in "Company". */
export function user(accountid: string, username: string, dept = "R&D"): User {
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

/** Registers the contract's tests, named `${name}: …`. */
export function describeUserStoreContract(
  name: string,
  open: () => Promise<UserStoreHarness>,
  traits: UserStoreTraits,
): void {
  const test = contractTests(name, open);

  test("adds, finds and refuses a second account of any case", async ({ users }) => {
    const alice = user("alice", "Alice O'Neil 😀");
    await users.add(alice, "scrypt$hash");
    await users.add(user("bob.b", "Bob"), "h2");
    assertEquals(await users.find("alice"), alice);
    assertEquals(await users.findWithPassword("alice"), {
      ...alice,
      passwordHash: "scrypt$hash",
      disabled: false,
    });
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
    await users.setPassword("bob.b", "x".repeat(traits.longestHash));
    assertEquals(
      (await users.findWithPassword("bob.b"))?.passwordHash.length,
      traits.longestHash,
    );
  });

  test("lists by account, name or department, % and _ literal", async ({ users }) => {
    await users.add(user("carol", "Carol", "Sales"), "h");
    await users.add(user("alice", "Alice 100%", "R&D"), "h");
    await users.add(user("a_b", "Ab", "R&D"), "h");
    await users.add(user("bob", "Bob", "Sales"), "h");
    const ids = async (q: string, limit = 10) =>
      (await users.list(q, limit)).map((u) => u.accountid);
    assertEquals(await ids(""), traits.listed);
    assertEquals(await ids("", 2), traits.listed.slice(0, 2));
    assertEquals(await ids("sales"), ["bob", "carol"]);
    assertEquals(await ids("100%"), ["alice"]);
    assertEquals(await ids("a_"), ["a_b"]);
    assertEquals(await ids("'; DROP TABLE webchat_user; --"), []);
    assertEquals(await ids("company"), traits.listed);
  });

  test("disables and enables: a disabled account is out of the directory, not gone", async ({ users }) => {
    await users.add(user("alice", "Alice"), "h1");
    await users.add(user("bob", "Bob"), "h2");
    assertEquals(await users.count(), 2);
    assertEquals((await users.findWithPassword("alice"))?.disabled, false);
    assertEquals(await users.setDisabled("alice", true), true);
    assertEquals((await users.findWithPassword("alice"))?.disabled, true);
    // Still known by name (history shows who wrote), but not listed to people.
    assertEquals((await users.find("alice"))?.username, "Alice");
    assertEquals((await users.list("", 10)).map((u) => u.accountid), ["bob"]);
    assertEquals(await users.existing(["alice", "bob"]), new Set(["alice", "bob"]));
    assertEquals(
      (await users.accounts({ limit: 10 })).map((a) => [a.accountid, a.disabled]),
      [["alice", true], ["bob", false]],
    );
    assertEquals(await users.setDisabled("nobody", true), false);
    assertEquals(await users.setDisabled("alice", false), true);
    assertEquals((await users.findWithPassword("alice"))?.disabled, false);
    assertEquals((await users.list("", 10)).length, 2);
  });

  test("removes an account; counts what is left", async ({ users }) => {
    await users.add(user("alice", "Alice"), "h1");
    await users.add(user("bob", "Bob"), "h2");
    assertEquals(await users.remove("bob"), true);
    assertEquals(await users.find("bob"), null);
    assertEquals(await users.remove("bob"), false);
    assertEquals(await users.count(), 1);
  });

  test("accounts: pages by accountid, filters by department name or path", async ({ users }) => {
    const people: [string, string, string][] = [
      ["amy", "R&D", "Company,R&D"],
      ["ben", "East", "Company,Sales,East"],
      ["cat", "Sales", "Company,Sales"],
      ["dan", "SalesX", "Company,SalesX"],
      ["eve", "100%", "Company,100%"],
    ];
    for (const [id, dept, path] of people) {
      await users.add({ ...user(id, id.toUpperCase()), dept, deptDetail: path }, "");
    }
    const ids = async (query: Parameters<UserStore["accounts"]>[0]) =>
      (await users.accounts(query)).map((a) => a.accountid);
    assertEquals(await ids({ limit: 2 }), ["amy", "ben"]);
    assertEquals(await ids({ limit: 2, after: "ben" }), ["cat", "dan"]);
    assertEquals(await ids({ limit: 10, dept: "sales" }), ["ben", "cat"]);
    assertEquals(await ids({ limit: 10, dept: "Company, Sales" }), ["ben", "cat"]);
    assertEquals(await ids({ limit: 10, dept: "East" }), ["ben"]);
    assertEquals(await ids({ limit: 10, dept: "Company" }), ["amy", "ben", "cat", "dan", "eve"]);
    assertEquals(await ids({ limit: 10, dept: "100%" }), ["eve"]);
    assertEquals(await ids({ limit: 10, dept: "1%" }), []);
    assertEquals((await users.accounts({ limit: 1 }))[0].hasPassword, false);
    await rejects(users.accounts({ limit: 0 }), RangeError);
  });

  test("addMany adds all or nothing", async ({ users }) => {
    await users.addMany([
      { user: user("amy", "Amy"), passwordHash: "h" },
      { user: user("ben", "Ben"), passwordHash: "", disabled: true },
    ]);
    assertEquals(await users.count(), 2);
    assertEquals((await users.findWithPassword("ben"))?.disabled, true);
    // A taken account (any case) fails the whole call: the new one before it is not kept.
    await rejects(
      users.addMany([{ user: user("cat", "Cat"), passwordHash: "h" }, {
        user: user("AMY", "Other"),
        passwordHash: "h",
      }]),
      UserExistsError,
    );
    await rejects(
      users.addMany([{ user: user("dan", "Dan"), passwordHash: "h" }, {
        user: user("dan", "Dan 2"),
        passwordHash: "h",
      }]),
      UserExistsError,
    );
    assertEquals(await users.count(), 2);
    await users.addMany([]);
    const many = Array.from({ length: 2500 }, (_, i) => ({
      user: user(`u${String(i).padStart(4, "0")}`, `U ${i}`),
      passwordHash: "h",
    }));
    await users.addMany(many);
    assertEquals(await users.count(), 2502);
  });

  test("finds the accounts of departments and their sub-departments", async ({ users }) => {
    const at = (accountid: string, deptDetail: string) => ({
      ...user(accountid, accountid),
      deptDetail,
    });
    await users.add(at("ann", "Company,R&D"), "h");
    await users.add(at("ben", "Company,R&D,Web"), "h");
    await users.add(at("cat", "Company,R&Design"), "h");
    await users.add(at("dan", "Company,Sales"), "h");
    await users.add(at("eve", "Other,R&D"), "h");
    await users.add(at("fay", "Company,R_D"), "h");
    assertEquals(await users.inDepartments(["Company,R&D"], 100), ["ann", "ben"]);
    assertEquals(await users.inDepartments(["company,r&d", "Company,Sales"], 100), [
      "ann",
      "ben",
      "dan",
    ]);
    assertEquals(await users.inDepartments(["Company"], 100), ["ann", "ben", "cat", "dan", "fay"]);
    assertEquals(await users.inDepartments(["Company"], 2), ["ann", "ben"]);
    assertEquals(await users.inDepartments(["Company,R%"], 100), []);
    assertEquals(await users.inDepartments(["Company,R_D"], 100), ["fay"]);
    assertEquals(await users.inDepartments([], 100), []);
    assertEquals(await users.inDepartments(["'; DROP TABLE webchat_user; --"], 100), []);
  });

  test("directory rows: created, updated, unchanged, left and back", async ({ users }) => {
    const lilei = user("lilei", "李雷");
    assertEquals(await users.saveDirectoryUser(lilei), {
      outcome: "created",
      accountid: "lilei",
      disabled: false,
      returned: false,
    });
    // No password is stored: the row cannot log in with a local password.
    assertEquals((await users.findWithPassword("lilei"))?.passwordHash, "");
    assertEquals((await users.saveDirectoryUser(lilei)).outcome, "unchanged");
    const moved = { ...lilei, dept: "Sales", deptDetail: "Company,Sales" };
    assertEquals((await users.saveDirectoryUser(moved)).outcome, "updated");
    assertEquals(await users.find("lilei"), moved);
    // A local row of the same account (in another case) becomes a directory row, keeps its
    // spelling and its password column.
    await users.add(user("HanMei", "Han"), "local-hash");
    assertEquals(await users.saveDirectoryUser(user("hanmei", "韩梅")), {
      outcome: "updated",
      accountid: "HanMei",
      disabled: false,
      returned: false,
    });
    assertEquals((await users.findWithPassword("HanMei"))?.passwordHash, "local-hash");
    await users.add(user("admin", "Admin"), "h");
    assertEquals(await users.directoryAccounts(), [
      { accountid: "HanMei", disabled: false, left: false },
      { accountid: "lilei", disabled: false, left: false },
    ]);
    // Only enabled directory rows are marked; local ones never.
    assertEquals(await users.markLeft(["lilei", "admin", "nobody"]), 1);
    assertEquals(await users.markLeft(["lilei"]), 0);
    assertEquals((await users.findWithPassword("lilei"))?.disabled, true);
    assertEquals((await users.findWithPassword("admin"))?.disabled, false);
    assertEquals(await users.list("", 10).then((l) => l.map((u) => u.accountid)), [
      "admin",
      "HanMei",
    ]);
    assertEquals(
      await users.directoryAccounts().then((l) => l.find((a) => a.left)?.accountid),
      "lilei",
    );
    // Back in the directory: enabled again. One an administrator disabled stays disabled.
    assertEquals(await users.saveDirectoryUser(moved), {
      outcome: "updated",
      accountid: "lilei",
      disabled: false,
      returned: true,
    });
    assertEquals((await users.findWithPassword("lilei"))?.disabled, false);
    await users.setDisabled("HanMei", true);
    assertEquals(await users.markLeft(["HanMei"]), 0);
    const again = await users.saveDirectoryUser(user("hanmei", "韩梅梅"));
    assertEquals([again.outcome, again.disabled, again.returned], ["updated", true, false]);
    assertEquals((await users.findWithPassword("HanMei"))?.disabled, true);
  });
}
