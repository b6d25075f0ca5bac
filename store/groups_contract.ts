/**
 * The {@link GroupStore} contract, as `Deno.test`s run against every implementation
 * (`groups_mysql_test.ts`, `groups_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { type GroupStore, MAX_SPANS_PER_MEMBER } from "./groups.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface GroupStoreHarness {
  groups: GroupStore;
  /** Another instance on the same storage (another node, with caches of its own). */
  other(): GroupStore;
  /** Empties the shared cache as FLUSHDB would (nothing when there is none). */
  flushCache(): Promise<void>;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

const TITLE = `R&D <b>"team"</b> '; DROP TABLE webchat_group; -- 😀`;

/** Registers the contract's tests, named `${name}: …`. */
export function describeGroupStoreContract(
  name: string,
  open: () => Promise<GroupStoreHarness>,
): void {
  const test = contractTests(name, open);

  test("creates a group once, with its members in join order", async ({ groups }) => {
    const atMs = 1_764_201_600_123;
    const created = await groups.create({
      chatid: "alice-1",
      title: TITLE,
      owner: "alice",
      members: ["alice", "bob", "carol"],
      atMs,
    });
    assert(created);
    assertEquals(created.title, TITLE);
    assertEquals(created.owner, "alice");
    assertEquals(created.ctime, Math.floor(atMs / 1000));
    assertEquals(created.members.map((m) => [m.accountid, m.joinedMs]), [
      ["alice", atMs],
      ["bob", atMs],
      ["carol", atMs],
    ]);
    assertEquals(await groups.find("alice-1"), created);
    assertEquals(await groups.find("alice-2"), null);
    const again = await groups.create({
      chatid: "alice-1",
      title: "other",
      owner: "alice",
      members: ["alice", "dave"],
      atMs: atMs + 1,
    });
    assertEquals(again, null);
    assertEquals(await groups.find("alice-1"), created);
    await rejects(
      groups.create({ chatid: "bob-1", title: "t", owner: "bob", members: ["carol"], atMs }),
      TypeError,
    );
    await rejects(
      groups.create({ chatid: "bob-1", title: "t", owner: "bob", members: ["bob", "bob"], atMs }),
      TypeError,
    );
    await rejects(
      groups.create({ chatid: "bob--c", title: "t", owner: "bob", members: ["bob"], atMs }),
      TypeError,
    );
    assertEquals(await groups.find("bob-1"), null);
  });

  test("changes apply to the version read, and only to it", async ({ groups, other }) => {
    const g = (await groups.create({
      chatid: "alice-7",
      title: "seven",
      owner: "alice",
      members: ["alice", "bob", "carol"],
      atMs: 1000,
    }))!;
    const changed = await groups.change("alice-7", g.version, {
      add: ["dave", "erin"],
      remove: ["carol"],
      title: "renamed",
      atMs: 5000,
    });
    assert(changed);
    assert(changed.version > g.version);
    assertEquals(changed.title, "renamed");
    assertEquals(changed.mtime, 5);
    assertEquals(changed.members.map((m) => m.accountid), ["alice", "bob", "dave", "erin"]);
    // Another node sees it at once.
    const elsewhere = other();
    assertEquals(await elsewhere.find("alice-7"), changed);
    // A change based on the old version is refused and changes nothing.
    assertEquals(
      await elsewhere.change("alice-7", g.version, { add: [], remove: ["bob"], atMs: 6000 }),
      null,
    );
    assertEquals(await groups.find("alice-7"), changed);
    // The owner leaves; the caller names the new owner.
    const handed = await elsewhere.change("alice-7", changed.version, {
      add: [],
      remove: ["alice"],
      owner: "bob",
      atMs: 7000,
    });
    assertEquals(handed?.owner, "bob");
    assertEquals(handed?.members.map((m) => m.accountid), ["bob", "dave", "erin"]);
    assertEquals(await groups.find("alice-7"), handed);
    assertEquals(await groups.change("nobody-1", 1, { add: ["a"], remove: [], atMs: 1 }), null);
  });

  test("a removed member keeps its stretches; coming back starts a new one", async ({ groups }) => {
    let g = (await groups.create({
      chatid: "alice-9",
      title: "nine",
      owner: "alice",
      members: ["alice", "bob"],
      atMs: 1000,
    }))!;
    g = (await groups.change(g.chatid, g.version, { add: [], remove: ["bob"], atMs: 2000 }))!;
    assertEquals(await groups.spans(g.chatid, "bob"), [{ fromMs: 1000, toMs: 2000 }]);
    g = (await groups.change(g.chatid, g.version, { add: ["bob"], remove: [], atMs: 3000 }))!;
    assertEquals(await groups.spans(g.chatid, "bob"), [
      { fromMs: 1000, toMs: 2000 },
      { fromMs: 3000, toMs: null },
    ]);
    assertEquals(await groups.spans(g.chatid, "carol"), []);
    assertEquals(
      await groups.memberships("bob"),
      new Map([[g.chatid, [{ fromMs: 1000, toMs: 2000 }, { fromMs: 3000, toMs: null }]]]),
    );
    assertEquals(await groups.memberships("carol"), new Map());
    assertEquals(g.members.map((m) => [m.accountid, m.joinedMs]), [["alice", 1000], ["bob", 3000]]);
    // Only the newest stretches are kept.
    for (let i = 0; i < MAX_SPANS_PER_MEMBER + 2; i++) {
      g = (await groups.change(g.chatid, g.version, { add: [], remove: ["bob"], atMs: 4000 + i }))!;
      g = (await groups.change(g.chatid, g.version, { add: ["bob"], remove: [], atMs: 5000 + i }))!;
    }
    const spans = await groups.spans(g.chatid, "bob");
    assertEquals(spans.length, MAX_SPANS_PER_MEMBER);
    assertEquals(spans.at(-1), { fromMs: 5000 + MAX_SPANS_PER_MEMBER + 1, toMs: null });
  });

  test("mutes are per account and end with the membership", async ({ groups }) => {
    const g = (await groups.create({
      chatid: "bob-3",
      title: "three",
      owner: "bob",
      members: ["bob", "carol", "dave"],
      atMs: 1000,
    }))!;
    await groups.setMuted("carol", "bob-3", true);
    await groups.setMuted("carol", "bob-3", true);
    await groups.setMuted("dave", "bob-3", true);
    assertEquals(await groups.muted("carol"), ["bob-3"]);
    assertEquals(await groups.muted("bob"), []);
    await groups.setMuted("dave", "bob-3", false);
    assertEquals(await groups.muted("dave"), []);
    await groups.change(g.chatid, g.version, { add: [], remove: ["carol"], atMs: 2000 });
    assertEquals(await groups.muted("carol"), []);
  });

  test("a group survives losing the shared cache", async ({ groups, other, flushCache }) => {
    const g = (await groups.create({
      chatid: "carol-5",
      title: "five",
      owner: "carol",
      members: ["carol", "dave"],
      atMs: 1000,
    }))!;
    await flushCache();
    assertEquals(await groups.find("carol-5"), g);
    assertEquals(await other().find("carol-5"), g);
    await flushCache();
    const changed = await other().change(g.chatid, g.version, {
      add: ["erin"],
      remove: [],
      atMs: 2000,
    });
    assertEquals(await groups.find("carol-5"), changed);
  });
}
