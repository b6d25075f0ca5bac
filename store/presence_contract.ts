/**
 * The {@link Presence} contract, as `Deno.test`s run against every implementation
 * (`presence_redis_test.ts`, `presence_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Presence } from "./presence.ts";

/** One implementation on fresh, isolated storage. */
export interface PresenceHarness {
  presence: Presence;
  /** Closes and removes the storage (after the test has closed `presence`). */
  close(): Promise<void>;
}

/** Registers the contract's tests, named `${name}: …`. */
export function describePresenceContract(name: string, open: () => Promise<PresenceHarness>): void {
  Deno.test(`${name}: lists online accounts sorted`, async () => {
    const { presence, close } = await open();
    try {
      presence.start();
      await presence.online("carol");
      await presence.online("alice");
      await presence.online("bob");
      await presence.offline("carol");
      assertEquals(await presence.list(), ["alice", "bob"]);
      await presence.close();
      assertEquals(await presence.list(), []);
    } finally {
      await presence.close();
      await close();
    }
  });
}
