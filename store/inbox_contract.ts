/**
 * The {@link Inbox} contract, as `Deno.test`s run against every implementation
 * (`inbox_redis_test.ts`, `inbox_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type Inbox, OFFLINE_LIMIT } from "./inbox.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface InboxHarness {
  inbox: Inbox;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

/** Registers the contract's tests, named `${name}: …`. */
export function describeInboxContract(name: string, open: () => Promise<InboxHarness>): void {
  const test = contractTests(name, open);

  test("counts unread per chat and clears on read", async ({ inbox }) => {
    await inbox.deliver("a--b", ["b"], [], "{}");
    await inbox.deliver("a--b", ["b"], [], "{}");
    await inbox.deliver("g1", ["b", "c"], [], "{}");
    assertEquals(await inbox.unread("b"), { "a--b": 2, g1: 1 });
    assertEquals(await inbox.unread("c"), { g1: 1 });
    await inbox.markRead("b", "a--b");
    assertEquals(await inbox.unread("b"), { g1: 1 });
    assertEquals(await inbox.unread("nobody"), {});
    assertEquals(await inbox.broadcastUnread("b"), 0);
  });

  test("keeps the newest offline frames verbatim, oldest first", async ({ inbox }) => {
    const frames = Array.from(
      { length: OFFLINE_LIMIT + 5 },
      (_, i) => JSON.stringify({ type: "say", content: `m${i} '; DROP TABLE x; -- <b>😀</b>` }),
    );
    for (const frame of frames) await inbox.deliver("a--b", [], ["b"], frame);
    await inbox.deliver("a--b", [], ["c"], frames[0]);
    assertEquals(await inbox.takeOffline("b"), frames.slice(5));
    assertEquals(await inbox.takeOffline("b"), []);
    assertEquals(await inbox.takeOffline("c"), [frames[0]]);
  });

  test("counts mentions apart and gives the mentioned their own offline frame", async ({ inbox }) => {
    const plain = JSON.stringify({ type: "say", chatid: "a-1", seq: 1 });
    const marked = JSON.stringify({ type: "say", chatid: "a-1", seq: 1, mention: true });
    // b and c read it, c is mentioned; c and d are offline, d mentioned too (and not a reader).
    await inbox.deliver("a-1", ["b", "c"], ["c", "d"], plain, {
      accountids: ["c", "d"],
      frame: marked,
    });
    await inbox.deliver("a-1", ["b"], [], plain);
    assertEquals(await inbox.unread("b"), { "a-1": 2 });
    assertEquals(await inbox.unread("c"), { "a-1": 1 });
    assertEquals(await inbox.mentions("b"), {});
    assertEquals(await inbox.mentions("c"), { "a-1": 1 });
    assertEquals(await inbox.mentions("d"), { "a-1": 1 });
    assertEquals(await inbox.takeOffline("c"), [marked]);
    assertEquals(await inbox.takeOffline("d"), [marked]);
    await inbox.markRead("c", "a-1");
    assertEquals(await inbox.unread("c"), {});
    assertEquals(await inbox.mentions("c"), {});
    assertEquals(await inbox.mentions("d"), { "a-1": 1 });
  });

  test("counts unread broadcasts per account and clears them", async ({ inbox }) => {
    await inbox.addBroadcastUnread(["b", "c"]);
    await inbox.addBroadcastUnread(["b"]);
    await inbox.addBroadcastUnread([]);
    assertEquals(await inbox.broadcastUnread("b"), 2);
    assertEquals(await inbox.broadcastUnread("c"), 1);
    await inbox.clearBroadcastUnread("b");
    assertEquals(await inbox.broadcastUnread("b"), 0);
    assertEquals(await inbox.broadcastUnread("c"), 1);
  });
}
