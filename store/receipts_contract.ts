/**
 * The {@link ReadReceipts} contract, run against every implementation (`receipts_mysql_test.ts`,
 * `receipts_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { ReadReceipts } from "./receipts.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface ReceiptsHarness {
  receipts: ReadReceipts;
  close(): Promise<void>;
}

/** Registers the contract's tests, named `${name}: …`. */
export function describeReceiptsContract(
  name: string,
  open: () => Promise<ReceiptsHarness>,
): void {
  const test = contractTests(name, open);

  test("keeps the highest read seq per chat and account, one rise at a time", async ({ receipts }) => {
    assertEquals(await receipts.of("alice--bob"), {});
    assertEquals(await receipts.mark("alice--bob", "bob", 3, 100), true);
    assertEquals(await receipts.mark("alice--bob", "bob", 3, 101), false);
    assertEquals(await receipts.mark("alice--bob", "bob", 2, 102), false);
    assertEquals(await receipts.mark("alice--bob", "bob", 2 ** 40, 103), true);
    assertEquals(await receipts.mark("alice--bob", "alice", 1, 104), true);
    assertEquals(await receipts.mark("alice-1", "bob", 7, 105), true);
    assertEquals(await receipts.of("alice--bob"), { alice: 1, bob: 2 ** 40 });
    assertEquals(await receipts.of("alice-1"), { bob: 7 });
    // Parallel reads of one account: the highest wins, whatever the order.
    await Promise.all([5, 9, 6, 8].map((seq) => receipts.mark("alice-2", "carol", seq, 106)));
    assertEquals(await receipts.of("alice-2"), { carol: 9 });
  });

  test("an account that turns receipts off is not listed", async ({ receipts }) => {
    assertEquals(await receipts.sending("bob"), true);
    await receipts.mark("alice--bob", "bob", 3, 100);
    await receipts.setSending("bob", false, 101);
    assertEquals(await receipts.sending("bob"), false);
    assertEquals(await receipts.of("alice--bob"), {});
    await receipts.setSending("bob", true, 102);
    assertEquals(await receipts.of("alice--bob"), { bob: 3 });
    assertEquals(await receipts.sending("carol"), true);
  });
}
