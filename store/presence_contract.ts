/**
 * The {@link Presence} contract, as `Deno.test`s run against every implementation
 * (`presence_redis_test.ts`, `presence_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Presence } from "./presence.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface PresenceHarness {
  presence: Presence;
  /** Closes `presence` (again) and removes the storage. */
  close(): Promise<void>;
}

/** Registers the contract's tests, named `${name}: …`. */
export function describePresenceContract(name: string, open: () => Promise<PresenceHarness>): void {
  const test = contractTests(name, open);

  test("lists online accounts sorted", async ({ presence }) => {
    presence.start();
    await presence.online("carol");
    await presence.online("alice");
    await presence.online("bob");
    await presence.offline("carol");
    assertEquals(await presence.list(), ["alice", "bob"]);
    await presence.close();
    assertEquals(await presence.list(), []);
  });
}
