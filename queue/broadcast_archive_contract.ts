/**
 * The {@link BroadcastArchive} contract, as `Deno.test`s run against every implementation
 * (`broadcast_archive_mysql_test.ts`, `broadcast_archive_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { MessageRejectedError } from "./archive.ts";
import { at } from "./archive_contract.ts";
import type { Broadcast } from "./broadcast.ts";
import type { BroadcastArchive } from "./broadcast_archive.ts";
import { newMid } from "./message.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface BroadcastArchiveHarness {
  broadcasts: BroadcastArchive;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

/** Broadcast `n` from alice, at `time`, with a bid that sorts by `n`. */
function broadcast(n: number, time: number, recipients = ["bob", "carol"]): Broadcast {
  return {
    bid: newMid(1_700_000_000_000 + n),
    fromuser: "alice",
    touserTitle: "R&D; <Sales>",
    title: `notice ${n} <b>'"</b>`,
    content: `body ${n} '; DROP TABLE webchat_broadcast_recipient; -- \\' 😀`,
    time,
    recipients,
  };
}

const listed = ({ recipients, ...rest }: Broadcast) => ({ ...rest, recipients: recipients.length });

/** Registers the contract's tests, named `${name}: …`. */
export function describeBroadcastArchiveContract(
  name: string,
  open: () => Promise<BroadcastArchiveHarness>,
): void {
  const test = contractTests(name, open);

  test("lists a broadcast to its recipients and sender only, newest first, across years", async ({ broadcasts }) => {
    const all = Array.from(
      { length: 7 },
      (_, i) => broadcast(i + 1, at(2025 + (i >> 2), 6, 1 + i)),
    );
    await broadcasts.saveBroadcasts(all.slice(0, 3));
    await broadcasts.saveBroadcasts(all.slice(3));
    await broadcasts.saveBroadcasts(all.slice(2, 5)); // a batch retried after a crash
    const newest = await broadcasts.list("bob", null, 5);
    assertEquals(newest, { broadcasts: all.slice(2).reverse().map(listed), hasMore: true });
    const older = await broadcasts.list("bob", newest.broadcasts.at(-1)!.bid, 5);
    assertEquals(older, { broadcasts: all.slice(0, 2).reverse().map(listed), hasMore: false });
    assertEquals((await broadcasts.list("alice", null, 50)).broadcasts.length, 7);
    assertEquals(await broadcasts.list("dave", null, 5), { broadcasts: [], hasMore: false });
    assertEquals(await broadcasts.find(all[0].bid, "carol"), listed(all[0]));
    assertEquals(await broadcasts.find(all[0].bid, "alice"), listed(all[0]));
    assertEquals(await broadcasts.find(all[0].bid, "dave"), null);
    assertEquals(await broadcasts.find("f".repeat(24), "bob"), null);
    await rejects(broadcasts.list("bob", "not a bid", 5), RangeError);
    await rejects(broadcasts.list("bob", null, 51), RangeError);
  });

  test("stores a broadcast to 10,000 recipients once", async ({ broadcasts }) => {
    const many = Array.from({ length: 10_000 }, (_, i) => `u${i}`);
    const big = broadcast(1, at(2026, 3, 1), many);
    await broadcasts.saveBroadcasts([big, big]);
    await broadcasts.saveBroadcasts([big]);
    assertEquals(await broadcasts.list("u9999", null, 5), {
      broadcasts: [listed(big)],
      hasMore: false,
    });
    assertEquals((await broadcasts.list("u0", null, 5)).broadcasts[0].recipients, 10_000);
  });

  test("refuses a batch with a broadcast it can never store, storing none of it", async ({ broadcasts }) => {
    const good = broadcast(1, at(2026, 3, 1));
    const bad: Broadcast[] = [
      { ...broadcast(2, at(2026, 3, 1)), recipients: [] },
      { ...broadcast(2, at(2026, 3, 1)), title: "x".repeat(201) },
      { ...broadcast(2, at(2026, 3, 1)), recipients: ["bob", "not an id"] },
      { ...broadcast(2, at(2026, 3, 1)), content: "lone \ud800" },
      { ...broadcast(2, at(2026, 3, 1)), bid: "../../etc" },
    ];
    for (const b of bad) {
      await rejects(broadcasts.saveBroadcasts([good, b]), MessageRejectedError);
    }
    assertEquals(await broadcasts.list("bob", null, 5), { broadcasts: [], hasMore: false });
  });
}
