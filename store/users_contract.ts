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
}
