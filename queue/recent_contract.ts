/**
 * The {@link RecentIndex} contract, as `Deno.test`s run against every implementation
 * (`recent_redis_test.ts`, `recent_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type ChatMessage, newMid } from "./message.ts";
import type { RecentIndex } from "./recent_index.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface RecentIndexHarness {
  recent: RecentIndex;
  /** How many entries the chat's last-messages store holds, copies included. */
  stored(chatid: string): Promise<number>;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

/** Where implementations may differ, within the port's contract. */
export interface RecentIndexTraits {
  /**
   * A batch replayed after a crash is shown once either way; true when its copies still take
   * room in the last 20 (Redis's list), so fewer messages are hot until newer ones arrive.
   */
  replayTakesRoom: boolean;
}

function message(chatid: string, seq: number, time: number, members: string[]): ChatMessage {
  return {
    mid: newMid(1_700_000_000_000 + seq) + chatid.length,
    chatid,
    seq,
    fromuser: members[0],
    message: `"m${seq}" 😀 <b> '; DROP TABLE recent_message; --`,
    type: 0,
    fileId: "",
    time,
    cid: "",
    members,
  };
}

/** Registers the contract's tests, named `${name}: …`. */
export function describeRecentIndexContract(
  name: string,
  open: () => Promise<RecentIndexHarness>,
  traits: RecentIndexTraits,
): void {
  const test = contractTests(name, open);

  test("keeps the last 20 messages per chat in ascending seq", async ({ recent, stored }) => {
    const batch = Array.from(
      { length: 25 },
      (_, i) => message("a--b", i + 1, 1000 + i, ["a", "b"]),
    );
    await recent.record(batch.slice(0, 10));
    await recent.record(batch.slice(10));
    assertEquals(await recent.lastMessages("a--b"), batch.slice(5));
    assertEquals(await stored("a--b"), 20);
    // A batch replayed after a crash shows once.
    await recent.record(batch.slice(20));
    assertEquals(
      await recent.lastMessages("a--b"),
      batch.slice(traits.replayTakesRoom ? 10 : 5),
    );
    assertEquals(await stored("a--b"), 20);
    assertEquals(await recent.lastMessages("nobody"), []);
  });

  test("orders contacts by their last message and never moves one back", async ({ recent }) => {
    await recent.record([
      message("a--b", 1, 100, ["a", "b"]),
      message("a-1", 1, 200, ["a", "c", "d"]),
      message("a--b", 2, 300, ["a", "b"]),
    ]);
    assertEquals(await recent.contacts("a", 10), [
      { chatid: "a--b", time: 300 },
      { chatid: "a-1", time: 200 },
    ]);
    await recent.record([message("a--b", 1, 100, ["a", "b"])]); // an older message, late
    assertEquals(await recent.contacts("a", 1), [{ chatid: "a--b", time: 300 }]);
    assertEquals(await recent.contacts("d", 10), [{ chatid: "a-1", time: 200 }]);
    await recent.removeContact("a", "a--b");
    assertEquals(await recent.contacts("a", 10), [{ chatid: "a-1", time: 200 }]);
    assertEquals(await recent.contacts("b", 10), [{ chatid: "a--b", time: 300 }]);
  });

  test("amends kept copies of changed messages, leaves the rest alone", async ({ recent }) => {
    const chat = "alice--bob";
    const batch = [1, 2, 3].map((seq) => message(chat, seq, 100 + seq, ["alice", "bob"]));
    await recent.record(batch);
    const recalled = { ...batch[1], message: "", recalled: { by: "alice", time: 200 } };
    const stranger = { ...message(chat, 99, 300, ["alice", "bob"]), message: "never kept" };
    await recent.amend([recalled, stranger]);
    await recent.amend([recalled]); // again: the same
    assertEquals(await recent.lastMessages(chat), [batch[0], recalled, batch[2]]);
  });
}
